"""Notifications: made by other apps through notify(), seen only by their recipient, e-mailed
after commit to those who want it, and never lost to a failing mail server."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from config.mailconfig import email_settings, email_settings_from_url
from guanxi.core import selectors
from guanxi.core.errors import NotFound
from guanxi.core.models import AuditEntry, Notification
from guanxi.core.services import (
    NotificationDraft,
    notification_mark_all_read,
    notification_mark_read,
    notify,
    notify_many,
    user_set_preferences,
)
from guanxi.core.tasks import purge_expired_bookkeeping

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def rep(make_user):
    user = make_user("sales")
    user.email = "rep@example.cn"
    user.save(update_fields=["email"])
    return user


def test_notify_makes_an_unread_notification_about_a_record(rep, make_team):
    team = make_team("华东")
    note = notify(
        recipient=rep,
        kind="test.hello",
        title="你好",
        body="正文",
        url="/x/",
        obj=team,
        email=False,
    )
    note.refresh_from_db()
    assert (note.recipient_id, note.kind, note.title, note.body, note.url) == (
        rep.pk,
        "test.hello",
        "你好",
        "正文",
        "/x/",
    )
    assert (note.object_type, note.object_id, note.read_at) == ("core.team", str(team.pk), None)
    # A notification is a message, not a business change: nothing is audited.
    assert not AuditEntry.objects.filter(object_type="core.notification").exists()


def test_links_must_be_paths_on_this_site(rep):
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="paths on this site"):
            notify(recipient=rep, kind="t", title="x", url=url)
    assert not Notification.objects.exists()


def test_long_titles_are_cut_to_fit(rep):
    note = notify(recipient=rep, kind="t", title="长" * 300, email=False)
    assert len(note.title) == 200 and note.title.endswith("…")


def test_each_user_sees_only_their_own_notifications_newest_first(rep, make_user):
    other = make_user("sales")
    first = notify(recipient=rep, kind="t", title="一", email=False)
    second = notify(recipient=rep, kind="t", title="二", email=False)
    notify(recipient=other, kind="t", title="别人的", email=False)
    assert list(selectors.notification_list(actor=rep)) == [second, first]
    assert selectors.notification_unread_count(actor=rep) == 2
    with pytest.raises(NotFound):
        notification_mark_read(actor=other, notification_id=first.pk)
    assert notification_mark_read(actor=rep, notification_id=first.pk).read_at is not None
    assert list(selectors.notification_list(actor=rep, unread=True)) == [second]
    assert list(selectors.notification_list(actor=rep, unread=False)) == [first]
    assert selectors.notification_unread_count(actor=other) == 1


def test_marking_read_twice_keeps_the_first_time(rep):
    note = notify(recipient=rep, kind="t", title="x", email=False)
    first = notification_mark_read(actor=rep, notification_id=note.pk).read_at
    assert notification_mark_read(actor=rep, notification_id=note.pk).read_at == first


def test_mark_all_read_stops_at_the_newest_one_seen(rep, make_user):
    other = make_user("sales")
    seen = [notify(recipient=rep, kind="t", title=str(i), email=False) for i in range(3)]
    arrived_later = notify(recipient=rep, kind="t", title="later", email=False)
    theirs = notify(recipient=other, kind="t", title="theirs", email=False)
    assert notification_mark_all_read(actor=rep, up_to_id=seen[-1].pk) == 3
    assert list(selectors.notification_list(actor=rep, unread=True)) == [arrived_later]
    assert notification_mark_all_read(actor=rep) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notify_many_is_one_insert_whatever_the_number(rep, make_user, django_assert_num_queries):
    users = [rep, *(make_user("sales") for _ in range(4))]
    drafts = [NotificationDraft(u, "t", f"第{i}条") for i, u in enumerate(users * 10)]
    # SAVEPOINT, INSERT, RELEASE: the same three statements for 50 notifications as for 1.
    with django_assert_num_queries(3):
        made = notify_many(drafts=drafts, email=False)
    assert len(made) == 50 and all(n.pk for n in made)


# E-mail ----------------------------------------------------------------------------------


def test_email_goes_out_after_commit_in_the_recipients_language(
    rep, django_capture_on_commit_callbacks
):
    rep.language = "en"
    rep.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=rep, kind="t", title="Call 王总", body="About the renewal")
        assert mail.outbox == []  # nothing is sent inside the transaction
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rep@example.cn"]
    assert message.subject == "[Guanxi] Call 王总"
    assert "About the renewal" in message.body
    assert "You get this e-mail because e-mail notifications are on" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_email_speaks_chinese_to_a_chinese_speaking_recipient(
    rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=rep, kind="t", title="回访提醒")
    assert mail.outbox[0].subject == "[关系] 回访提醒"
    assert "您的账号开启了邮件通知" in mail.outbox[0].body


def test_no_email_without_an_address_when_turned_off_or_inactive(
    rep, make_user, django_capture_on_commit_callbacks
):
    no_address = make_user("sales")
    opted_out = make_user("sales")
    opted_out.email = "out@example.cn"
    opted_out.save(update_fields=["email"])
    user_set_preferences(actor=opted_out, email_notifications=False)
    inactive = make_user("sales")
    inactive.email, inactive.is_active = "gone@example.cn", False
    inactive.save(update_fields=["email", "is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(
            drafts=[NotificationDraft(u, "t", "x") for u in (no_address, opted_out, inactive)]
        )
    assert mail.outbox == []
    assert Notification.objects.count() == 3  # in the app they are all there


def test_a_rolled_back_write_sends_no_email(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sid = transaction.savepoint()
        notify(recipient=rep, kind="t", title="x")
        transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_keeps_the_in_app_notification(
    rep, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=rep, kind="t", title="仍然在")
    note.refresh_from_db()
    assert note.emailed_at is None
    assert selectors.notification_unread_count(actor=rep) == 1
    assert "e-mail not sent" in caplog.text


def test_an_unreachable_smtp_server_is_logged_not_raised(rep, settings, caplog):
    """A real SMTP connection to a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    from guanxi.core.services.notifications import notification_send_emails

    note = notify(recipient=rep, kind="t", title="x", email=False)
    assert notification_send_emails(notification_ids=[note.pk]) == {
        "sent": 0,
        "failed": 1,
        "skipped": 0,
    }
    assert "mail server unavailable" in caplog.text
    note.refresh_from_db()
    assert note.emailed_at is None


