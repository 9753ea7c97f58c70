"""Fast bulk inserts for imports: the database's own bulk path, no per-object SQL compiling.

Django's bulk_create prepares every value of every row through the field machinery, which
costs more than parsing and validating the row. Imports already hold clean values, so they
are adapted once per column type and sent with `COPY` on PostgreSQL and one executemany of
plain tuples on SQLite.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from types import SimpleNamespace
from typing import Any

from django.db import connection, models


def _adapters(fields: Sequence[models.Field[Any, Any]]) -> list[Callable[[Any], Any] | None]:
    ops = connection.ops
    copy = connection.vendor == "postgresql"
    out: list[Callable[[Any], Any] | None] = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "JSONField":
            out.append(json.dumps)
        elif copy:
            out.append(None)  # psycopg adapts dates, times and decimals itself
        elif kind == "DateTimeField":
            # Rows of one batch mostly share their timestamps: convert each value once.
            out.append(functools.lru_cache(maxsize=1024)(ops.adapt_datetimefield_value))
        elif kind == "DateField":
            out.append(ops.adapt_datefield_value)
        else:
            out.append(None)
    return out


def _defaults(model: type[models.Model]) -> list[tuple[str, Any, Any]]:
    """(attname, constant default, default factory or None) per column, once per model."""
    cached: list[tuple[str, Any, Any]] | None = model.__dict__.get("_bulk_defaults")
    if cached is None:
        cached = []
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            if f.has_default() and callable(f.default):
                cached.append((f.attname, None, f.default))
            else:
                cached.append((f.attname, f.get_default(), None))
        model._bulk_defaults = cached  # type: ignore[attr-defined]
    return cached


def new_row(model: type[models.Model], **values: Any) -> Any:
    """A light stand-in for an unsaved instance: every column's default, then `values`."""
    row = SimpleNamespace()
    attrs = row.__dict__
    for name, constant, factory in _defaults(model):
        if name not in values:
            attrs[name] = factory() if factory is not None else constant
    attrs.update(values)
    return row


def insert_rows(model: type[models.Model], objs: Sequence[Any], *, with_ids: bool = False) -> int:
    """INSERT unsaved instances; returns how many rows were written.

    Ids are not read back. With `with_ids` the rows carry their own ids (the caller reserved
    them, see `reserve_ids`)."""
    if not objs:
        return 0
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    adapters = _adapters(fields)
    get = attrgetter(*[f.attname for f in fields])
    adapted = [(i, a) for i, a in enumerate(adapters) if a is not None]
    rows: list[Any] = []
    for o in objs:
        values: Any = get(o)
        if adapted:
            values = list(values)
            for i, adapt in adapted:
                if values[i] is not None:
                    values[i] = adapt(values[i])
        rows.append(values)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names come from the model
            cursor.executemany(sql, rows)
    return len(rows)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids for rows written with `insert_rows(..., with_ids=True)`.

    On PostgreSQL they come from the table's sequence (safe next to other writers); on SQLite,
    whose writers are serialised, they follow the largest id, inside the caller's transaction.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608 - names from the model
        row = cursor.fetchone()
        start = (row[0] if row and row[0] else 0) + 1
        return list(range(start, start + count))
