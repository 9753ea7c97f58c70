"""The REST API at /api/v1: one NinjaAPI that mounts every app's router."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from guanxi.analytics.api import router as analytics_router
from guanxi.core.api import router as core_router
from guanxi.core.apiauth import api_auth
from guanxi.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from guanxi.core.middleware import error_response
from guanxi.customers.api import router as customers_router
from guanxi.sales.api import router as sales_router

logger = logging.getLogger("guanxi.api")

api = NinjaAPI(
    title="Guanxi API",
    version="1",
    description=(
        "Guanxi (关系) CRM. Authenticate with a personal token "
        "(`Authorization: Bearer gx_…`) or the browser session (with CSRF). "
        "Mutable records carry an ETag; PATCH/PUT/DELETE need If-Match. "
        "POST accepts an Idempotency-Key."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return error_response(Invalid(fields=fields))


@api.exception_handler(DjangoValidationError)
def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error_response(Invalid(fields=fields))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(NotFound())


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(Unauthenticated())


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(PermissionDenied(str(exc) or None))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    error = DomainError(str(exc))
    response = error_response(error)
    response.status_code = exc.status_code
    return response


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # A uniqueness race the service's own check could not see: the client may retry.
    logger.warning("integrity error on %s: %s", request.path, exc)
    return error_response(Conflict())


api.add_router("/", core_router)
api.add_router("/customers", customers_router)
api.add_router("/sales", sales_router)
api.add_router("/analytics", analytics_router)
