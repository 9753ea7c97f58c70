"""Fast search on the normalised keys: indexed prefix matches, capped counts.

On PostgreSQL `startswith` compiles to `LIKE 'x%'`, which uses the `varchar_pattern_ops`
index Django creates for indexed CharFields. On SQLite a LIKE with ESCAPE cannot use an
index, so a prefix is a range on the (binary-collated) column: `col >= 'x' AND col < 'x\U0010ffff'`.
"""

from __future__ import annotations

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


def search_q(raw: str) -> Q | None:
    """Name (Chinese, pinyin, initials, English), e-mail, or phone (suffix) matches."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if "@" in raw:
        return prefix_q("email_key", raw.lower())
    digits = phone_digits(raw)
    if len(digits) >= 3 and len(digits) >= len(raw.replace(" ", "").replace("-", "")) - 1:
        rev = digits[::-1]
        return prefix_q("phone_rev", rev) | prefix_q("phone2_rev", rev)
    term = search_term(raw)
    if not term:
        return Q(pk__in=[])
    q = prefix_q("search_name", term)
    if term.isascii():
        q |= prefix_q("search_pinyin", term) | prefix_q("search_initials", term)
        q |= prefix_q("email_key", term)
    return q


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


def paginate_capped(
    qs: QuerySet[Any],
    *,
    page: int,
    page_size: int,
    cap: int | None = None,
    searching: bool = False,
) -> CappedPage:
    """One page and a count that stops at `cap` (never COUNT(*) over a million rows)."""
    if searching and connection.vendor == "postgresql":
        qs = _unindexed_order(qs)
    from django.conf import settings

    from guanxi.core.errors import Invalid

    if page_size < 1 or page_size > settings.API_MAX_PAGE_SIZE:
        raise Invalid(fields={"page_size": [f"1..{settings.API_MAX_PAGE_SIZE}"]})
    if page < 1:
        raise Invalid(fields={"page": ["1.."]})
    start = (page - 1) * page_size
    if connection.vendor == "postgresql":
        # Pick the page's ids first (an index-only scan on the covering search indexes),
        # then read only those rows.
        ids = list(qs.values_list("pk", flat=True)[start : start + page_size])
        by_id = (
            {
                obj.pk: obj
                for obj in qs.model._base_manager.filter(pk__in=ids).select_related(*_related(qs))
            }
            if ids
            else {}
        )
        items = [by_id[i] for i in ids if i in by_id]
    else:
        items = list(qs[start : start + page_size])
    if page == 1 and len(items) < page_size:
        count, estimate = len(items), False
    else:
        limit = max(cap or COUNT_CAP, start + page_size + 1)
        count = qs.order_by()[:limit].count()
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
