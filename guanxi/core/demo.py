"""Demo data: each app registers a generator; `guanxi demo` runs them lowest layer first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DemoFn = Callable[..., None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    fn: DemoFn


_STEPS: dict[str, DemoStep] = {}


def register_demo(name: str, order: int) -> Callable[[DemoFn], DemoFn]:
    """Register `fn(*, size, seed, out)`; lower `order` runs first."""

    def register(fn: DemoFn) -> DemoFn:
        _STEPS[name] = DemoStep(name, order, fn)
        return fn

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda s: s.order)


# The demo sign-ins; printed by `guanxi demo` and `make run`.
DEMO_PASSWORD = "guanxi-demo-2026"  # noqa: S105 - published demo credentials
DEMO_TEAMS = ["华东销售一部", "华东销售二部", "华南销售部", "客户服务中心", "市场部"]
DEMO_USERS: list[dict[str, Any]] = [
    {"username": "admin", "display_name": "系统管理员", "role": "admin", "team": None},
    {"username": "boss", "display_name": "陈总", "role": "manager", "team": None},
    {
        "username": "manager",
        "display_name": "刘经理",
        "role": "manager",
        "team": "华东销售一部",
        "manager": "boss",
    },
    {
        "username": "sales",
        "display_name": "王小明",
        "role": "sales",
        "team": "华东销售一部",
        "manager": "manager",
    },
    {
        "username": "sales2",
        "display_name": "李娜",
        "role": "sales",
        "team": "华东销售二部",
        "manager": "boss",
    },
    {
        "username": "sales3",
        "display_name": "张伟",
        "role": "sales",
        "team": "华南销售部",
        "manager": "boss",
    },
    {
        "username": "service",
        "display_name": "赵敏",
        "role": "service",
        "team": "客户服务中心",
        "manager": "boss",
    },
    {
        "username": "marketing",
        "display_name": "孙丽",
        "role": "marketing",
        "team": "市场部",
        "manager": "boss",
    },
    {
        "username": "analyst",
        "display_name": "周杰",
        "role": "analyst",
        "team": None,
        "manager": "boss",
    },
    {"username": "viewer", "display_name": "吴芳", "role": "read_only", "team": "华东销售一部"},
]


@register_demo("core.people", order=0)
def demo_people(*, size: int, seed: int, out: Callable[[str], None]) -> None:
    """Teams and one sign-in per role, all with the demo password."""
    from guanxi.core.models import Team, User
    from guanxi.core.services import role_ensure_system_roles, team_create, user_create

    roles = role_ensure_system_roles()
    teams = {t.name: t for t in Team.objects.all()}
    for name in DEMO_TEAMS:
        if name not in teams:
            teams[name] = team_create(actor=None, name=name)
    users = {u.username: u for u in User.objects.all()}
    for spec in DEMO_USERS:
        if spec["username"] in users:
            continue
        users[spec["username"]] = user_create(
            actor=None,
            username=spec["username"],
            password=DEMO_PASSWORD,
            role=roles[spec["role"]],
            team=teams.get(spec["team"]) if spec["team"] else None,
            manager=users.get(spec.get("manager") or ""),
            display_name=spec["display_name"],
            email=f"{spec['username']}@demo.guanxi.local",
            is_superuser=spec["role"] == "admin",
            check_password=False,
        )
    lead = teams["华东销售一部"]
    if lead.lead_id is None:
        Team.objects.filter(pk=lead.pk).update(lead=users["manager"])
    out(f"people: {len(DEMO_TEAMS)} teams, {len(DEMO_USERS)} users")
