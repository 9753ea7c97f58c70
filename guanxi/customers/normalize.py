"""Normalising what people type: phones to E.164, e-mails, and search keys for names."""

from __future__ import annotations

import functools
import re

import phonenumbers
from pypinyin import lazy_pinyin

DEFAULT_REGION = "CN"
_NON_ALNUM = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_DIGITS = re.compile(r"\D+")


class BadValue(ValueError):
    """A value that cannot be normalised; the message is shown to the user."""


_SEPARATORS = re.compile(r"[\s\-().]+")
# Mainland mobiles (1[3-9] + 9 digits), the bulk of what is typed and imported: no need to ask
# the full phonenumbers metadata, which is ~20x slower per number.
_CN_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1[3-9]\d{9})$")


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in any common format → E.164 ('+8613800138000'); '' stays ''."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    if region == DEFAULT_REGION:
        mobile = _CN_MOBILE.match(_SEPARATORS.sub("", raw))
        if mobile:
            return "+86" + mobile.group(1)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise BadValue("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise BadValue("not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(raw: str) -> str:
    """Trim and lower-case an e-mail address; '' stays ''."""
    value = (raw or "").strip().lower()
    if value and not _EMAIL.match(value):
        raise BadValue("not a valid e-mail address")
    return value


def phone_digits(value: str) -> str:
    """Only the digits of a phone, without the China country code (what people type)."""
    digits = _DIGITS.sub("", value or "")
    if value.startswith("+86") or (len(digits) == 13 and digits.startswith("86")):
        digits = digits[2:]
    return digits


def reversed_digits(value: str) -> str:
    """The national digits reversed: a suffix search becomes an indexed prefix search."""
    return phone_digits(value)[::-1]


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str, str]:
    """(lower-cased name, full pinyin, initials) — e.g. 王小明 → ('王小明', 'wangxiaoming', 'wxm')."""
    lowered = _NON_ALNUM.sub("", (name or "").lower())
    syllables = lazy_pinyin(lowered, errors=lambda s: list(s))  # type: ignore[arg-type,return-value]
    pinyin = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return lowered[:200], pinyin[:400], initials[:100]


def search_term(raw: str) -> str:
    """Normalise a search box entry the same way as the stored keys."""
    return _NON_ALNUM.sub("", (raw or "").lower())


def display_phone(e164: str) -> str:
    """A stored E.164 number as people read it: +86 170 2533 7546, or international format."""
    if not e164.startswith("+"):
        return e164
    if e164.startswith("+86") and len(e164) == 14 and e164[3] == "1":
        d = e164[3:]
        return f"+86 {d[:3]} {d[3:7]} {d[7:]}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
