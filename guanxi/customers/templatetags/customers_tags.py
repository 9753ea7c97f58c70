"""Template helpers of the customers pages."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.customers.display import personal

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context: Any, kind: str, value: Any) -> Any:
    """Personal data for those who may see it, a pseudonym for analysts (as in the API)."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return personal(user, kind, value)
