"""Record visibility: the one place that decides which records an actor may see.

Every owned record has an owner and a team. Admins and analysts see everything
(analysts only pseudonymised, see `privacy`); managers see their own, their teams'
and their reports' records down the hierarchy; everyone else sees their own and
their team's. Each model may register its own scope; the default is the owner/team
rule. Pages, API calls, exports, searches and background jobs all call `visible`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from guanxi.core.models import User

M = TypeVar("M", bound=Model)
ScopeFn = Callable[["User", QuerySet[Any]], QuerySet[Any]]

_SCOPES: dict[type[Model], ScopeFn] = {}

UNRESTRICTED_ROLES = frozenset({"admin", "analyst"})


@dataclass(frozen=True)
class Reach:
    """Whose records an actor may see: everything, or these owners and teams."""

    everything: bool
    user_ids: frozenset[int]
    team_ids: frozenset[int]

    def q(self, owner_field: str = "owner", team_field: str = "team") -> Q:
        if self.everything:
            return Q()
        return Q(**{f"{owner_field}_id__in": self.user_ids}) | Q(
            **{f"{team_field}_id__in": self.team_ids}
        )


def reach(actor: User) -> Reach:
    """Compute (once per actor object) the owners and teams whose records the actor sees."""
    cached: Reach | None = getattr(actor, "_guanxi_reach", None)
    if cached is not None:
        return cached
    from guanxi.core.models import Team, User

    if not actor.is_active:
        result = Reach(False, frozenset(), frozenset())
    elif actor.is_superuser or actor.role_code in UNRESTRICTED_ROLES:
        result = Reach(True, frozenset(), frozenset())
    else:
        user_ids = {actor.pk}
        team_ids: set[int] = {actor.team_id} if actor.team_id else set()
        if actor.role_code == "manager":
            # Walk the reporting hierarchy breadth-first: one query per level.
            frontier = {actor.pk}
            while frontier:
                level = (
                    set(User.objects.filter(manager_id__in=frontier).values_list("pk", flat=True))
                    - user_ids
                )
                user_ids |= level
                frontier = level
            team_ids |= set(Team.objects.filter(lead_id=actor.pk).values_list("pk", flat=True))
        result = Reach(False, frozenset(user_ids), frozenset(team_ids))
    actor._guanxi_reach = result  # type: ignore[attr-defined]
    return result


def register_scope(model: type[Model], fn: ScopeFn) -> None:
    """Give a model its own visibility rule (e.g. a child record visible through its parent)."""
    _SCOPES[model] = fn


def owned_scope(actor: User, qs: QuerySet[M]) -> QuerySet[M]:
    return qs.filter(reach(actor).q())


def visible(actor: User, qs_or_model: QuerySet[M] | type[M]) -> QuerySet[M]:
    """The records of a model (or queryset) the actor may see."""
    qs: QuerySet[M] = (
        qs_or_model._default_manager.all() if isinstance(qs_or_model, type) else qs_or_model
    )
    fn = _SCOPES.get(qs.model, owned_scope)
    return fn(actor, qs)


def can_see(actor: User, obj: Model) -> bool:
    return visible(actor, type(obj)._base_manager.filter(pk=obj.pk)).exists()
