"""Money columns: amounts to the fen, unit prices to four places, currencies as ISO codes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def money_field(verbose: Any, **kwargs: Any) -> models.DecimalField[Any, Any]:
    kwargs.setdefault("default", 0)
    return models.DecimalField(verbose, max_digits=18, decimal_places=2, **kwargs)


def price_field(verbose: Any, **kwargs: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose, max_digits=18, decimal_places=4, **kwargs)


def default_currency() -> str:
    return str(getattr(settings, "DEFAULT_CURRENCY", "CNY"))


def currency_field() -> models.CharField[Any, Any]:
    return models.CharField(_("currency"), max_length=3, default=default_currency)
