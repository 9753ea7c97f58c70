"""How customer records are shown on pages: personal data as the viewer may see it, and rows
of the account list built once in Python instead of per cell in the template."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from guanxi.core.privacy import protect
from guanxi.customers.normalize import display_phone

if TYPE_CHECKING:
    from guanxi.core.models import User

# The columns an account list row is built from (see `account_rows`).
ACCOUNT_ROW_FIELDS = (
    "id",
    "name",
    "name_en",
    "lifecycle_stage",
    "mobile",
    "city",
    "owner_id",
    "updated_at",
)


def personal(user: Any, kind: str, value: Any) -> Any:
    """Personal data for those who may see it, a pseudonym for analysts (as in the API);
    phone numbers in their readable form."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    shown = protect(user, kind, value)
    if kind in {"mobile", "phone"} and shown == value and isinstance(value, str):
        return display_phone(value)
    return shown


def url_for_id(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` as a function, resolved once: cheap for every row of a page."""
    marker = 987654321
    head, _sep, tail = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def account_rows(
    user: User, rows: Iterable[dict[str, Any]], owners: Iterable[User]
) -> list[dict[str, Any]]:
    """Account list rows from `.values(*ACCOUNT_ROW_FIELDS)`: link, protected name and mobile,
    stage label and owner name. `owners` are users already loaded for the page; any other
    owner is read in one query."""
    from guanxi.core.models import User
    from guanxi.customers.models import LifecycleStage

    rows = list(rows)
    names = {u.pk: u for u in owners}
    missing = {r["owner_id"] for r in rows} - set(names)
    if missing:
        names.update((u.pk, u) for u in User.objects.filter(pk__in=missing))
    stages = dict(LifecycleStage.choices)
    detail = url_for_id("customers:account-detail")
    return [
        {
            "pk": r["id"],
            "url": detail(r["id"]),
            "name": personal(user, "name", r["name"]),
            "name_en": personal(user, "name", r["name_en"]) if r["name_en"] else "",
            "stage": stages.get(r["lifecycle_stage"], r["lifecycle_stage"]),
            "mobile": personal(user, "mobile", r["mobile"]) if r["mobile"] else "",
            "city": r["city"],
            "owner": names.get(r["owner_id"], ""),
            "updated_at": r["updated_at"],
        }
        for r in rows
    ]
