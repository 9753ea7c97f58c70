"""Fast search on the normalised keys: indexed prefix matches, capped counts.

On PostgreSQL `startswith` compiles to `LIKE 'x%'`, which uses the `varchar_pattern_ops`
index Django creates for indexed CharFields. On SQLite a LIKE with ESCAPE cannot use an
index, so a prefix is a range on the (binary-collated) column: `col >= 'x' AND col < 'x\U0010ffff'`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from guanxi.customers.normalize import phone_digits, search_term

COUNT_CAP = 1000


def prefix_q(field: str, term: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": term})
    return Q(**{f"{field}__gte": term, f"{field}__lt": term + "\U0010ffff"})


def search_branches(raw: str) -> list[Q] | None:
    """The prefix matches a search is made of (each on one indexed key), or None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if "@" in raw:
        return [prefix_q("email_key", raw.lower())]
    digits = phone_digits(raw)
    if len(digits) >= 3 and len(digits) >= len(raw.replace(" ", "").replace("-", "")) - 1:
        rev = digits[::-1]
        return [prefix_q("phone_rev", rev), prefix_q("phone2_rev", rev)]
    term = search_term(raw)
    if not term:
        return [Q(pk__in=[])]
    branches = [prefix_q("search_name", term)]
    if term.isascii():
        branches += [
            prefix_q("search_pinyin", term),
            prefix_q("search_initials", term),
            prefix_q("email_key", term),
        ]
    return branches


def _any(branches: list[Q]) -> Q:
    q = branches[0]
    for branch in branches[1:]:
        q |= branch
    return q


def search_q(raw: str) -> Q | None:
    """Name (Chinese, pinyin, initials, English), e-mail, or phone (suffix) matches."""
    branches = search_branches(raw)
    return None if branches is None else _any(branches)


def apply_search(qs: QuerySet[Any], raw: str) -> QuerySet[Any]:
    """`qs` filtered by the search; apply it last, after every other filter.

    The query remembers its parts, so that `paginate_capped` can run it on PostgreSQL as a
    UNION of one index-only scan per key instead of one scan that visits every match's row.
    """
    branches = search_branches(raw)
    if branches is None:
        return qs
    searched = qs.filter(_any(branches))
    searched.query.search_parts = (qs, branches)  # type: ignore[attr-defined]
    return searched


@dataclass
class CappedPage:
    items: list[Any]
    count: int
    count_is_estimate: bool
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (
            self.count_is_estimate and len(self.items) == self.page_size
        )

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _unindexed_order(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Sort search matches without letting PostgreSQL walk the whole updated_at index.

    For a LIMIT query the planner likes to scan the sort column's index backwards and filter,
    which reads hundreds of thousands of rows when the prefix is rarer than it guesses. Adding
    a zero interval hides the index, so the (few) prefix matches are found first and sorted.
    """
    import datetime as dt

    from django.db.models import F

    terms: list[Any] = []
    for item in qs.query.order_by:
        name = str(item)
        column = name.lstrip("-")
        if column in ("updated_at", "created_at"):
            expr = F(column) + dt.timedelta(0)
            terms.append(expr.desc() if name.startswith("-") else expr.asc())
        else:
            terms.append(item)
    return qs.order_by(*terms)


def _search_union(qs: QuerySet[Any]) -> QuerySet[Any] | None:
    """The searched query as a sorted UNION of one select per search key (id first), or None
    when it cannot be split (no recorded parts, or a sort on a computed value).

    Each select is an index-only scan of that key's covering index (sort and visibility
    columns included), so thousands of matches are sorted without reading their rows."""
    parts = getattr(qs.query, "search_parts", None)
    if parts is None or not all(isinstance(o, str) for o in qs.query.order_by):
        return None
    base, branches = parts
    order = [str(o) for o in (qs.query.order_by or qs.model._meta.ordering or ["-pk"])]
    concrete = {f.name for f in qs.model._meta.concrete_fields} | {"pk"}
    if not {o.lstrip("-") for o in order} <= concrete:
        return None
    order = [o.replace("pk", "id") if o.lstrip("-") == "pk" else o for o in order]
    if order[-1].lstrip("-") != "id":
        order.append("-id")  # a stable page order
    columns = list(dict.fromkeys(["id", *(o.lstrip("-") for o in order)]))
    selects: list[QuerySet[Any]] = [
        base.filter(b).order_by().values_list(*columns) for b in branches
    ]
    union = selects[0].union(*selects[1:]) if len(selects) > 1 else selects[0]
    ordered: QuerySet[Any] = union.order_by(*order)
    return ordered


def paginate_capped(
    qs: QuerySet[Any],
    *,
    page: int,
    page_size: int,
    cap: int | None = None,
    searching: bool = False,
    values: Sequence[str] | None = None,
) -> CappedPage:
    """One page and a count that stops at `cap` (never COUNT(*) over a million rows).

    With `values` (which must include "id") the items are dicts of just those columns, not
    model instances: no related objects are built for a list that only shows a few fields."""
    from django.conf import settings

    from guanxi.core.errors import Invalid

    if page_size < 1 or page_size > settings.API_MAX_PAGE_SIZE:
        raise Invalid(fields={"page_size": [f"1..{settings.API_MAX_PAGE_SIZE}"]})
    if page < 1:
        raise Invalid(fields={"page": ["1.."]})
    start = (page - 1) * page_size
    limit = max(cap or COUNT_CAP, start + page_size + 1)
    postgres = connection.vendor == "postgresql"
    union = _search_union(qs) if searching and postgres else None
    if searching and postgres and union is None:
        qs = _unindexed_order(qs)
    if postgres:
        # Pick the page's ids first (index-only scans on the covering search indexes),
        # then read only those rows.
        ids_qs = union if union is not None else qs.values_list("pk", flat=True)
        ids = [i if union is None else i[0] for i in ids_qs[start : start + page_size]]
        by_id: dict[Any, Any] = {}
        if ids and values is not None:
            rows = qs.model._base_manager.filter(pk__in=ids).values(*values)
            by_id = {row["id"]: row for row in rows}
        elif ids:
            rows = qs.model._base_manager.filter(pk__in=ids).select_related(*_related(qs))
            by_id = {obj.pk: obj for obj in rows}
        items = [by_id[i] for i in ids if i in by_id]
    elif values is not None:
        items = list(qs.values(*values)[start : start + page_size])
    else:
        items = list(qs[start : start + page_size])
    if page == 1 and len(items) < page_size:
        count, estimate = len(items), False
    else:
        counted = union if union is not None else qs
        count = counted.order_by()[:limit].count()
        estimate = count >= limit
    return CappedPage(items, count, estimate, page, page_size)


def _related(qs: QuerySet[Any]) -> list[str]:
    related = qs.query.select_related
    if isinstance(related, dict):
        return _flatten(related)
    return []


def _flatten(tree: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, sub in tree.items():
        path = f"{prefix}{key}"
        out.append(path)
        if isinstance(sub, dict) and sub:
            out.extend(_flatten(sub, f"{path}__"))
    return out
