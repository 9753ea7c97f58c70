"""Fast bulk inserts for imports: one executemany of plain tuples, no per-object SQL compiling.

Django's bulk_create prepares every value of every row through the field machinery, which
costs more than parsing and validating the row. Imports already hold clean values, so they
are adapted once per column type and sent in one executemany (pipelined by psycopg).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import connection, models


def _adapters(fields: Sequence[models.Field[Any, Any]]) -> list[Callable[[Any], Any] | None]:
    ops = connection.ops
    out: list[Callable[[Any], Any] | None] = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "JSONField":
            out.append(json.dumps)
        elif kind == "DateTimeField":
            out.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            out.append(ops.adapt_datefield_value)
        else:
            out.append(None)
    return out


def new_row(model: type[models.Model], **values: Any) -> Any:
    """A light stand-in for an unsaved instance: every column's default, then `values`."""
    row = SimpleNamespace(
        **{f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}
    )
    for name, value in values.items():
        setattr(row, name, value)
    return row


def insert_rows(model: type[models.Model], objs: Sequence[Any]) -> int:
    """INSERT unsaved instances (ids are not read back); returns how many rows were written."""
    if not objs:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapters = _adapters(fields)
    names = [f.attname for f in fields]
    rows = [
        tuple(
            v if a is None or v is None else a(v)
            for v, a in zip((getattr(o, n) for n in names), adapters, strict=True)
        )
        for o in objs
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names come from the model
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
