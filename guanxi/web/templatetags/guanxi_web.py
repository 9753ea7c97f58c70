"""Template helpers for the web shell: localized names and readable audit changes."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError

register = template.Library()

# Resource labels registered by the apps are plain English; these are shown translated.
RESOURCE_LABELS = {
    "core.user": gettext_lazy("Users"),
    "core.team": gettext_lazy("Teams"),
    "core.role": gettext_lazy("Roles"),
    "core.audit": gettext_lazy("Audit log"),
    "customers.account": gettext_lazy("Accounts"),
}

ACTION_LABELS = {
    "view": gettext_lazy("View"),
    "create": gettext_lazy("Create"),
    "change": gettext_lazy("Change"),
    "delete": gettext_lazy("Delete"),
    "export": gettext_lazy("Export"),
}

# Domain errors carry English default messages; pages show them in the user's language.
ERROR_MESSAGES = {
    "error": gettext_lazy("The request could not be completed."),
    "not_found": gettext_lazy("Not found."),
    "permission_denied": gettext_lazy("You do not have permission to do this."),
    "conflict": gettext_lazy("This conflicts with the current state of the record."),
    "invalid": gettext_lazy("Some values are not valid."),
    "stale_version": gettext_lazy(
        "The record was changed by someone else; reload it and try again."
    ),
    "precondition_required": gettext_lazy(
        "This request must carry an If-Match header with the record's ETag."
    ),
    "unauthenticated": gettext_lazy("Authentication required."),
    "throttled": gettext_lazy("Too many attempts; wait a while and try again."),
}

STATUS_TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Please sign in"),
    403: gettext_lazy("No permission"),
    404: gettext_lazy("Page not found"),
    409: gettext_lazy("Conflict"),
    412: gettext_lazy("Changed by someone else"),
    422: gettext_lazy("Invalid input"),
    429: gettext_lazy("Too many attempts"),
    500: gettext_lazy("Server error"),
}


def is_chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


@register.filter
def role_label(role: Any) -> str:
    """A role's name in the current language."""
    if role is None:
        return _("No role")
    return str(role.name_zh if is_chinese() else role.name_en) or str(role.code)


@register.filter
def resource_label(resource: Any) -> str:
    key = getattr(resource, "key", str(resource))
    label = RESOURCE_LABELS.get(key)
    return str(label) if label is not None else _(getattr(resource, "label", key))


@register.filter
def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


@register.filter
def error_message(error: Any) -> str:
    """The error's message, translated when it is the class's default English text."""
    if isinstance(error, DomainError):
        if error.message == type(error).default_message and error.code in ERROR_MESSAGES:
            return str(ERROR_MESSAGES[error.code])
        return error.message
    return str(error or "")


@register.filter
def status_title(status: Any) -> str:
    try:
        code = int(status)
    except (TypeError, ValueError):
        code = 500
    title = STATUS_TITLES.get(code)
    return str(title) if title is not None else _("Error %(status)s") % {"status": code}


# Keys services put in audit changes that are not model fields.
EXTRA_LABELS = {
    "address": gettext_lazy("IP address"),
    "password": gettext_lazy("Password"),
}


def _field_label(object_type: str, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return name


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _shown(value: Any) -> str:
    if _empty(value):
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@register.filter
def audit_changes(entry: Any) -> list[dict[str, Any]]:
    """An audit entry's changes as readable rows: field label and before → after.

    Creations list only the values that were set; a deletion only what was there.
    """
    changes = entry.changes or {}
    if not isinstance(changes, dict):
        return [{"label": "", "value": _shown(changes), "pair": False}]
    rows: list[dict[str, Any]] = []
    for name, value in changes.items():
        label = _field_label(entry.object_type, name)
        if isinstance(value, list) and len(value) == 2:
            before, after = value
            if _empty(before) and _empty(after):
                continue
            if _empty(before) and entry.action == "create":
                rows.append({"label": label, "value": _shown(after), "pair": False})
            elif _empty(after) and entry.action == "delete":
                rows.append({"label": label, "value": _shown(before), "pair": False})
            else:
                rows.append(
                    {"label": label, "before": _shown(before), "after": _shown(after), "pair": True}
                )
        else:
            rows.append({"label": label, "value": _shown(value), "pair": False})
    return rows


@register.filter
def actor_name(entry: Any) -> str:
    """Who made an audit entry: the user, else the stored name ("system" for set-up work)."""
    if entry.actor_id and entry.actor is not None:
        return str(entry.actor)
    if not entry.actor_name or entry.actor_name == "system":
        return _("system")
    return str(entry.actor_name)


@register.filter
def model_label(label: str) -> str:
    """A record type ("customers.account") as its model's verbose name."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


@register.filter
def verbose_type(obj: Any) -> str:
    return str(obj._meta.verbose_name)


@register.filter
def label_lower(obj: Any) -> str:
    return str(obj._meta.label_lower)


@register.filter
def in_set(value: Any, collection: Any) -> bool:
    return value in collection
