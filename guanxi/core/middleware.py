"""Request plumbing: token auth, idempotency keys, security headers, domain errors on pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError, Invalid, Unauthenticated
from guanxi.core.models import IdempotencyRecord

GetResponse = Callable[[HttpRequest], HttpResponse]
API_PREFIX = "/api/"
REPLAYED_HEADERS = ("ETag", "Location")


def error_response(error: DomainError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status)


class TokenAuthenticationMiddleware:
    """`Authorization: Bearer gx_…` signs the request in as the token's user (API only)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith(API_PREFIX) and header:
            from guanxi.core.services import token_authenticate

            scheme, _sep, raw = header.partition(" ")
            user = (
                token_authenticate(raw.strip()) if scheme.lower() in {"bearer", "token"} else None
            )
            if user is None:
                return error_response(Unauthenticated(_("The API token is not valid.")))
            request.user = user
            request.auth_method = "token"  # type: ignore[attr-defined]
            # A bearer token is not sent by browsers on their own: CSRF does not apply.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


class IdempotencyMiddleware:
    """A POST with an Idempotency-Key runs once; a retry with the same body replays the answer."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        user = getattr(request, "user", None)
        if (
            request.method != "POST"
            or not key
            or not request.path.startswith(API_PREFIX)
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        if len(key) > 255:
            return error_response(
                Invalid(fields={"Idempotency-Key": [_("At most 255 characters.")]})
            )
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is not None:
            return self._replay(existing, fingerprint)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # pragma: no cover - the other request failed and cleaned up
                return self.get_response(request)
            return self._replay(existing, fingerprint)
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            record.delete()  # let the client retry a failure that was not its fault
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "application/json")
        record.headers = {h: response[h] for h in REPLAYED_HEADERS if h in response}
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "headers", "body"])
        return response

    @staticmethod
    def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
        if record.fingerprint != fingerprint:
            return error_response(
                Invalid(
                    _("This Idempotency-Key was used for a different request."),
                    fields={"Idempotency-Key": [_("Already used with another body.")]},
                )
            )
        if record.status_code is None:
            from guanxi.core.errors import Conflict

            return error_response(
                Conflict(_("A request with this Idempotency-Key is in progress."))
            )
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type
        )
        for name, value in (record.headers or {}).items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response


class SecurityHeadersMiddleware:
    """Content Security Policy and related headers on every response."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.csp: str = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            # The interactive API docs page loads its own bundled scripts with inline set-up.
            response.setdefault(
                "Content-Security-Policy",
                self.csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
            )
        else:
            response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DomainErrorMiddleware:
    """Pages show expected errors (404/403/409/412/422/429) with their status, never a 500."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith(API_PREFIX):
            return error_response(exception)
        template = (
            "web/partials/error.html" if getattr(request, "htmx", False) else "web/error.html"
        )
        context: dict[str, Any] = {"error": exception, "status": exception.status}
        response = TemplateResponse(request, template, context, status=exception.status)
        if getattr(request, "htmx", False):
            # Show the message in the page's error area rather than swapping the target.
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "beforeend"
        return response.render()


def json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except ValueError as exc:
        raise Invalid(_("The request body is not valid JSON.")) from exc
