"""API shapes (django-ninja) of the customers app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from guanxi.core.privacy import protect, sees_personal_data


def _actor(context: Any) -> Any:
    return context["request"].auth


class PersonalDataOut(Schema):
    """Names and channels as the actor may see them: themselves, or pseudonyms for analysts."""

    @staticmethod
    def resolve_name(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "name", obj.name)

    @staticmethod
    def resolve_name_en(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "name", obj.name_en)

    @staticmethod
    def resolve_email(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "email", obj.email)

    @staticmethod
    def resolve_mobile(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "mobile", obj.mobile)

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "phone", obj.phone)

    @staticmethod
    def resolve_wechat(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "wechat", obj.wechat)


class AccountIn(Schema):
    kind: str = "organization"
    name: str = Field(min_length=1, max_length=200)
    name_en: str = ""
    email: str = ""
    mobile: str = ""
    phone: str = ""
    wechat: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    industry: str = ""
    region: str = ""
    source: str = ""
    birthday: dt.date | None = None
    gender: str = ""
    customer_since: dt.date | None = None
    lifecycle_stage: str = "lead"
    consent_email: bool = False
    consent_sms: bool = False
    consent_marketing: bool = False
    consent_at: dt.datetime | None = None
    consent_how: str = ""
    custom: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""
    tags: list[str] = Field(default_factory=list)
    owner_id: int | None = None


class AccountPatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = None
    email: str | None = None
    mobile: str | None = None
    phone: str | None = None
    wechat: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    industry: str | None = None
    region: str | None = None
    source: str | None = None
    birthday: dt.date | None = None
    gender: str | None = None
    customer_since: dt.date | None = None
    lifecycle_stage: str | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_marketing: bool | None = None
    consent_at: dt.datetime | None = None
    consent_how: str | None = None
    custom: dict[str, Any] | None = None
    notes: str | None = None
    tags: list[str] | None = None
    owner_id: int | None = None


class DuplicateOut(Schema):
    id: int
    name: str
    reason: str
    score: int
    url: str


class AccountOut(PersonalDataOut):
    id: int
    kind: str
    name: str
    name_en: str
    email: str
    mobile: str
    phone: str
    wechat: str
    province: str
    city: str
    district: str
    street: str
    industry: str
    region: str
    source: str
    birthday: dt.date | None
    gender: str
    customer_since: dt.date | None
    lifecycle_stage: str
    consent_email: bool
    consent_sms: bool
    consent_marketing: bool
    consent_at: dt.datetime | None
    consent_how: str
    custom: dict[str, Any]
    notes: str
    owner_id: int
    team_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_street(obj: Any, context: Any) -> Any:
        return protect(_actor(context), "street", obj.street)

    @staticmethod
    def resolve_birthday(obj: Any, context: Any) -> Any:
        return obj.birthday if sees_personal_data(_actor(context)) else None


# The columns AccountOut is made of, in its order, for lists read with `.values()`.
ACCOUNT_OUT_FIELDS: tuple[str, ...] = tuple(AccountOut.model_fields)
# The personal columns AccountOut's resolvers protect, with the kind of data each holds.
_ACCOUNT_PERSONAL = {
    "name": "name",
    "name_en": "name",
    "email": "email",
    "mobile": "mobile",
    "phone": "phone",
    "wechat": "wechat",
    "street": "street",
}


def account_out_rows(actor: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """AccountOut items from rows of `.values(*ACCOUNT_OUT_FIELDS)`, exactly as the schema and
    its resolvers would give them, without validating each row again (the database typed them).

    The privacy check runs once per list instead of once per field of every row."""
    if sees_personal_data(actor):
        return rows
    out = []
    for row in rows:
        row = dict(row)
        for column, kind in _ACCOUNT_PERSONAL.items():
            row[column] = protect(actor, kind, row[column])
        row["birthday"] = None
        out.append(row)
    return out


class AccountCreatedOut(AccountOut):
    tags: list[str] = Field(default_factory=list)
    possible_duplicates: list[DuplicateOut] = Field(default_factory=list)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class AccountPageOut(Schema):
    items: list[AccountOut]
    count: int
    count_is_estimate: bool
    page: int
    page_size: int
    pages: int


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    name_en: str = ""
    title: str = ""
    email: str = ""
    mobile: str = ""
    phone: str = ""
    wechat: str = ""
    gender: str = ""
    birthday: dt.date | None = None
    is_primary: bool = False
    consent_email: bool = False
    consent_sms: bool = False
    consent_marketing: bool = False
    custom: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = None
    title: str | None = None
    email: str | None = None
    mobile: str | None = None
    phone: str | None = None
    wechat: str | None = None
    gender: str | None = None
    birthday: dt.date | None = None
    is_primary: bool | None = None
    consent_email: bool | None = None
    consent_sms: bool | None = None
    consent_marketing: bool | None = None
    custom: dict[str, Any] | None = None
    notes: str | None = None


class ContactOut(PersonalDataOut):
    id: int
    account_id: int
    name: str
    name_en: str
    title: str
    email: str
    mobile: str
    phone: str
    wechat: str
    is_primary: bool
    consent_email: bool
    consent_sms: bool
    consent_marketing: bool
    custom: dict[str, Any]
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class ContactPageOut(Schema):
    items: list[ContactOut]
    count: int
    count_is_estimate: bool
    page: int
    page_size: int
    pages: int


class ActivityIn(Schema):
    kind: str = "note"
    subject: str = Field("", max_length=200)
    body: str = ""
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    reminder_at: dt.datetime | None = None
    assignee_id: int | None = None
    contact_id: int | None = None
    repeat_every_days: int | None = None


class ActivityPatch(Schema):
    kind: str | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = None
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    reminder_at: dt.datetime | None = None
    assignee_id: int | None = None
    contact_id: int | None = None
    repeat_every_days: int | None = None


class ActivityOut(Schema):
    id: int
    account_id: int
    contact_id: int | None
    kind: str
    subject: str
    body: str
    occurred_at: dt.datetime
    due_at: dt.datetime | None
    reminder_at: dt.datetime | None
    reminder_sent_at: dt.datetime | None
    assignee_id: int | None
    done_at: dt.datetime | None
    repeat_every_days: int | None
    version: int


class ActivityCompletedOut(Schema):
    done: ActivityOut
    next: ActivityOut | None


class ActivityPageOut(Schema):
    items: list[ActivityOut]
    count: int
    page: int
    page_size: int
    pages: int


class MyDayOut(Schema):
    overdue: list[ActivityOut]
    today: list[ActivityOut]


class StageIn(Schema):
    stage: str = ""
    reason: str = ""


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    reason: str
    source: str
    actor_id: int | None
    at: dt.datetime


class TimelineEntryOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    source: str
    ref_id: str
    detail: str
    url: str
    icon: str
    amount: Decimal | None
    currency: str


class FigureOut(Schema):
    key: str
    label: str
    value: Any
    display: str
    hint: str
    url: str
    chart: dict[str, Any] | None = None


class Customer360Out(Schema):
    account: AccountOut
    tags: list[str]
    contacts: list[ContactOut]
    stage_history: list[StageChangeOut]
    timeline: list[TimelineEntryOut]
    next_before: dt.datetime | None
    figures: list[FigureOut]


class MergeIn(Schema):
    merged_id: int | None = None


class MergePreviewOut(Schema):
    survivor_id: int
    merged_id: int
    moves: dict[str, int]
    fills: dict[str, Any]


class DuplicatePairOut(Schema):
    a_id: int
    a_name: str
    b_id: int
    b_name: str
    reason: str
    score: int


class SavedViewIn(Schema):
    entity: str = "account"
    name: str = Field(min_length=1, max_length=80)
    filters: dict[str, Any] = Field(default_factory=dict)
    sort: str = ""


class SavedViewOut(Schema):
    id: int
    entity: str
    name: str
    filters: dict[str, Any]
    sort: str


class CustomFieldIn(Schema):
    entity: str
    key: str
    label_zh: str
    label_en: str
    type: str = "text"
    required: bool = False
    choices: list[str] = Field(default_factory=list)


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label_zh: str
    label_en: str
    type: str
    required: bool
    choices: list[Any]


class ImportConfigIn(Schema):
    mapping: dict[str, str] = Field(default_factory=dict)
    policy: str = "skip"
    upsert_key: str = "email"
    save_as: str = ""


class ImportRowErrorOut(Schema):
    row: int
    field: str
    kind: str
    message: str


class ImportOut(Schema):
    id: int
    entity: str
    filename: str
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    policy: str
    upsert_key: str
    status: str
    total_rows: int
    cursor: int
    percent: int
    created_count: int
    updated_count: int
    skipped_count: int
    error_count: int
    message: str


class ImportPreviewRow(Schema):
    row: int
    data: dict[str, Any]
    errors: list[list[str]]


class ImportDetailOut(ImportOut):
    errors: list[ImportRowErrorOut] = Field(default_factory=list)


class AccountQuery(Schema):
    """List filters (documented here; custom fields filter as cf_<key>=value)."""

    search: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    stage: str = ""
    tag: str = ""
    region: str = ""
    kind: str = ""
    rfm_segment: str = ""
    risk_band: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
