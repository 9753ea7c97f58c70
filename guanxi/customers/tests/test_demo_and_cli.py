"""The demo data step and the `guanxi import` command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from guanxi.customers.models import Account, Activity, Contact, LifecycleChange

pytestmark = pytest.mark.django_db


def test_demo_generates_a_realistic_customer_base_in_bulk(roles):
    from guanxi.core.demo import demo_people
    from guanxi.customers.demo import demo_customers

    lines: list[str] = []
    demo_people(size=0, seed=1, out=lines.append)
    demo_customers(size=120, seed=1, out=lines.append)
    assert Account.objects.count() == 120
    assert Contact.objects.exists() and Activity.objects.exists()
    assert LifecycleChange.objects.count() == 120
    a = Account.objects.exclude(kind="individual").first()
    assert a is not None and a.search_pinyin and a.mobile.startswith("+861") and a.province
    from guanxi.customers.normalize import reversed_digits

    assert a.phone and a.phone2_rev == reversed_digits(a.phone)  # office phones are searchable
    assert set(Account.objects.values_list("owner__username", flat=True)) <= {
        "sales",
        "sales2",
        "sales3",
        "manager",
    }
    demo_customers(size=120, seed=1, out=lines.append)
    assert Account.objects.count() == 120  # a second run does not double the data
    # The ids written in bulk are taken from the table's own sequence: new rows follow them.
    from guanxi.core.models import User
    from guanxi.customers.services import account_create

    rep = User.objects.get(username="sales")
    fresh = account_create(actor=rep, name="演示之后的新客户")
    assert fresh.pk > max(Account.objects.exclude(pk=fresh.pk).values_list("pk", flat=True))
    assert a.stage_history.get().at == a.created_at


def test_the_import_command_reports_progress_and_results(make_user, tmp_path):
    user = make_user("admin", team=None, username="importer")
    path = tmp_path / "customers.csv"
    path.write_bytes("名称,手机\n甲,13800138000\n乙,bad\n".encode("gbk"))
    errors = tmp_path / "errors.csv"
    out = io.StringIO()
    call_command(
        "guanxi_import",
        str(path),
        "--user",
        user.username,
        "--errors",
        str(errors),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "done: 1 created" in out.getvalue() and "1 rows with errors" in out.getvalue()
    assert "3" in errors.read_text(encoding="utf-8-sig")
    assert list(Account.objects.values_list("name", flat=True)) == ["甲"]
