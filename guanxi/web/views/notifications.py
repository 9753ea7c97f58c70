"""Notifications: the bell in the top bar and the page of one's own notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guanxi.core import selectors, services
from guanxi.core.models import User
from guanxi.core.pagination import paginate
from guanxi.web.rendering import page_number

PAGE_SIZE = 30
# htmx stops polling when it gets this status.
STOP_POLLING = 286


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@never_cache
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """One's own notifications, newest first; "unread" shows only those not read yet."""
    show = "unread" if request.GET.get("show") == "unread" else "all"
    qs = selectors.notification_list(
        actor=_actor(request), unread=True if show == "unread" else None
    )
    page = paginate(qs, page=page_number(request), page_size=PAGE_SIZE)
    newest = max((n.pk for n in page.items), default=None)
    return render(
        request,
        "web/notifications.html",
        {"page": page, "show": show, "newest_id": newest if page.page == 1 else None},
    )


@never_cache
@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell with its unread count, polled by the top bar. Signed out, polling stops
    (never a redirect: htmx would put the sign-in page into the top bar)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    # Rendered without the page context processors: polled by every open tab, it should cost
    # no more than the session, the user and one count.
    count = selectors.notification_unread_count(actor=_actor(request))
    return HttpResponse(render_to_string("web/partials/bell.html", {"unread_notifications": count}))


@never_cache
@require_GET
@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way (links in e-mails come here).

    A GET that marks read: the only effect is on one's own read receipt, the same as
    GitHub's notification links; another user's id is not found.
    """
    notification = services.notification_mark_read(
        actor=_actor(request), notification_id=notification_id
    )
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:notification-list")
    return redirect(target)


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = services.notification_mark_read(
        actor=_actor(request), notification_id=notification_id
    )
    if getattr(request, "htmx", False):
        # The item, re-drawn as read, and the bell with its new count (out of band).
        return render(
            request, "web/partials/notification_read.html", {"n": notification, "oob": True}
        )
    return redirect(_back(request))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark read everything up to the newest notification the page showed."""
    try:
        up_to = int(request.POST.get("up_to_id") or "") or None
    except ValueError:
        up_to = None
    marked = services.notification_mark_all_read(actor=_actor(request), up_to_id=up_to)
    if marked:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:notification-list")
