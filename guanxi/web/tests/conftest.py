from __future__ import annotations

import itertools

import pytest

from guanxi.core.models import Role

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def make_web_user(db):
    from guanxi.core.services import user_create

    def make(role: str = "admin", **kwargs):
        return user_create(
            actor=None,
            username=kwargs.pop("username", f"{role}-web-{next(_seq)}"),
            password=PASSWORD,
            role=Role.objects.get(code=role),
            check_password=False,
            **kwargs,
        )

    return make


@pytest.fixture
def admin(make_web_user):
    return make_web_user("admin", display_name="王管理")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def english(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
