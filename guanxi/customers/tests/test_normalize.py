"""Normalising phones, e-mails and names (pure functions, no database)."""

import pytest

from guanxi.customers.normalize import (
    BadValue,
    name_keys,
    normalize_email,
    normalize_phone,
    phone_digits,
    reversed_digits,
)
from guanxi.customers.services.exports import safe_cell
from guanxi.customers.services.importfiles import decode, suggest_mapping


@pytest.mark.parametrize(
    "raw",
    ["13800138000", "138-0013-8000", "+86 138 0013 8000", "0086 13800138000", "(+86)138 0013 8000"],
)
def test_chinese_mobiles_in_any_format_become_e164(raw):
    assert normalize_phone(raw) == "+8613800138000"


def test_landlines_get_the_china_country_code():
    assert normalize_phone("021-6234 5678") == "+862162345678"


@pytest.mark.parametrize("raw", ["12345", "abc", "+86 1380013800099"])
def test_nonsense_phones_are_refused(raw):
    with pytest.raises(BadValue):
        normalize_phone(raw)


def test_emails_are_trimmed_and_lowercased_and_checked():
    assert normalize_email("  Wang.XM@Example.CN ") == "wang.xm@example.cn"
    with pytest.raises(BadValue):
        normalize_email("not-an-email")


def test_names_get_pinyin_and_initials_keys():
    assert name_keys("王小明") == ("王小明", "wangxiaoming", "wxm")
    assert name_keys("  ACME Ltd. ")[0] == "acmeltd"


def test_phone_suffix_search_uses_reversed_national_digits():
    assert phone_digits("+8613800138000") == "13800138000"
    assert reversed_digits("+8613800138000") == "00083100831"


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_export_cells_that_look_like_formulas_are_quoted(value):
    assert safe_cell(value) == "'" + value


def test_harmless_export_cells_are_unchanged():
    assert safe_cell("王小明") == "王小明"
    assert safe_cell(12) == 12


def test_encodings_are_detected():
    text = "名称,手机\n华信,13800138000\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("gbk"))[1] == "gb18030"


def test_mapping_is_suggested_from_chinese_and_english_headers():
    mapping = suggest_mapping(
        "account", ["客户名称", "手机号", "E-mail", "备注", "随便"], {"会员等级": "level"}
    )
    assert mapping == {
        "客户名称": "name",
        "手机号": "mobile",
        "E-mail": "email",
        "备注": "notes",
        "随便": "",
    }
    assert suggest_mapping("account", ["会员等级"], {"会员等级": "level"}) == {
        "会员等级": "cf:level"
    }
