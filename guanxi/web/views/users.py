"""Settings → users: list with search and team filter, create, edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.core import selectors, services
from guanxi.core.errors import DomainError, PreconditionFailed
from guanxi.core.models import User
from guanxi.core.pagination import paginate
from guanxi.core.permissions import has_perm, require_perm
from guanxi.web.forms import UserCreateForm, UserEditForm, UserFilterForm, apply_domain_error
from guanxi.web.rendering import page_number, render_page

PAGE_SIZE = 25


def _role_choices(actor: User) -> Any:
    """Roles to pick from, or None when the actor may not see roles (the field is then hidden)."""
    return selectors.role_list(actor=actor) if has_perm(actor, "core.role", "view") else None


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    teams = selectors.team_list(actor=actor) if has_perm(actor, "core.team", "view") else None
    form = UserFilterForm(request.GET or None, teams=teams)
    search, team_id = "", None
    if form.is_valid():
        search = form.cleaned_data.get("q") or ""
        team = form.cleaned_data.get("team")
        team_id = team.pk if team else None
    page = paginate(
        selectors.user_list(actor=actor, search=search, team_id=team_id),
        page=page_number(request),
        page_size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "show_team_filter": teams is not None,
        "can_create": has_perm(actor, "core.user", "create"),
        "can_change": has_perm(actor, "core.user", "change"),
    }
    return render_page(
        request, "web/settings/user_list.html", context, partial="web/settings/_user_table.html"
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    require_perm(actor, "core.user", "create")
    form = UserCreateForm(
        request.POST or None,
        roles=_role_choices(actor),
        teams=selectors.team_list(actor=actor),
        managers=selectors.colleague_choices(actor=actor),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.user_create(
                    actor=actor,
                    username=data["username"],
                    password=data["password"],
                    role=data["role"],
                    team=data["team"],
                    manager=data["manager"],
                    display_name=data["display_name"],
                    email=data["email"],
                    phone=data["phone"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("User %(name)s was created.") % {"name": created})
                return redirect("web:user-list")
        else:
            status = 400
    return render(
        request, "web/settings/user_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Edit a user; the form carries the version it was read at, so no change is lost."""
    actor: User = request.user  # type: ignore[assignment]
    require_perm(actor, "core.user", "change")
    target = selectors.user_get(actor=actor, user_id=user_id)
    initial = {
        "display_name": target.display_name,
        "email": target.email,
        "phone": target.phone,
        "role": target.role_id,
        "team": target.team_id,
        "manager": target.manager_id,
        "language": target.language,
        "is_active": target.is_active,
        "version": target.version,
    }
    form = UserEditForm(
        request.POST or None,
        initial=initial,
        roles=_role_choices(actor),
        teams=selectors.team_list(actor=actor),
        managers=selectors.colleague_choices(actor=actor).exclude(pk=target.pk),
    )
    status = 200
    conflict = False
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_update(
                    actor=actor,
                    user=target,
                    changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                )
            except PreconditionFailed as exc:
                conflict = True
                status = exc.status
                # Keep what the user typed; saving again now overwrites deliberately.
                fresh = selectors.user_get(actor=actor, user_id=user_id)
                data = request.POST.copy()
                data["version"] = str(fresh.version)
                form.data = data
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("User %(name)s was saved.") % {"name": target})
                return redirect("web:user-list")
        else:
            status = 400
    context = {"form": form, "target": target, "creating": False, "conflict": conflict}
    return render(request, "web/settings/user_form.html", context, status=status)
