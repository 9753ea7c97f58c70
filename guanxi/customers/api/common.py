"""Helpers shared by the customers API modules."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from guanxi.customers.selectors.search import CappedPage


def trusted_json(data: Any) -> HttpResponse:
    """The JSON body django-ninja would render for `data`, skipping the response validation.

    Only for data already built to the operation's response schema from typed database rows
    (tests compare it with the schema's own output); the schema still documents the shape."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


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
