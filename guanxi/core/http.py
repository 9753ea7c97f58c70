"""HTTP conventions shared by every API router: ETags, If-Match, list parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.http import HttpRequest, HttpResponse

from guanxi.core.errors import PreconditionFailed, PreconditionRequired
from guanxi.core.pagination import Page

if TYPE_CHECKING:
    from guanxi.core.models import User


def actor_of(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by the API's auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def page_out(page: Page[Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "count": page.count,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


class Versioned(Protocol):
    pk: Any
    version: int


def etag(obj: Versioned) -> str:
    return f'"{obj.pk}-{obj.version}"'


def set_etag(response: HttpResponse, obj: Versioned) -> None:
    response["ETag"] = etag(obj)


def if_match_version(request: HttpRequest, obj: Versioned) -> int:
    """The version the client saw, from If-Match; 428 without it, 412 if it is stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return obj.version
    current = etag(obj)
    for tag in tags:
        if tag.removeprefix("W/") == current:
            return obj.version
    raise PreconditionFailed()
