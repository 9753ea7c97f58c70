from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.audit import audit_log
from guanxi.core.errors import Invalid, NotFound
from guanxi.core.models import ApiToken, User

TOKEN_PREFIX = "gx_"  # noqa: S105 - a public marker, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a personal API token; the clear text is returned once and never stored."""
    name = name.strip()
    if not name:
        raise Invalid(fields={"name": [_("Give the token a name.")]})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise Invalid(fields={"expires_in_days": [_("Between 1 and 3650 days.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[:10],
        digest=_digest(raw),
        expires_at=(
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    audit_log(actor=actor, action="create", obj=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of one's own tokens."""
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(
        actor=actor,
        action="delete",
        obj=token,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to, else None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__role")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
