"""Platform background tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from guanxi.core.models import IdempotencyRecord, LoginAttempt, Notification
from guanxi.core.scheduling import periodic


@task()
def purge_expired_bookkeeping() -> dict[str, int]:
    """Forget idempotency keys past their time-to-live, old failed sign-ins and read
    notifications older than the retention period."""
    now = timezone.now()
    keys, _ = IdempotencyRecord.objects.filter(
        created_at__lt=now - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    ).delete()
    attempts, _ = LoginAttempt.objects.filter(at__lt=now - dt.timedelta(days=1)).delete()
    notifications, _ = Notification.objects.filter(
        read_at__isnull=False,
        created_at__lt=now - dt.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS),
    ).delete()
    return {"idempotency_keys": keys, "login_attempts": attempts, "notifications": notifications}


@task()
def send_notification_emails(notification_ids: list[int]) -> dict[str, int]:
    """E-mail notifications after the transaction that made them has committed."""
    from guanxi.core.services.notifications import notification_send_emails

    return notification_send_emails(notification_ids=notification_ids)


periodic("core.purge_expired_bookkeeping", dt.timedelta(hours=1), purge_expired_bookkeeping)
