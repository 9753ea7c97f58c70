"""The name helpers used by imports give the same answers as the plain definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from guanxi.customers.normalize import PersonNameIndex, _syllables, similar_person_names

# Characters that make many similar names: shared pinyin (小/晓), containment, one edit.
_NAME_CHARS = st.sampled_from(list("王小明晓张伟李建国重庆长春ab1 "))
names = st.text(alphabet=_NAME_CHARS, max_size=7)


@settings(max_examples=400, deadline=None)
@given(st.lists(names, max_size=15), names)
def test_index_finds_the_first_similar_name_like_comparing_one_by_one(existing, new):
    index = PersonNameIndex()
    for pk, name in enumerate(existing, start=1):
        index.add("account", pk, name)
        index.add("other account", pk + 1000, "王小明")
    expected = [pk for pk, name in enumerate(existing, start=1) if similar_person_names(new, name)]
    assert index.find("account", new) == (min(expected) if expected else None)


def test_long_names_are_compared_too():
    index = PersonNameIndex()
    long_name = "欧阳" + "明" * 20
    index.add(1, 7, long_name)
    assert index.find(1, "欧阳明明") == 7  # inside the long name
    assert index.find(1, long_name + "子") == 7  # one edit away
    assert index.find(2, "欧阳明明") is None  # another scope


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("重庆长春银行乐器单于曾经王小明abc123")), max_size=12))
def test_pinyin_by_word_equals_pypinyin(text):
    assert _syllables(text) == lazy_pinyin(text, errors=lambda s: list(s))  # type: ignore[arg-type,return-value]