def test_an_emailed_notification_is_not_emailed_again(rep):
    from guanxi.core.services.notifications import notification_send_emails

    note = notify(recipient=rep, kind="t", title="x", email=False)
    assert notification_send_emails(notification_ids=[note.pk])["sent"] == 1
    assert notification_send_emails(notification_ids=[note.pk])["sent"] == 0
    assert len(mail.outbox) == 1


def test_sending_many_emails_takes_two_queries(
    rep, make_user, django_assert_num_queries, django_capture_on_commit_callbacks
):
    users = [rep]
    for i in range(9):
        u = make_user("sales")
        u.email = f"u{i}@example.cn"
        u.save(update_fields=["email"])
        users.append(u)
    notes = notify_many(drafts=[NotificationDraft(u, "t", "x") for u in users], email=False)
    from guanxi.core.services.notifications import notification_send_emails

    # One SELECT with the recipients, one UPDATE of emailed_at.
    with django_assert_num_queries(2):
        notification_send_emails(notification_ids=[n.pk for n in notes])
    assert len(mail.outbox) == 10


def test_old_read_notifications_are_cleaned_up(rep, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    old_read = notify(recipient=rep, kind="t", title="old", email=False)
    old_unread = notify(recipient=rep, kind="t", title="old unread", email=False)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    notification_mark_read(actor=rep, notification_id=old_read.pk)
    result = purge_expired_bookkeeping.call()
    assert result["notifications"] == 1
    assert list(Notification.objects.values_list("title", flat=True)) == ["old unread"]


# The API -------------------------------------------------------------------------------


def test_the_api_lists_ones_own_notifications_with_the_unread_count(
    rep, make_user, api_as, django_assert_max_num_queries
):
    other = make_user("sales")
    for i in range(5):
        notify(recipient=rep, kind="t", title=f"第{i}条", email=False)
    notify(recipient=other, kind="t", title="别人的", email=False)
    api = api_as(rep)
    with django_assert_max_num_queries(6):
        body = api.get("/notifications?page_size=2").json()
    assert (body["count"], body["unread_count"], len(body["items"])) == (5, 5, 2)
    assert body["items"][0]["title"] == "第4条"
    assert set(body["items"][0]) >= {"id", "kind", "title", "body", "url", "read_at"}
    assert api.get("/notifications/unread-count").json() == {"unread_count": 5}
    first = body["items"][0]["id"]
    read = api.post(f"/notifications/{first}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert api.get("/notifications?unread=true").json()["count"] == 4
    assert api.get("/notifications?unread=false").json()["count"] == 1
    assert api.post("/notifications/read-all").json() == {"marked": 4, "unread_count": 0}


def test_another_users_notification_is_not_found_through_the_api(rep, make_user, api_as):
    theirs = notify(recipient=make_user("sales"), kind="t", title="私人", email=False)
    response = api_as(rep).post(f"/notifications/{theirs.pk}/read")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_through_the_api_respects_up_to_id(rep, api_as):
    seen = notify(recipient=rep, kind="t", title="seen", email=False)
    notify(recipient=rep, kind="t", title="new", email=False)
    body = api_as(rep).post(f"/notifications/read-all?up_to_id={seen.pk}").json()
    assert body == {"marked": 1, "unread_count": 1}


def test_email_preference_through_the_api_needs_if_match(rep, api_as):
    api = api_as(rep)
    me = api.get("/me")
    assert me.json()["email_notifications"] is True and me["ETag"] == f'"{rep.pk}-1"'
    assert api.patch("/me", {"email_notifications": False}).status_code == 428
    changed = api.patch("/me", {"email_notifications": False}, **{"If-Match": me["ETag"]})
    assert changed.status_code == 200 and changed.json()["email_notifications"] is False
    assert changed["ETag"] == f'"{rep.pk}-2"'
    stale = api.patch("/me", {"email_notifications": True}, **{"If-Match": me["ETag"]})
    assert stale.status_code == 412
    rep.refresh_from_db()
    assert rep.email_notifications is False
    assert AuditEntry.objects.filter(
        object_type="core.user", object_id=str(rep.pk), changes__has_key="email_notifications"
    ).exists()


# E-mail settings -----------------------------------------------------------------------


def test_email_settings_from_a_url():
    starttls = email_settings_from_url("smtp://crm%40example.cn:p%40ss@mail.example.cn:587?tls=1")
    assert starttls == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "crm@example.cn",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    ssl = email_settings_from_url("smtps://u:p@mail.example.cn")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    assert email_settings_from_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    outbox = email_settings_from_url("file:///var/lib/guanxi/outbox")
    assert outbox["EMAIL_FILE_PATH"] == "/var/lib/guanxi/outbox"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        email_settings_from_url("pigeon://coop")


def test_unconfigured_email_is_written_to_the_outbox_folder(tmp_path):
    def env(values: dict[str, str]) -> Any:
        return lambda name: values.get(name)

    default = email_settings(env({}), tmp_path / "outbox")
    assert default["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert default["EMAIL_FILE_PATH"] == str(tmp_path / "outbox")
    by_host = email_settings(env({"EMAIL_HOST": "smtp.example.cn", "EMAIL_PORT": "2525"}), tmp_path)
    assert (by_host["EMAIL_BACKEND"].rsplit(".", 2)[-2], by_host["EMAIL_PORT"]) == ("smtp", 2525)
    forced = email_settings(env({"EMAIL_URL": "console:", "EMAIL_BACKEND": "x.Backend"}), tmp_path)
    assert forced["EMAIL_BACKEND"] == "x.Backend"


def test_the_browser_session_may_change_the_email_preference_too(rep, client):
    """Through the session (the signed-in user is a lazy object there)."""
    client.force_login(rep)
    response = client.patch(
        "/api/v1/me",
        data='{"email_notifications": false}',
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 200, response.content
    rep.refresh_from_db()
    assert rep.email_notifications is False
