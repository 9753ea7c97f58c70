"""Settings → API tokens: one's own personal tokens; the clear text is shown once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanxi.core import selectors, services
from guanxi.core.errors import DomainError
from guanxi.core.models import User
from guanxi.web.forms import TokenCreateForm, apply_domain_error


def _page(request: HttpRequest, form: TokenCreateForm, raw_token: str, status: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    context = {"form": form, "tokens": selectors.token_list(actor=actor), "raw_token": raw_token}
    return render(request, "web/settings/token_list.html", context, status=status)


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenCreateForm(), "", 200)


@never_cache
@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show its clear text on this response only (it is never stored)."""
    actor: User = request.user  # type: ignore[assignment]
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, "", 400)
    try:
        _token, raw_token = services.token_create(
            actor=actor,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _page(request, form, "", exc.status)
    return _page(request, TokenCreateForm(), raw_token, 200)


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    token = services.token_revoke(actor=actor, token_id=token_id)
    messages.success(request, _("Token %(name)s was revoked.") % {"name": token.name})
    return redirect("web:token-list")
