"""Notifications: tell a user about something, in the app and (if they want it) by e-mail.

Other apps call `notify` / `notify_many` from their services and jobs; the platform knows
nothing of what the notifications are about. The in-app notification is written in the
caller's transaction; e-mail goes out from a background task after that transaction
commits, so a slow or failing mail server never holds a transaction open nor loses the
in-app notification.

Notifications are personal messages, not business records: creating them and marking them
read writes no audit entry (the change that caused a notification is audited by its own
service).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.core import mail
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.audit import object_type
from guanxi.core.errors import NotFound
from guanxi.core.models import Notification, User

logger = logging.getLogger(__name__)

TITLE_MAX = 200


@dataclass(frozen=True)
class NotificationDraft:
    """One notification to make: whom, what kind, what it says, where it leads."""

    recipient: User
    kind: str
    title: str
    body: str = ""
    url: str = ""  # a path on this site, e.g. "/customers/activities/12/"
    obj: models.Model | None = None


def wants_email(user: User) -> bool:
    """Whether a user gets notifications by e-mail: active, with an address, not opted out."""
    return bool(user.is_active and user.email and user.email_notifications)


def _row(draft: NotificationDraft, now: dt.datetime) -> Notification:
    if draft.url and (not draft.url.startswith("/") or draft.url.startswith("//")):
        raise ValueError(f"notification links are paths on this site, not {draft.url!r}")
    title = draft.title if len(draft.title) <= TITLE_MAX else draft.title[: TITLE_MAX - 1] + "…"
    return Notification(
        recipient=draft.recipient,
        kind=draft.kind,
        title=title,
        body=draft.body,
        url=draft.url,
        object_type=object_type(draft.obj) if draft.obj is not None else "",
        object_id=str(draft.obj.pk) if draft.obj is not None else "",
        created_at=now,
    )


@transaction.atomic
def notify_many(*, drafts: Sequence[NotificationDraft], email: bool = True) -> list[Notification]:
    """Make many notifications with one insert; e-mail those whose recipients want it once
    the caller's transaction has committed (in a background task)."""
    now = timezone.now()
    rows = [_row(d, now) for d in drafts]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, batch_size=500)
    if email:
        ids = [
            row.pk for row, draft in zip(rows, drafts, strict=True) if wants_email(draft.recipient)
        ]
        if ids:
            # robust: the notifications are committed; failing to queue their e-mail must not
            # turn the caller's successful write into an error.
            transaction.on_commit(functools.partial(_enqueue_emails, ids), robust=True)
    return rows


def notify(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: models.Model | None = None,
    email: bool = True,
) -> Notification:
    """Tell one user about something (see `notify_many`)."""
    draft = NotificationDraft(recipient, kind, title, body, url, obj)
    return notify_many(drafts=[draft], email=email)[0]


def _enqueue_emails(notification_ids: list[int]) -> None:
    from guanxi.core.tasks import send_notification_emails

    send_notification_emails.enqueue(notification_ids=notification_ids)


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int | str) -> Notification:
    """Mark one of one's own notifications read; anyone else's is not found."""
    try:
        notification = Notification.objects.get(pk=notification_id, recipient=actor)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User, up_to_id: int | None = None) -> int:
    """Mark all one's unread notifications read, or only those up to the newest one the user
    has seen (so one that arrived meanwhile stays unread). Returns how many."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if up_to_id is not None:
        qs = qs.filter(pk__lte=up_to_id)
    return qs.update(read_at=timezone.now())


# E-mail ---------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def _page_url(name: str, *args: object, fallback: str = "") -> str:
    # The pages live in the web shell; core refers to them by URL name only.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def notification_email(notification: Notification) -> mail.EmailMessage:
    """The e-mail for one notification, in its recipient's language."""
    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        link = _page_url("web:notification-open", notification.pk, fallback=notification.url)
        profile = _page_url("web:profile")
        parts = [notification.title]
        if notification.body:
            parts.append(notification.body)
        if link:
            parts.append(_("Open in Guanxi: %(url)s") % {"url": absolute_url(link)})
        footer = _("You get this e-mail because e-mail notifications are on for your account.")
        if profile:
            footer += " " + _("Turn them off in your profile: %(url)s") % {
                "url": absolute_url(profile)
            }
        parts.append("-- \n" + footer)
        subject = f"[{_('Guanxi')}] {notification.title}"
    return mail.EmailMessage(
        subject=subject,
        body="\n\n".join(parts) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # RFC 3834: an automatic message; out-of-office replies should not answer it.
        headers={"Auto-Submitted": "auto-generated"},
    )


def notification_send_emails(*, notification_ids: Sequence[int]) -> dict[str, int]:
    """E-mail the given notifications that were not e-mailed yet to recipients who want
    e-mail. A failing mail server is logged; the in-app notifications stay as they are."""
    pending = list(
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    outgoing = [(n, notification_email(n)) for n in pending if wants_email(n.recipient)]
    result = {"sent": 0, "failed": 0, "skipped": len(pending) - len(outgoing)}
    if not outgoing:
        return result
    sent: list[int] = []
    try:
        connection = mail.get_connection()  # SMTP waits at most EMAIL_TIMEOUT seconds
        connection.open()
    except Exception:
        logger.exception("mail server unavailable: %d notification e-mails not sent", len(outgoing))
        result["failed"] = len(outgoing)
        return result
    try:
        for notification, message in outgoing:
            message.connection = connection
            try:
                delivered = connection.send_messages([message])
            except Exception:
                logger.exception("notification %s: e-mail not sent", notification.pk)
                delivered = 0
            if delivered:
                sent.append(notification.pk)
    finally:
        try:
            connection.close()
        except Exception:
            logger.warning("closing the mail connection failed", exc_info=True)
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    result["sent"] = len(sent)
    result["failed"] = len(outgoing) - len(sent)
    return result
