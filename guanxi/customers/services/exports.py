"""Exports: any list to CSV/XLSX (safe against formula injection), vCard, iCalendar.

Exports need the "export" permission, contain only what the actor may see, and are audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.privacy import protect
from guanxi.customers.models import Account, Activity, Contact
from guanxi.customers.services.common import audit_summary

MAX_EXPORT_ROWS = 1_000_000
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a quote."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(_DANGEROUS):
        return "'" + text
    return text


ACCOUNT_COLUMNS: list[tuple[str, str]] = [
    ("id", "ID"), ("name", "name"), ("name_en", "name_en"), ("kind", "kind"),
    ("email", "email"), ("mobile", "mobile"), ("phone", "phone"), ("wechat", "wechat"),
    ("province", "province"), ("city", "city"), ("district", "district"), ("street", "street"),
    ("industry", "industry"), ("region", "region"), ("source", "source"),
    ("lifecycle_stage", "lifecycle_stage"), ("owner", "owner"), ("created_at", "created_at"),
]  # fmt: skip
CONTACT_COLUMNS: list[tuple[str, str]] = [
    ("id", "ID"), ("account", "account"), ("name", "name"), ("title", "title"),
    ("email", "email"), ("mobile", "mobile"), ("phone", "phone"), ("wechat", "wechat"),
]  # fmt: skip
PERSONAL = {"name", "email", "mobile", "phone", "wechat", "street", "name_en"}


def _rows(
    actor: User, qs: QuerySet[Any], columns: Sequence[tuple[str, str]]
) -> Iterable[list[Any]]:
    for obj in qs[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        row = []
        for attr, _label in columns:
            value = getattr(obj, attr)
            if attr == "owner":
                value = str(value)
            elif attr == "account":
                value = protect(actor, "name", value.name)
            elif attr in PERSONAL:
                value = protect(actor, attr, value)
            row.append(safe_cell(value))
        yield row


def _write(fmt: str, headers: list[str], rows: Iterable[list[Any]]) -> tuple[bytes, str, int]:
    count = 0
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(row)
            count += 1
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", count
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
            count += 1
        out = io.BytesIO()
        book.save(out)
        return (
            out.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            count,
        )
    raise Invalid(fields={"format": [_("Choose csv or xlsx.")]})


def accounts_export(*, actor: User, qs: QuerySet[Account], fmt: str) -> tuple[bytes, str, str]:
    """The accounts of a (visibility-scoped) list as CSV or XLSX; audited."""
    require_perm(actor, Account.resource, "export")
    body, ctype, count = _write(
        fmt,
        [label for _a, label in ACCOUNT_COLUMNS],
        _rows(actor, qs.select_related("owner"), ACCOUNT_COLUMNS),
    )
    audit_summary(
        actor=actor, action="export", model=Account, changes={"rows": count, "format": fmt}
    )
    return body, ctype, f"accounts.{fmt}"


def contacts_export(*, actor: User, qs: QuerySet[Contact], fmt: str) -> tuple[bytes, str, str]:
    require_perm(actor, Contact.resource, "export")
    body, ctype, count = _write(
        fmt,
        [label for _a, label in CONTACT_COLUMNS],
        _rows(actor, qs.select_related("account"), CONTACT_COLUMNS),
    )
    audit_summary(
        actor=actor, action="export", model=Contact, changes={"rows": count, "format": fmt}
    )
    return body, ctype, f"contacts.{fmt}"


def _vescape(value: str) -> str:
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def contacts_vcard(*, actor: User, contacts: Iterable[Contact]) -> bytes:
    """vCard 3.0 cards of contacts (personal data only for those who may see it)."""
    require_perm(actor, Contact.resource, "export")
    lines: list[str] = []
    count = 0
    for c in contacts:
        count += 1
        name = str(protect(actor, "name", c.name))
        lines += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vescape(name)}", f"N:{_vescape(name)};;;;"]
        lines.append(f"ORG:{_vescape(str(protect(actor, 'name', c.account.name)))}")
        if c.title:
            lines.append(f"TITLE:{_vescape(c.title)}")
        if c.email:
            lines.append(f"EMAIL;TYPE=INTERNET:{_vescape(str(protect(actor, 'email', c.email)))}")
        if c.mobile:
            lines.append(f"TEL;TYPE=CELL:{_vescape(str(protect(actor, 'mobile', c.mobile)))}")
        if c.phone:
            lines.append(f"TEL;TYPE=WORK:{_vescape(str(protect(actor, 'phone', c.phone)))}")
        lines.append("END:VCARD")
    audit_summary(
        actor=actor, action="export", model=Contact, changes={"rows": count, "format": "vcf"}
    )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _ics_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def activities_ics(*, actor: User, activities: Iterable[Activity], host: str = "guanxi") -> bytes:
    """An iCalendar file of activities and tasks (tasks as VTODO with their due date)."""
    require_perm(actor, Activity.resource, "export")
    stamp = _ics_time(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Guanxi//CRM//ZH", "CALSCALE:GREGORIAN"]
    count = 0
    for a in activities:
        count += 1
        uid = f"activity-{a.pk}@{host}"
        if a.kind == Activity.Kind.TASK:
            lines += [
                "BEGIN:VTODO",
                f"UID:{uid}",
                f"DTSTAMP:{stamp}",
                f"SUMMARY:{_vescape(a.subject)}",
            ]
            if a.due_at:
                lines.append(f"DUE:{_ics_time(a.due_at)}")
            lines.append("STATUS:COMPLETED" if a.done_at else "STATUS:NEEDS-ACTION")
            if a.body:
                lines.append(f"DESCRIPTION:{_vescape(a.body)}")
            lines.append("END:VTODO")
        else:
            start = a.occurred_at
            lines += [
                "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                f"DTSTART:{_ics_time(start)}", f"DTEND:{_ics_time(start + dt.timedelta(minutes=30))}",
                f"SUMMARY:{_vescape(a.subject)}",
            ]  # fmt: skip
            if a.body:
                lines.append(f"DESCRIPTION:{_vescape(a.body)}")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    audit_summary(
        actor=actor, action="export", model=Activity, changes={"rows": count, "format": "ics"}
    )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
