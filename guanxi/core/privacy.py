"""Personal data protection: analysts see pseudonyms instead of personal data."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from guanxi.core.models import User


def sees_personal_data(actor: User) -> bool:
    return actor.is_superuser or actor.role_code != "analyst"


def pseudonym(kind: str, value: object) -> str:
    """A stable, non-reversible stand-in for a personal value (same input → same output)."""
    if value in (None, ""):
        return ""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()[:10]
    return f"{kind}-{digest}"


def protect(actor: User, kind: str, value: object) -> object:
    """The value itself for those allowed to see it, a pseudonym for everyone else."""
    if sees_personal_data(actor):
        return value
    return pseudonym(kind, value)
