"""Normalising what people type: phones to E.164, e-mails, and search keys for names."""

from __future__ import annotations

import functools
import re
from typing import Any

import phonenumbers
from pypinyin import lazy_pinyin
from pypinyin.seg.simpleseg import seg as _pinyin_words

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


def _keep_as_is(text: str) -> list[str]:
    return list(text)


@functools.lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word, errors=_keep_as_is))  # type: ignore[arg-type]


def _syllables(text: str) -> list[str]:
    """`lazy_pinyin(text)`, with each word of pypinyin's own segmentation converted once per
    process: a name is a handful of common characters, and converting is what costs."""
    out: list[str] = []
    for word in _pinyin_words(text):
        out.extend(_word_pinyin(word))
    return out


@functools.lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str, str]:
    """(lower-cased name, full pinyin, initials) — e.g. 王小明 → ('王小明', 'wangxiaoming', 'wxm')."""
    lowered = _NON_ALNUM.sub("", (name or "").lower())
    syllables = _syllables(lowered)
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


# Common company-form suffixes, longest first, on the lower-cased alphanumeric name key.
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团",
    "公司",
    "coltd",
    "ltd",
    "limited",
    "co",
    "inc",
    "corp",
)


@functools.lru_cache(maxsize=65536)
def company_core(name: str) -> tuple[str, str]:
    """(name key, pinyin) of an organisation name with company-form suffixes stripped:
    北京华信科技有限公司 → ('北京华信科技', 'beijinghuaxinkeji')."""
    key = name_keys(name)[0]
    changed = True
    while changed and key:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
                break
    return key, name_keys(key)[1] if key else ""


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def similar_person_names(a: str, b: str) -> bool:
    """Two person names that probably mean the same person: same pinyin, one edit apart,
    or one containing the other (王小明 / 王晓明, 张伟 / 张伟明)."""
    ka, pa, _ia = name_keys(a)
    kb, pb, _ib = name_keys(b)
    if not ka or not kb:
        return False
    if pa == pb:
        return True
    if min(len(ka), len(kb)) >= 2 and (ka in kb or kb in ka):
        return True
    return min(len(ka), len(kb)) >= 3 and ka[0] == kb[0] and within_one_edit(ka, kb)


class PersonNameIndex:
    """Person names grouped by a scope (e.g. their account) that answers "which earlier name is
    similar to this one?" by hash lookups instead of comparing with every name of the scope.

    It finds exactly what `similar_person_names` accepts: same pinyin, one name containing the
    other, or one edit apart with the same first character (through deletion neighbourhoods).
    """

    _SUBSTRING_MAX = 16  # longer names are compared one by one

    def __init__(self) -> None:
        self._keys: dict[tuple[Any, str, str], list[int]] = {}
        self._long: dict[Any, list[tuple[int, str]]] = {}
        self._names: dict[int, str] = {}

    @staticmethod
    def _deletions(key: str) -> set[str]:
        return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}

    def _put(self, scope: Any, kind: str, value: str, pk: int) -> None:
        self._keys.setdefault((scope, kind, value), []).append(pk)

    def add(self, scope: Any, pk: int, name: str) -> None:
        key, pinyin, _initials = name_keys(name)
        if not key or pk in self._names:
            return
        self._names[pk] = name
        self._put(scope, "p", pinyin, pk)
        self._put(scope, "k", key, pk)
        if len(key) > self._SUBSTRING_MAX:
            self._long.setdefault(scope, []).append((pk, name))
            return
        if len(key) >= 2:
            for i in range(len(key)):
                for j in range(i + 2, len(key) + 1):
                    if j - i < len(key):
                        self._put(scope, "s", key[i:j], pk)
        if len(key) >= 3:
            for d in self._deletions(key):
                self._put(scope, "d", d, pk)

    def find(self, scope: Any, name: str) -> int | None:
        """The smallest id of a similar name in the scope, or None."""
        key, pinyin, _initials = name_keys(name)
        if not key:
            return None
        keys = self._keys
        candidates: set[int] = set(keys.get((scope, "p", pinyin), ()))
        if len(key) >= 2:
            candidates.update(keys.get((scope, "k", key), ()))
            candidates.update(keys.get((scope, "s", key), ()))  # inside a longer name
            for i in range(len(key)):
                for j in range(i + 2, len(key) + 1):
                    candidates.update(keys.get((scope, "k", key[i:j]), ()))  # a shorter name
        if len(key) >= 3:
            for d in self._deletions(key):
                candidates.update(keys.get((scope, "d", d), ()))
        candidates.update(pk for pk, _other in self._long.get(scope, ()))
        found = [pk for pk in candidates if similar_person_names(name, self._names[pk])]
        return min(found) if found else None

    def name_of(self, pk: int) -> str:
        return self._names[pk]
