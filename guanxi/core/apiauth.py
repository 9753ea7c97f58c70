"""API authentication: personal tokens for scripts, the session (with CSRF) for the browser."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    """Authorization: Bearer gx_… — resolved by TokenAuthenticationMiddleware."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if getattr(request, "auth_method", None) == "token":
            return request.user
        return None


class ActiveSession(SessionAuth):
    """A signed-in browser session; unsafe methods need the CSRF token."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api_auth = [BearerToken(), ActiveSession(csrf=True)]
