"""Template helpers of the customers pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.core.privacy import protect
from guanxi.customers.normalize import display_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context: Any, kind: str, value: Any) -> Any:
    """Personal data for those who may see it, a pseudonym for analysts (as in the API)."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    shown = protect(user, kind, value)
    if kind in {"mobile", "phone"} and shown == value and isinstance(value, str):
        return display_phone(value)
    return shown
