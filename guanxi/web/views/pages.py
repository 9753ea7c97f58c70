"""The home page and the overview page of each area."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.navigation import nav_for
from guanxi.web.nav import AREA_DETAILS, AREAS, PLANNED


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 5:
        return _("Good evening")
    if hour < 12:
        return _("Good morning")
    if hour < 18:
        return _("Good afternoon")
    return _("Good evening")


def _areas(request: HttpRequest) -> list[dict[str, object]]:
    """Each area with where its card leads: its own first page once built, else its overview."""
    built = {
        str(section["key"]): section["items"][0]["url"]  # type: ignore[index]
        for section in nav_for(request.user, request.path)  # type: ignore[arg-type]
    }
    return [
        {
            "key": key,
            "label": label,
            "icon": icon,
            "url": reverse(f"web:area-{key}") if key in PLANNED else built.get(key, ""),
            "planned": key in PLANNED,
            **AREA_DETAILS.get(key, {}),
        }
        for key, label, icon, _order in AREAS
        if key in PLANNED or key in built
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"greeting": _greeting(), "areas": _areas(request)})


@login_required
def area(request: HttpRequest, key: str) -> HttpResponse:
    """An area whose pages are not built yet says so, instead of showing a fake page."""
    found = next((a for a in _areas(request) if a["key"] == key), None)
    if found is None:
        raise Http404
    if not found["planned"]:
        return redirect(str(found["url"]))
    return render(request, "web/area.html", {"area": found})
