"""Domain errors: expected failures that carry their HTTP status.

Services raise these; one handler per edge (API, web) maps them to a response,
so an expected error never becomes a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FieldErrors = Mapping[str, Sequence[str]]


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "error"
    default_message: ClassVar[str | Promise] = _("The request could not be completed.")

    def __init__(self, message: str | None = None, *, fields: FieldErrors | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.fields: dict[str, list[str]] = {
            k: [str(m) for m in v] for k, v in (fields or {}).items()
        }
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state of the record.")


class Invalid(DomainError):
    status = 422
    code = "invalid"
    default_message = _("Some values are not valid.")


class PreconditionFailed(DomainError):
    """The record changed since the client read it (stale version)."""

    status = 412
    code = "stale_version"
    default_message = _("The record was changed by someone else; reload it and try again.")


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
    default_message = _("This request must carry an If-Match header with the record's ETag.")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    default_message = _("Authentication required.")


class TooManyRequests(DomainError):
    status = 429
    code = "throttled"
    default_message = _("Too many attempts; wait a while and try again.")
