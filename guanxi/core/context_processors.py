"""Template context for every page: the navigation, filtered by what the user may do, and the
number of unread notifications for the bell."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from guanxi.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": nav_for(user, request.path)}


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count, counted only if a template shows it (partials do not) and once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from guanxi.core.selectors import notification_unread_count

    # Templates call a callable without arguments; the cache makes that one query per request.
    count = functools.cache(lambda: notification_unread_count(actor=user))
    return {"unread_notifications": count}
