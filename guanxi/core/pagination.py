"""Page-number pagination with a maximum page size, and allow-listed sorting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(
    qs: QuerySet[Any] | Sequence[Any], *, page: int = 1, page_size: int | None = None
) -> Page[Any]:
    """Cut one page out of a queryset; page sizes are capped at API_MAX_PAGE_SIZE."""
    size = page_size or settings.API_DEFAULT_PAGE_SIZE
    if size < 1 or size > settings.API_MAX_PAGE_SIZE:
        raise Invalid(
            fields={
                "page_size": [_("Between 1 and %(max)s.") % {"max": settings.API_MAX_PAGE_SIZE}]
            }
        )
    if page < 1:
        raise Invalid(fields={"page": [_("Pages start at 1.")]})
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    start = (page - 1) * size
    items = list(qs[start : start + size])
    return Page(items=items, count=count, page=page, page_size=size)


def order_by_allowed(
    qs: QuerySet[Any], sort: str | None, allowed: Mapping[str, str], default: str
) -> QuerySet[Any]:
    """Sort by an allow-listed public name (prefix '-' for descending); the pk breaks ties."""
    key = sort or default
    descending = key.startswith("-")
    name = key.lstrip("-")
    if name not in allowed:
        raise Invalid(
            fields={
                "sort": [_("Sort by one of: %(names)s") % {"names": ", ".join(sorted(allowed))}]
            }
        )
    column = allowed[name]
    prefix = "-" if descending else ""
    return qs.order_by(f"{prefix}{column}", f"{prefix}pk")
