"""One's own profile: who one is in Guanxi and one's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from guanxi.core import services
from guanxi.core.models import User
from guanxi.web.forms import PreferencesForm


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Show one's profile; change whether notifications also come by e-mail."""
    actor: User = request.user  # type: ignore[assignment]
    # An unticked box sends nothing: a POST with no fields is still a submitted form.
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"email_notifications": actor.email_notifications},
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            actor=actor, email_notifications=form.cleaned_data["email_notifications"]
        )
        messages.success(request, _("Your preferences have been saved."))
        return redirect("web:profile")
    status = 400 if form.errors else 200
    return render(request, "web/profile.html", {"form": form, "profile": actor}, status=status)
