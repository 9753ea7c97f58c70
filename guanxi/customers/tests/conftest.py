"""Factories for the customers tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def org(make_user, make_team):
    east, west = make_team("华东"), make_team("华西")
    return {
        "east": east,
        "west": west,
        "rep": make_user("sales", team=east),
        "mate": make_user("sales", team=east),
        "stranger": make_user("sales", team=west),
        "admin": make_user("admin", team=None),
        "analyst": make_user("analyst", team=None),
        "reader": make_user("read_only", team=east),
        "marketer": make_user("marketing", team=east),
    }


@pytest.fixture
def make_account(org):
    from guanxi.customers.services import account_create

    def make(name: str = "上海华信贸易有限公司", actor: Any = None, **data: Any) -> Any:
        return account_create(actor=actor or org["rep"], name=name, **data)

    return make


@pytest.fixture
def make_task(org):
    from guanxi.customers.services import activity_create

    def make(account: Any, *, due_in_days: float = 0, actor: Any = None, **data: Any) -> Any:
        return activity_create(
            actor=actor or org["rep"],
            account=account,
            kind="task",
            subject=data.pop("subject", "回访"),
            due_at=timezone.now() + dt.timedelta(days=due_in_days),
            **data,
        )

    return make
