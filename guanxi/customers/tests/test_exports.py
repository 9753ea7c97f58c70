"""Exports: only what the actor may see, the export permission, audit, safe cells, vCard."""

from __future__ import annotations

import io

import pytest

from guanxi.core.models import AuditEntry
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db


def test_csv_export_contains_only_visible_rows_and_neutralises_formulas(org, api_as, make_account):
    make_account('=HYPERLINK("http://evil")', notes="x")
    make_account("别队的", actor=org["stranger"])
    r = api_as(org["rep"]).get("/customers/accounts/export?format=csv")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = r.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "别队的" not in text
    assert AuditEntry.objects.filter(action="export", object_type="customers.account").count() == 1


def test_xlsx_export_opens_and_is_safe(org, api_as, make_account):
    import openpyxl

    make_account("+cmd")
    r = api_as(org["rep"]).get("/customers/accounts/export?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.cell(row=2, column=2).value == "'+cmd"


def test_export_needs_the_export_permission(org, api_as, make_account):
    make_account("甲")
    assert api_as(org["reader"]).get("/customers/accounts/export").status_code == 403
    assert api_as(org["rep"]).get("/customers/accounts/export?format=pdf").status_code == 422


def test_analysts_export_pseudonyms(org, api_as, make_account):
    make_account("王小明", mobile="13800138000")
    text = api_as(org["analyst"]).get("/customers/accounts/export").content.decode("utf-8-sig")
    assert "王小明" not in text and "13800138000" not in text


def test_vcard_export_of_contacts(org, api_as, make_account):
    c = contact_create(
        actor=org["rep"],
        account=make_account("华信"),
        name="张伟",
        title="采购经理",
        mobile="13800138000",
        email="zw@huaxin.cn",
    )
    text = api_as(org["rep"]).get(f"/customers/contacts/{c.pk}/vcard").content.decode()
    assert (
        "BEGIN:VCARD" in text
        and "FN:张伟" in text
        and "TEL;TYPE=CELL:+8613800138000" in text
        and "ORG:华信" in text
    )
    all_cards = api_as(org["rep"]).get("/customers/contacts/export?format=vcf").content.decode()
    assert all_cards.count("BEGIN:VCARD") == 1
