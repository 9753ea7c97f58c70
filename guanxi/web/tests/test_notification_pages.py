"""The bell in the top bar, the notifications page and the e-mail preference on the profile."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.core.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(make_web_user):
    return make_web_user("sales", display_name="李娜")


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def _bell(html: str) -> str:
    start = html.index('id="gx-bell"')
    return html[start : html.index("</a>", start)]


def test_the_bell_shows_the_unread_count_and_polls_every_minute(rep_client, rep):
    html = rep_client.get(reverse("web:home")).content.decode()
    bell = _bell(html)
    assert 'data-unread="0"' in bell and "gx-bell-count" not in bell
    for i in range(3):
        notify(recipient=rep, kind="t", title=f"第{i}条", email=False)
    bell = _bell(rep_client.get(reverse("web:home")).content.decode())
    assert 'data-unread="3"' in bell and ">3</span>" in bell
    assert 'hx-trigger="every 60s"' in bell
    assert f'hx-get="{reverse("web:notification-bell")}"' in bell
    assert f'href="{reverse("web:notification-list")}"' in bell
    assert "通知：3 条未读" in bell


def test_the_bell_fragment_counts_with_one_query(rep_client, rep, django_assert_max_num_queries):
    for i in range(120):
        notify(recipient=rep, kind="t", title=f"第{i}条", email=False)
    # Session, user, count.
    with django_assert_max_num_queries(3):
        response = rep_client.get(reverse("web:notification-bell"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith("<a")
    assert ">99+</span>" in html and "<html" not in html
    assert "no-cache" in response["Cache-Control"]


def test_a_signed_out_bell_stops_polling_instead_of_showing_the_sign_in_page(client):
    response = client.get(reverse("web:notification-bell"), HTTP_HX_REQUEST="true")
    assert response.status_code == 286 and response.content == b""


def test_the_page_lists_ones_own_notifications_newest_first(
    rep_client, rep, make_web_user, django_assert_max_num_queries
):
    other = make_web_user("sales")
    for i in range(5):
        notify(recipient=rep, kind="t", title=f"我的第{i}条", body="详情", url="/x/", email=False)
    notify(recipient=other, kind="t", title="别人的", email=False)
    with django_assert_max_num_queries(6):
        response = rep_client.get(reverse("web:notification-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("我的第4条") < html.index("我的第0条")
    assert "别人的" not in html
    assert html.count('data-testid="notification"') == 5
    assert html.count('data-testid="mark-read"') == 5
    assert "<script>" not in html and "onclick" not in html


def test_the_unread_tab_hides_read_ones(rep_client, rep):
    read = notify(recipient=rep, kind="t", title="已读的", email=False)
    notify(recipient=rep, kind="t", title="未读的", email=False)
    rep_client.get(reverse("web:notification-open", args=[read.pk]))
    html = rep_client.get(reverse("web:notification-list") + "?show=unread").content.decode()
    assert "未读的" in html and "已读的" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(rep_client, rep):
    note = notify(recipient=rep, kind="t", title="x", url="/customers/my-day/", email=False)
    response = rep_client.get(reverse("web:notification-open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/my-day/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_needs_sign_in_and_then_comes_back(client, rep):
    note = notify(recipient=rep, kind="t", title="x", url="/customers/my-day/", email=False)
    url = reverse("web:notification-open", args=[note.pk])
    response = client.get(url)
    assert response.status_code == 302 and url in response["Location"]


def test_nobody_opens_or_marks_someone_elses_notification(rep_client, make_web_user):
    theirs = notify(recipient=make_web_user("sales"), kind="t", title="x", email=False)
    assert rep_client.get(reverse("web:notification-open", args=[theirs.pk])).status_code == 404
    assert rep_client.post(reverse("web:notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_with_htmx_redraws_the_item_and_the_bell(rep_client, rep):
    note = notify(recipient=rep, kind="t", title="要读的", email=False)
    notify(recipient=rep, kind="t", title="还没读", email=False)
    response = rep_client.post(
        reverse("web:notification-read", args=[note.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{note.pk}"' in html and "gx-unread" not in html
    assert 'hx-swap-oob="true"' in _bell(html) and 'data-unread="1"' in _bell(html)


def test_mark_read_without_javascript_goes_back_to_the_list(rep_client, rep):
    note = notify(recipient=rep, kind="t", title="x", email=False)
    response = rep_client.post(reverse("web:notification-read", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:notification-list")


def test_mark_all_read_spares_one_that_arrived_after_the_page_was_shown(rep_client, rep):
    shown = [notify(recipient=rep, kind="t", title=str(i), email=False) for i in range(3)]
    html = rep_client.get(reverse("web:notification-list")).content.decode()
    assert f'name="up_to_id" value="{shown[-1].pk}"' in html
    late = notify(recipient=rep, kind="t", title="late", email=False)
    response = rep_client.post(
        reverse("web:notification-read-all"), {"up_to_id": str(shown[-1].pk)}, follow=True
    )
    assert "所有通知已标为已读" in response.content.decode()
    assert list(Notification.objects.filter(read_at__isnull=True)) == [late]


def test_the_page_in_english(rep_client, rep, english):
    html = rep_client.get(reverse("web:notification-list")).content.decode()
    assert "No notifications yet." in html and "Mark all read" in html


def test_the_profile_turns_email_notifications_off_and_on(rep_client, rep):
    page = rep_client.get(reverse("web:profile"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="email_notifications"' in html and "checked" in html
    assert "没有电子邮件地址" in html  # the user has no address yet
    response = rep_client.post(reverse("web:profile"), {}, follow=True)
    assert "已保存" in response.content.decode()
    rep.refresh_from_db()
    assert rep.email_notifications is False
    rep_client.post(reverse("web:profile"), {"email_notifications": "on"})
    rep.refresh_from_db()
    assert rep.email_notifications is True


def test_the_user_menu_links_to_the_profile(rep_client):
    html = rep_client.get(reverse("web:home")).content.decode()
    assert reverse("web:profile") in html


def test_the_email_links_to_the_notification_and_to_the_profile(
    rep, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://crm.example.cn"
    rep.email, rep.language = "li.na@example.cn", "en"
    rep.save(update_fields=["email", "language"])
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(recipient=rep, kind="t", title="Call back", url="/customers/my-day/")
    body = mail.outbox[0].body
    assert f"Open in Guanxi: https://crm.example.cn/notifications/{note.pk}/open/" in body
    assert "Turn them off in your profile: https://crm.example.cn/accounts/profile/" in body


def test_the_email_speaks_chinese_by_default(rep, django_capture_on_commit_callbacks):
    rep.email = "li.na@example.cn"
    rep.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=rep, kind="t", title="回访")
    assert "在关系中打开：http://127.0.0.1:8000/notifications/" in mail.outbox[0].body
