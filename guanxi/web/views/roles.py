"""Settings → roles: list, and each role's permission matrix (resources × actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.core import selectors, services
from guanxi.core.errors import DomainError
from guanxi.core.models import Role, User
from guanxi.core.permissions import ACTIONS, WRITE_ACTIONS, has_perm, resources, role_grants
from guanxi.web.templatetags.guanxi_web import error_message


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    roles = selectors.role_list(actor=actor)
    return render(
        request,
        "web/settings/role_list.html",
        {"roles": roles, "can_change": has_perm(actor, "core.role", "change")},
    )


def _matrix(role: Role, read_only: bool) -> list[dict[str, Any]]:
    """One row per resource: each action with whether it is granted and whether it can change."""
    rows = []
    for resource in resources():
        granted = role_grants(role.code, role.permissions or {}, resource.key)
        cells = [
            {
                "action": action,
                "name": f"perm:{resource.key}:{action}",
                "checked": action in granted,
                "disabled": read_only or (role.code == Role.READ_ONLY and action in WRITE_ACTIONS),
            }
            for action in ACTIONS
        ]
        rows.append({"resource": resource, "cells": cells})
    return rows


@login_required
def role_edit(request: HttpRequest, role_id: int) -> HttpResponse:
    """The administrator role always has every permission, so its matrix is read-only."""
    actor: User = request.user  # type: ignore[assignment]
    role = selectors.role_get(actor=actor, role_id=role_id)
    read_only = role.code == Role.ADMIN or not has_perm(actor, "core.role", "change")
    status = 200
    error = ""
    if request.method == "POST" and not read_only:
        permissions = {
            r.key: [a for a in ACTIONS if request.POST.get(f"perm:{r.key}:{a}")]
            for r in resources()
        }
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.role_update_permissions(
                actor=actor, role=role, permissions=permissions, expected_version=version
            )
        except DomainError as exc:
            status = exc.status
            error = error_message(exc)
            role.permissions = {**(role.permissions or {}), **permissions}
        else:
            messages.success(request, _("The permissions were saved."))
            return redirect("web:role-edit", role_id=role.pk)
    context = {
        "role": role,
        "rows": _matrix(role, read_only),
        "actions": ACTIONS,
        "read_only": read_only,
        "error": error,
    }
    return render(request, "web/settings/role_edit.html", context, status=status)
