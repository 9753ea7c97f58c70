"""Helpers shared by the customers API modules."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from guanxi.customers.selectors.search import CappedPage


def capped_out(page: CappedPage) -> dict[str, Any]:
    return {
        "items": page.items,
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def file_response(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
