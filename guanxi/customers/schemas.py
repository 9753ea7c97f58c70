from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from guanxi.core.privacy import protect


class AccountIn(Schema):
    kind: str = "organization"
    name: str = Field(min_length=1, max_length=200)
    email: str = ""
    mobile: str = ""
    notes: str = ""
    owner_id: int | None = None


class AccountPatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = None
    mobile: str | None = None
    notes: str | None = None


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    mobile: str
    notes: str
    owner_id: int
    team_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_name(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "name", obj.name)

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "email", obj.email)

    @staticmethod
    def resolve_mobile(obj: Any, context: Any) -> Any:
        return protect(context["request"].auth, "mobile", obj.mobile)
