"""Shared fixtures: users in roles and teams, and API clients that act as them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

_seq = itertools.count(1)


@pytest.fixture
def roles(db: Any) -> dict[str, Any]:
    from guanxi.core.services import role_ensure_system_roles

    return role_ensure_system_roles()


@pytest.fixture
def make_team(db: Any) -> Callable[..., Any]:
    from guanxi.core.services import team_create

    def make(name: str | None = None) -> Any:
        return team_create(actor=None, name=name or f"Team {next(_seq)}")

    return make


@pytest.fixture
def make_user(roles: dict[str, Any], make_team: Callable[..., Any]) -> Callable[..., Any]:
    from guanxi.core.services import user_create

    def make(
        role: str = "sales", *, team: Any = "new", manager: Any = None, username: str | None = None
    ) -> Any:
        if team == "new":
            team = make_team()
        return user_create(
            actor=None,
            username=username or f"{role}{next(_seq)}",
            password="pw-" + "x" * 12,
            role=roles[role],
            team=team,
            manager=manager,
            check_password=False,
        )

    return make


class ApiClient:
    """A test client that calls /api/v1 as one user through a personal token."""

    def __init__(self, user: Any) -> None:
        from guanxi.core.services import token_create

        _token, raw = token_create(actor=user, name="tests")
        self.user = user
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def _call(self, method: str, path: str, data: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"headers": headers}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        fn = getattr(self.client, method)
        return fn(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        return self._call("post", path, data if data is not None else {}, **headers)

    def patch(self, path: str, data: Any, **headers: str) -> Any:
        return self._call("patch", path, data, **headers)

    def put(self, path: str, data: Any, **headers: str) -> Any:
        return self._call("put", path, data, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)


@pytest.fixture
def api_as() -> Callable[[Any], ApiClient]:
    return ApiClient
