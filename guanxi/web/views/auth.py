"""Signing in and out, changing one's password and choosing the interface language."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from guanxi.core import services
from guanxi.core.errors import DomainError, TooManyRequests
from guanxi.web.forms import LanguageForm, LoginForm, PasswordChangeForm, apply_domain_error
from guanxi.web.rendering import client_address


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in, refusing while too many recent failures stand against the name or address."""
    next_url = _safe_next(
        request, request.POST.get("next") or request.GET.get("next"), reverse("web:home")
    )
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        try:
            services.login_throttle_check(username=username, address=address)
        except TooManyRequests:
            form.add_error(
                None,
                _(
                    "Too many failed sign-in attempts. Wait a few minutes and try again, "
                    "or ask an administrator for help."
                ),
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                services.login_failure_record(username=username, address=address)
                form.add_error(None, _("The username or password is wrong."))
            else:
                login(request, user)
                services.login_succeeded(user=user, address=address)
                language = getattr(user, "language", "") or settings.LANGUAGE_CODE
                response = HttpResponseRedirect(next_url)
                _set_language_cookie(response, language)
                return response
    return render(request, "web/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("web:login")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the session stays signed in afterwards."""
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.user_change_password(
                    actor=request.user,  # type: ignore[arg-type]
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc, field_map={"password": "new_password1"})
                status = exc.status
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("web:home")
        else:
            status = 400
    return render(request, "web/password_change.html", {"form": form}, status=status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the account for signed-in users."""
    form = LanguageForm(request.POST)
    default = reverse("web:home") if request.user.is_authenticated else reverse("web:login")
    if not form.is_valid():
        return redirect(default)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, language=language)
    activate(language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next"), default))
    _set_language_cookie(response, language)
    return response
