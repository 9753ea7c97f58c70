from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log, diff, snapshot
from guanxi.core.errors import Conflict
from guanxi.core.models import Team, User
from guanxi.core.permissions import require_perm
from guanxi.core.records import clean_or_invalid, versioned_update


@transaction.atomic
def team_create(
    *, actor: User | None, name: str, description: str = "", lead: User | None = None
) -> Team:
    """Create a team with a unique name."""
    if actor is not None:
        require_perm(actor, "core.team", "create")
    if Team.objects.filter(name__iexact=name.strip()).exists():
        raise Conflict(fields={"name": [_("A team with this name exists.")]})
    team = Team(name=name.strip(), description=description, lead=lead)
    clean_or_invalid(team)
    team.save()
    audit_log(actor=actor, action="create", obj=team, changes=diff({}, snapshot(team)))
    return team


@transaction.atomic
def team_update(
    *, actor: User, team: Team, changes: dict[str, object], expected_version: int | None
) -> Team:
    """Rename a team or change its lead."""
    require_perm(actor, "core.team", "change")
    name = changes.get("name")
    if (
        isinstance(name, str)
        and Team.objects.filter(name__iexact=name.strip()).exclude(pk=team.pk).exists()
    ):
        raise Conflict(fields={"name": [_("A team with this name exists.")]})
    allowed = {k: v for k, v in changes.items() if k in {"name", "description", "lead"}}
    return versioned_update(
        actor=actor, obj=team, changes=allowed, expected_version=expected_version
    )


@transaction.atomic
def team_delete(*, actor: User, team: Team, expected_version: int | None) -> None:
    """Delete an empty team; a team with members is refused."""
    require_perm(actor, "core.team", "delete")
    if expected_version is not None and expected_version != team.version:
        from guanxi.core.errors import PreconditionFailed

        raise PreconditionFailed()
    if team.members.exists():
        raise Conflict(_("Move the team's members to another team first."))
    audit_log(actor=actor, action="delete", obj=team, changes=diff(snapshot(team), {}))
    team.delete()
