"""Platform background tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from guanxi.core.models import IdempotencyRecord, LoginAttempt
from guanxi.core.scheduling import periodic


@task()
def purge_expired_bookkeeping() -> dict[str, int]:
    """Forget idempotency keys past their time-to-live and old failed sign-ins."""
    now = timezone.now()
    keys, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    ).delete()
    attempts, _ = LoginAttempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    return {"idempotency_keys": keys, "login_attempts": attempts}


periodic("core.purge_expired_bookkeeping", dt.timedelta(hours=1), purge_expired_bookkeeping)
