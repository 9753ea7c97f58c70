"""Settings → teams: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import selectors, services
from guanxi.core.errors import DomainError
from guanxi.core.models import User
from guanxi.core.permissions import has_perm, require_perm
from guanxi.web.forms import TeamForm, apply_domain_error
from guanxi.web.templatetags.guanxi_web import error_message


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    teams = selectors.team_list(actor=actor)
    context = {
        "teams": teams,
        "can_create": has_perm(actor, "core.team", "create"),
        "can_change": has_perm(actor, "core.team", "change"),
        "can_delete": has_perm(actor, "core.team", "delete"),
    }
    return render(request, "web/settings/team_list.html", context)


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    require_perm(actor, "core.team", "create")
    form = TeamForm(request.POST or None, leads=selectors.colleague_choices(actor=actor))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                team = services.team_create(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    lead=form.cleaned_data["lead"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Team %(name)s was created.") % {"name": team})
                return redirect("web:team-list")
        else:
            status = 400
    return render(
        request, "web/settings/team_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    require_perm(actor, "core.team", "change")
    team = selectors.team_get(actor=actor, team_id=team_id)
    initial = {
        "name": team.name,
        "description": team.description,
        "lead": team.lead_id,
        "version": team.version,
    }
    form = TeamForm(
        request.POST or None, initial=initial, leads=selectors.colleague_choices(actor=actor)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {
                n: form.cleaned_data[n]
                for n in form.changed_data
                if n in {"name", "description", "lead"}
            }
            try:
                services.team_update(
                    actor=actor,
                    team=team,
                    changes=changes,
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Team %(name)s was saved.") % {"name": team})
                return redirect("web:team-list")
        else:
            status = 400
    context = {"form": form, "team": team, "creating": False}
    return render(request, "web/settings/team_form.html", context, status=status)


@require_POST
@login_required
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    team = selectors.team_get(actor=actor, team_id=team_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.team_delete(actor=actor, team=team, expected_version=version)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Team %(name)s was deleted.") % {"name": team.name})
    return redirect("web:team-list")
