from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from guanxi.core.audit import audit_log
from guanxi.core.errors import TooManyRequests
from guanxi.core.models import LoginAttempt, User


def login_throttle_check(*, username: str, address: str) -> None:
    """Refuse a sign-in while too many recent failures stand against this name or address."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    if (
        recent.filter(username__iexact=username).count() >= limit
        or recent.filter(address=address).count() >= limit * 4
    ):
        raise TooManyRequests()


@transaction.atomic
def login_failure_record(*, username: str, address: str) -> None:
    """Count a failed sign-in and audit it against the account if it exists."""
    LoginAttempt.objects.create(username=username[:150], address=address[:64])
    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        audit_log(actor=None, action="login_failed", obj=user, changes={"address": address})


@transaction.atomic
def login_succeeded(*, user: User, address: str) -> None:
    """Clear the failure count for this name and audit the sign-in."""
    LoginAttempt.objects.filter(username__iexact=user.username).delete()
    audit_log(actor=user, action="login", obj=user, changes={"address": address})
