"""The KPI catalogue: one registry that every app fills with the figures it owns.

An app registers each KPI it can compute (in its ``AppConfig.ready``) as a function of a
:class:`KpiScope` — a range of local dates and a set of customers. Annual plans, dashboards and
reports read figures only through this catalogue, so no figure is computed in two places.
Core knows no domain: the customer set is whatever query of account ids the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid

Unit = Literal["money", "percent", "count", "ratio", "score", "days", "hours", "points"]


@dataclass(frozen=True)
class KpiScope:
    """What a KPI is computed over: local dates ``start``..``end`` (both included) and customers.

    ``accounts`` is a query of account ids (``Account.objects.filter(...).values("id")``) to be
    used as a subquery, or ``None`` for every customer. Callers apply the actor's visibility
    before they build it; KPI functions do not scope again.
    """

    start: date
    end: date
    accounts: Any = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid(fields={"end": [_("The end of the period is before its start.")]})


@dataclass(frozen=True)
class Kpi:
    key: str  # "<app>.<name>", stable: plans store it
    label: str | Promise
    unit: Unit
    higher_is_better: bool
    compute: Callable[[KpiScope], Decimal | None]  # None when the period has no data
    # The records behind the figure, for drill-down (a queryset of accounts or of the app's
    # records); optional.
    drilldown: Callable[[KpiScope], Any] | None = None
    description: str | Promise = ""


_CATALOGUE: dict[str, Kpi] = {}


def register_kpi(kpi: Kpi) -> Kpi:
    """Add a KPI to the catalogue (registering the same key again replaces it)."""
    _CATALOGUE[kpi.key] = kpi
    return kpi


def kpi_catalogue() -> list[Kpi]:
    """Every registered KPI, ordered by key."""
    return [_CATALOGUE[k] for k in sorted(_CATALOGUE)]


def get_kpi(key: str) -> Kpi:
    """The KPI with this key; an unknown key is refused with the field named."""
    try:
        return _CATALOGUE[key]
    except KeyError:
        raise Invalid(fields={"kpi": [_("Unknown KPI: %(key)s") % {"key": key}]}) from None


def compute_kpi(key: str, scope: KpiScope) -> Decimal | None:
    """The value of one KPI over a scope."""
    return get_kpi(key).compute(scope)
