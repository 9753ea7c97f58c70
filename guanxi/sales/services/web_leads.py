"""Web-to-lead: the public form creates leads in the pool, guarded against spam."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid, TooManyRequests
from guanxi.core.models import User
from guanxi.core.records import clean_or_invalid
from guanxi.sales.models import Lead
from guanxi.sales.services.leads import lead_create

RATE_LIMIT = 5  # submissions per IP …
RATE_WINDOW = 600  # … per ten minutes
MIN_FILL_SECONDS = 3
WEB_FIELDS = ("name", "company", "title", "email", "mobile", "region", "notes", "campaign")


def pool_owner() -> User:
    """Pool leads need an owner for the audit trail: the first active administrator."""
    owner = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role__code="admin"))
        .order_by("pk")
        .first()
    )
    if owner is None:
        raise Invalid(_("The web form is not set up yet."))
    return owner


def throttle(ip: str) -> None:
    """Count a submission from an IP; refuse beyond RATE_LIMIT in RATE_WINDOW seconds."""
    key = f"sales:web-lead:{ip}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        count = 1
    if count > RATE_LIMIT:
        raise TooManyRequests()


@transaction.atomic
def web_lead_submit(
    *, data: dict[str, Any], ip: str, honeypot: str, seconds_taken: float | None
) -> Lead | None:
    """Create a pool lead from the public form; bots (honeypot, too fast) get a silent None."""
    throttle(ip)
    if honeypot or seconds_taken is None or seconds_taken < MIN_FILL_SECONDS:
        return None
    clean = {k: str(data.get(k) or "").strip() for k in WEB_FIELDS}
    errors: dict[str, list[str]] = {}
    if not clean["name"]:
        errors["name"] = [_("This field is required.")]
    if not clean["email"] and not clean["mobile"]:
        errors["email"] = [_("Leave an e-mail address or a mobile number.")]
    if errors:
        raise Invalid(fields=errors)
    probe = Lead(owner_id=0, **clean)
    clean_or_invalid(probe, exclude=["owner", "team"])
    owner = pool_owner()
    return lead_create(actor=owner, owner=owner, in_pool=True, source="web", **clean)
