from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorBody


class PageOut(Schema, Generic[T]):
    items: list[T]
    count: int
    page: int
    page_size: int
    pages: int


class ListParams(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)
    sort: str | None = None


class RoleOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    permissions: dict[str, list[str]]
    is_system: bool
    version: int


class RolePermissionsIn(Schema):
    permissions: dict[str, list[str]]


class TeamOut(Schema):
    id: int
    name: str
    description: str
    lead_id: int | None
    version: int


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    lead_id: int | None = None


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    lead_id: int | None = None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    phone: str
    role: str
    team_id: int | None
    manager_id: int | None
    is_active: bool
    language: str
    version: int

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.role_code)


class UserIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1)
    role: str
    display_name: str = ""
    email: str = ""
    phone: str = ""
    team_id: int | None = None
    manager_id: int | None = None


class UserPatch(Schema):
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    role: str | None = None
    team_id: int | None = None
    manager_id: int | None = None
    is_active: bool | None = None
    language: str | None = None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


class RecycledOut(Schema):
    type: str
    id: int
    label: str
    deleted_at: dt.datetime
    deleted_by: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: str
    team_id: int | None
    language: str
    email_notifications: bool
    permissions: dict[str, list[str]]
    version: int


class MePatch(Schema):
    email_notifications: bool | None = None


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    object_type: str
    object_id: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(PageOut[NotificationOut]):
    unread_count: int


class UnreadCountOut(Schema):
    unread_count: int


class ReadAllOut(Schema):
    marked: int
    unread_count: int
