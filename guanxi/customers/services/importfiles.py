"""Reading import files: encoding detection (UTF-8, UTF-8 with BOM, GBK/GB18030), CSV and XLSX
rows, and column mapping suggested from Chinese and English headers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core.errors import Invalid

ALIASES: dict[str, dict[str, list[str]]] = {
    "account": {
        "name": [
            "name",
            "名称",
            "客户名称",
            "客户",
            "公司",
            "公司名称",
            "企业名称",
            "姓名",
            "company",
            "account",
            "accountname",
            "customer",
            "customername",
        ],
        "name_en": ["nameen", "englishname", "pinyin", "英文名", "英文名称", "拼音"],
        "kind": ["kind", "type", "类型", "客户类型"],
        "email": ["email", "e-mail", "mail", "邮箱", "电子邮件", "邮件", "电子邮箱"],
        "mobile": [
            "mobile",
            "cell",
            "cellphone",
            "mobilephone",
            "手机",
            "手机号",
            "手机号码",
            "移动电话",
        ],
        "phone": ["phone", "tel", "telephone", "电话", "座机", "固定电话", "办公电话"],
        "wechat": ["wechat", "weixin", "wechatid", "微信", "微信号"],
        "province": ["province", "省", "省份"],
        "city": ["city", "城市", "市"],
        "district": ["district", "区", "区县", "县区"],
        "street": ["street", "address", "地址", "街道", "详细地址"],
        "industry": ["industry", "行业"],
        "region": ["region", "区域", "大区", "地区"],
        "source": ["source", "channel", "来源", "渠道", "客户来源"],
        "lifecycle_stage": ["stage", "lifecyclestage", "阶段", "生命周期", "客户阶段"],
        "gender": ["gender", "sex", "性别"],
        "birthday": ["birthday", "birthdate", "生日", "出生日期"],
        "tags": ["tags", "tag", "标签"],
        "notes": ["notes", "note", "remark", "remarks", "备注", "说明"],
    },
    "contact": {
        "account": [
            "account",
            "company",
            "customer",
            "accountname",
            "公司",
            "公司名称",
            "客户",
            "客户名称",
            "所属客户",
            "所属公司",
        ],
        "name": ["name", "contact", "contactname", "姓名", "联系人", "联系人姓名"],
        "name_en": ["nameen", "englishname", "pinyin", "英文名", "拼音"],
        "title": ["title", "jobtitle", "position", "职位", "职务"],
        "email": ["email", "e-mail", "mail", "邮箱", "电子邮件", "邮件", "电子邮箱"],
        "mobile": ["mobile", "cell", "cellphone", "手机", "手机号", "手机号码"],
        "phone": ["phone", "tel", "telephone", "电话", "座机", "办公电话"],
        "wechat": ["wechat", "weixin", "微信", "微信号"],
        "gender": ["gender", "sex", "性别"],
        "birthday": ["birthday", "生日", "出生日期"],
        "notes": ["notes", "remark", "备注"],
    },
}
REQUIRED = {"account": ["name"], "contact": ["name", "account"]}
MAX_BYTES = 50 * 1024 * 1024
_HEADER_NOISE = re.compile(r"[\s_\-:：*（）()]+")


def header_key(header: str) -> str:
    return _HEADER_NOISE.sub("", (header or "").strip().lower().replace("e-mail", "email"))


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise Invalid(
            fields={"file": [_("The file is neither UTF-8 nor GBK/GB18030 text.")]}
        ) from exc


def is_xlsx(filename: str, content: bytes) -> bool:
    return filename.lower().endswith(".xlsx") or content[:2] == b"PK"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(
    filename: str, content: bytes, encoding: str = ""
) -> tuple[list[str], Iterator[list[str]]]:
    """The header row and an iterator over the data rows (all cells as stripped text)."""
    if is_xlsx(filename, content):
        try:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise Invalid(
                fields={"file": [_("The file is not a readable XLSX workbook.")]}
            ) from exc
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        headers = [_cell(v) for v in (first or [])]

        def data() -> Iterator[list[str]]:
            for row in rows:
                cells = [_cell(v) for v in row]
                if any(cells):
                    yield cells

        return headers, data()
    text = decode(content)[0] if not encoding else content.decode(encoding, errors="replace")
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    first_row = next(reader, None)
    headers = [h.strip() for h in (first_row or [])]

    def csv_rows() -> Iterator[list[str]]:
        for row in reader:
            if any(c.strip() for c in row):
                yield [c.strip() for c in row]

    return headers, csv_rows()


def suggest_mapping(
    entity: str, headers: list[str], custom_labels: dict[str, str]
) -> dict[str, str]:
    """Header → field, from the zh/en aliases and the custom fields' labels; unknown headers map to ''."""
    lookup: dict[str, str] = {}
    for field, names in ALIASES[entity].items():
        for name in names:
            lookup.setdefault(header_key(name), field)
    for label, key in custom_labels.items():
        lookup.setdefault(header_key(label), f"cf:{key}")
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        field = lookup.get(header_key(header), "")
        if field and field not in used:
            mapping[header] = field
            used.add(field)
        else:
            mapping[header] = ""
    return mapping
