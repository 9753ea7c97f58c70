"""How web views answer: a fragment for HTMX requests, the full page otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `partial` when HTMX asks for a fragment (and one exists), else the full page."""
    use_partial = partial is not None and bool(getattr(request, "htmx", False))
    name = partial if use_partial and partial is not None else template
    return render(request, name, context or {}, status=status)


def client_address(request: HttpRequest) -> str:
    """The caller's address as seen by this process (proxies are not trusted blindly)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def page_number(request: HttpRequest) -> int:
    """The `page` query parameter, falling back to the first page on nonsense."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
