"""Contact writes: people at an account, owned together with the account."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_create, record_restore, record_soft_delete, record_update
from guanxi.customers.models import Account, Contact
from guanxi.customers.services.common import (
    SEARCH_FIELDS,
    clean_custom,
    fill_search_keys,
    normalize_personal,
)

CONTACT_FIELDS = frozenset(
    {
        "name", "name_en", "title", "email", "mobile", "phone", "wechat", "gender",
        "birthday", "is_primary", "consent_email", "consent_sms", "consent_marketing",
        "custom", "notes",
    }
)  # fmt: skip


def clean_contact_data(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    unknown = set(data) - CONTACT_FIELDS
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in sorted(unknown)}
    data = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    normalize_personal(data, errors)
    if "custom" in data or not partial:
        try:
            data["custom"] = clean_custom("contact", data.get("custom"), partial=partial)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    return data


def _keys(base: Contact | None, data: dict[str, Any]) -> dict[str, Any]:
    probe = Contact(
        **{
            f: data.get(f, getattr(base, f, ""))
            for f in ("name", "name_en", "email", "mobile", "phone")
        }
    )
    fill_search_keys(probe)
    return {f: getattr(probe, f) for f in SEARCH_FIELDS}


@transaction.atomic
def contact_create(*, actor: User, account: Account, **data: Any) -> Contact:
    """Add a contact to an account the actor may change; it belongs to the account's owner."""
    require_perm(actor, Contact.resource, "create")
    data = clean_contact_data(data)
    data.update(_keys(None, data))
    data["account"] = account
    data["team_id"] = account.team_id
    return record_create(actor=actor, model=Contact, data=data, owner=account.owner)


@transaction.atomic
def contact_update(
    *, actor: User, contact: Contact, changes: dict[str, Any], expected_version: int | None
) -> Contact:
    """Change a contact if it is still at the version the client saw."""
    require_perm(actor, Contact.resource, "change")
    changes = clean_contact_data(changes, partial=True)
    changes.update(_keys(contact, changes))
    return record_update(
        actor=actor, obj=contact, changes=changes, expected_version=expected_version
    )


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact, expected_version: int | None) -> Contact:
    """Move a contact to the recycle bin."""
    return record_soft_delete(actor=actor, obj=contact, expected_version=expected_version)


@transaction.atomic
def contact_restore(*, actor: User, contact: Contact) -> Contact:
    return record_restore(actor=actor, obj=contact)
