"""Account reads: lists with filters, search, one account, duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from guanxi.core.errors import Invalid, NotFound
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.records import record_get
from guanxi.core.visibility import visible
from guanxi.customers.models import Account, Contact
from guanxi.customers.normalize import (
    BadValue,
    company_core,
    name_keys,
    normalize_email,
    normalize_phone,
    reversed_digits,
    similar_person_names,
)
from guanxi.customers.selectors.search import apply_search, prefix_q

ACCOUNT_SORTS = {
    "name": "name",
    "pinyin": "search_pinyin",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "stage": "lifecycle_stage",
    "clv": "score__clv",
    "churn_risk": "score__churn_risk",
}


@dataclass
class AccountFilters:
    search: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    stage: str = ""
    tag: str = ""
    region: str = ""
    kind: str = ""
    rfm_segment: str = ""
    risk_band: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    custom: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Any) -> AccountFilters:
        """Parse query parameters (a QueryDict or dict); bad values give per-field errors."""
        errors: dict[str, list[str]] = {}
        out = cls()
        for name in ("search", "stage", "tag", "region", "kind", "rfm_segment", "risk_band"):
            setattr(out, name, str(data.get(name) or "").strip())
        for name in ("owner_id", "team_id"):
            raw = data.get(name)
            if raw not in (None, ""):
                try:
                    setattr(out, name, int(raw))
                except (TypeError, ValueError):
                    errors[name] = ["Enter a whole number."]
        for name in ("created_from", "created_to", "updated_from", "updated_to"):
            raw = data.get(name)
            if raw not in (None, ""):
                try:
                    setattr(out, name, dt.date.fromisoformat(str(raw)))
                except ValueError:
                    errors[name] = ["Enter a date as YYYY-MM-DD."]
        keys = data.keys() if hasattr(data, "keys") else []
        for key in keys:
            if str(key).startswith("cf_") and data.get(key) not in (None, ""):
                out.custom[str(key)[3:]] = str(data.get(key))
        if errors:
            raise Invalid(fields=errors)
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if name == "custom":
                out.update({f"cf_{k}": v for k, v in value.items()})
            elif value not in (None, ""):
                out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def _day_start(d: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


def account_list(
    *, actor: User, search: str = "", filters: AccountFilters | None = None
) -> QuerySet[Account]:
    """Accounts the actor may see, filtered; sort with ACCOUNT_SORTS."""
    require_perm(actor, Account.resource, "view")
    f = filters or AccountFilters()
    search = search or f.search
    qs = visible(actor, Account.objects.all()).select_related("owner", "team", "score")
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    if f.stage:
        qs = qs.filter(lifecycle_stage=f.stage)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.tag:
        qs = qs.filter(tags__name=f.tag)
    if f.rfm_segment:
        qs = qs.filter(score__rfm_segment=f.rfm_segment)
    if f.risk_band:
        qs = qs.filter(score__risk_band=f.risk_band)
    if f.created_from:
        qs = qs.filter(created_at__gte=_day_start(f.created_from))
    if f.created_to:
        qs = qs.filter(created_at__lt=_day_start(f.created_to + dt.timedelta(days=1)))
    if f.updated_from:
        qs = qs.filter(updated_at__gte=_day_start(f.updated_from))
    if f.updated_to:
        qs = qs.filter(updated_at__lt=_day_start(f.updated_to + dt.timedelta(days=1)))
    for key, value in f.custom.items():
        if not key.replace("_", "").replace("-", "").isalnum():
            raise Invalid(fields={f"cf_{key}": ["Unknown custom field."]})
        qs = qs.filter(**{f"custom__{key}": value})
    return apply_search(qs, search)


def account_get(
    *, actor: User, account_id: Any, include_deleted: bool = False, with_people: bool = False
) -> Account:
    """One account the actor may see (404 otherwise, never revealing that it exists);
    `with_people` reads its owner and team in the same query."""
    require_perm(actor, Account.resource, "view")
    if not with_people:
        return record_get(actor, Account, account_id, include_deleted=include_deleted)
    manager = Account.all_objects if include_deleted else Account.objects
    try:
        account: Account = (
            visible(actor, manager.all()).select_related("owner", "team").get(pk=account_id)
        )
    except (Account.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    return account


# Fuzzy matches score below every exact match (e-mail/phone 90, name 60-70).
SIMILAR_ACCOUNT_SCORE = 50
SIMILAR_CONTACT_SCORE = 70
# Caps that keep the fuzzy checks bounded on big tables.
SIMILAR_CANDIDATES = 50
SCAN_MAX_ROWS = 50000
SCAN_MAX_BLOCK = 50


def _similar_account_qs(name: str) -> tuple[list[Q], str, str]:
    """Indexed prefix queries for accounts whose stripped name may equal this one's."""
    core, core_pinyin = company_core(name)
    if len(core) < 2:
        return [], "", ""
    queries = [prefix_q("search_name", core)]
    if len(core_pinyin) >= 4:
        queries.append(prefix_q("search_pinyin", core_pinyin))
    return queries, core, core_pinyin


def _first_matches(qs: QuerySet[Account], queries: list[Q], cap: int) -> list[Account]:
    """Up to `cap` matches of each query (each an index lookup), in id order."""
    found: dict[int, Account] = {}
    for q in queries:
        for account in qs.filter(q).order_by()[:cap]:
            found.setdefault(account.pk, account)
    return [found[pk] for pk in sorted(found)]


@dataclass(frozen=True)
class DuplicateHit:
    account: Account
    reason: str
    score: int


def duplicates_for(
    *,
    actor: User,
    name: str = "",
    email: str = "",
    mobile: str = "",
    phone: str = "",
    company: str = "",
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[DuplicateHit]:
    """Visible accounts that look like the same customer: same e-mail or phone, or same
    normalised name (and company, for a consumer)."""
    require_perm(actor, Account.resource, "view")
    hits: dict[int, DuplicateHit] = {}
    qs = visible(actor, Account.objects.all())
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    try:
        email_n = normalize_email(email)
    except BadValue:
        email_n = ""
    phones: list[str] = []
    for raw in (mobile, phone):
        try:
            value = normalize_phone(raw)
        except BadValue:
            value = ""
        if value:
            phones.append(value)
    # One query per indexed key and no ORDER BY in SQL: an OR of keys sorted by id lets the
    # planner (SQLite's especially) walk the primary key and filter a million rows instead.
    checks: list[tuple[list[Q], str, int]] = []
    if email_n:
        checks.append(([Q(email_key=email_n)], "email", 90))
    if phones:
        # The reversed-digit columns are indexed (the E.164 columns are not).
        revs = [reversed_digits(p) for p in phones]
        checks.append(([Q(phone_rev__in=revs), Q(phone2_rev__in=revs)], "phone", 90))
    key = name_keys(name)[0] if name else ""
    if key:
        company_key = name_keys(company)[0] if company else ""
        checks.append(([Q(search_name=key)], "name", 70 if not company_key else 60))
    for queries, reason, score in checks:
        for account in _first_matches(qs, queries, limit):
            hit = hits.get(account.pk)
            if hit is None or hit.score < score:
                hits[account.pk] = DuplicateHit(account, reason, score)
    similar, core, core_pinyin = _similar_account_qs(name) if name else ([], "", "")
    if similar:
        # Similar name: the same name once company suffixes (有限公司, Co., Ltd. ...) are
        # stripped, or the same pinyin; prefix-indexed candidates, compared here, capped.
        found = 0
        for account in _first_matches(qs, similar, SIMILAR_CANDIDATES):
            if account.pk in hits:
                continue
            other_core, other_pinyin = company_core(account.name)
            if other_core == core or (core_pinyin and other_pinyin == core_pinyin):
                hits[account.pk] = DuplicateHit(account, "similar_name", SIMILAR_ACCOUNT_SCORE)
                found += 1
                if found >= limit:
                    break
    return sorted(hits.values(), key=lambda h: (-h.score, h.account.pk))[:limit]


@dataclass(frozen=True)
class DuplicatePair:
    a: Account
    b: Account
    reason: str
    score: int


def duplicates_scan(*, actor: User, limit: int = 100) -> list[DuplicatePair]:
    """Pairs of visible accounts sharing an e-mail, a mobile, or a normalised name, with a score."""
    from django.db.models import Count

    require_perm(actor, Account.resource, "view")
    base = visible(actor, Account.objects.all())
    pairs: dict[tuple[int, int], DuplicatePair] = {}
    for key, reason, score in (
        ("email_key", "email", 90),
        ("mobile", "phone", 90),
        ("search_name", "name", 60),
    ):
        values = list(
            base.exclude(**{key: ""})
            .values(key)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by("-n")
            .values_list(key, flat=True)[:limit]
        )
        if not values:
            continue
        groups: dict[str, list[Account]] = {}
        for account in base.filter(**{f"{key}__in": values}).select_related("owner").order_by("pk"):
            groups.setdefault(getattr(account, key), []).append(account)
        for members in groups.values():
            first = members[0]
            for other in members[1:]:
                pk = (first.pk, other.pk)
                if pk not in pairs or pairs[pk].score < score:
                    pairs[pk] = DuplicatePair(first, other, reason, score)
        if len(pairs) >= limit:
            break
    if len(pairs) < limit:
        _scan_similar_accounts(base, pairs, limit)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a.pk, p.b.pk))[:limit]


def _scan_similar_accounts(
    base: QuerySet[Account], pairs: dict[tuple[int, int], DuplicatePair], limit: int
) -> None:
    """Add pairs whose names are equal once company suffixes are stripped (or sound the same).

    One pass over the (capped) name keys, blocked on the stripped name and on its pinyin:
    linear in the rows, never a comparison of every pair."""
    blocks: dict[tuple[str, str], list[int]] = {}
    rows = base.exclude(search_name="").order_by("pk").values_list("pk", "name")
    for pk, name in rows[:SCAN_MAX_ROWS].iterator(chunk_size=2000):
        core, core_pinyin = company_core(name)
        if len(core) < 2:
            continue
        for block_key in {("n", core), ("p", core_pinyin)}:
            if block_key[1]:
                members = blocks.setdefault(block_key, [])
                if len(members) < SCAN_MAX_BLOCK:
                    members.append(pk)
    wanted: dict[tuple[int, int], None] = {}
    for members in blocks.values():
        for other in members[1:]:
            key = (members[0], other)
            if key not in pairs and key not in wanted:
                wanted[key] = None
                if len(pairs) + len(wanted) >= limit:
                    break
        if len(pairs) + len(wanted) >= limit:
            break
    if not wanted:
        return
    ids = {pk for key in wanted for pk in key}
    by_pk = base.filter(pk__in=ids).select_related("owner").in_bulk()
    for a_pk, b_pk in wanted:
        if a_pk in by_pk and b_pk in by_pk:
            pairs[(a_pk, b_pk)] = DuplicatePair(
                by_pk[a_pk], by_pk[b_pk], "similar_name", SIMILAR_ACCOUNT_SCORE
            )


@dataclass(frozen=True)
class ContactDuplicatePair:
    a: Contact
    b: Contact
    reason: str
    score: int


def _contact_scope(actor: User) -> QuerySet[Contact]:
    require_perm(actor, Contact.resource, "view")
    return visible(actor, Contact.objects.filter(account__deleted_at__isnull=True))


def contact_duplicates_for(
    *,
    actor: User,
    account_id: int,
    name: str,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Contact]:
    """Visible contacts of the same account (company) with a similar name (same pinyin,
    one character apart, or one name containing the other). One bounded query."""
    if not name_keys(name)[0]:
        return []
    qs = _contact_scope(actor).filter(account_id=account_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    out: list[Contact] = []
    for contact in qs.order_by("pk")[:SCAN_MAX_BLOCK]:
        if similar_person_names(name, contact.name):
            out.append(contact)
            if len(out) >= limit:
                break
    return out


def contact_duplicates_scan(*, actor: User, limit: int = 100) -> list[ContactDuplicatePair]:
    """Pairs of visible contacts at the same account with similar names, with a score.

    Blocked on the account: names are compared only within one account (capped per account),
    over a capped number of rows; two queries whatever the table size."""
    base = _contact_scope(actor)
    by_account: dict[int, list[tuple[int, str]]] = {}
    rows = base.order_by("account_id", "pk").values_list("pk", "account_id", "name")
    for pk, account_id, name in rows[:SCAN_MAX_ROWS].iterator(chunk_size=2000):
        members = by_account.setdefault(account_id, [])
        if len(members) < SCAN_MAX_BLOCK:
            members.append((pk, name))
    wanted: list[tuple[int, int]] = []
    for members in by_account.values():
        for i, (a_pk, a_name) in enumerate(members):
            for b_pk, b_name in members[i + 1 :]:
                if similar_person_names(a_name, b_name):
                    wanted.append((a_pk, b_pk))
                    if len(wanted) >= limit:
                        break
            if len(wanted) >= limit:
                break
        if len(wanted) >= limit:
            break
    if not wanted:
        return []
    ids = {pk for key in wanted for pk in key}
    by_pk = base.filter(pk__in=ids).select_related("account").in_bulk()
    return [
        ContactDuplicatePair(by_pk[a], by_pk[b], "similar_name", SIMILAR_CONTACT_SCORE)
        for a, b in wanted
        if a in by_pk and b in by_pk
    ]


def account_stages(*, ids: Iterable[int]) -> dict[int, str]:
    """Lifecycle stage per account id, for rule jobs that run without an actor (system reads)."""
    wanted = sorted(set(ids))
    stages: dict[int, str] = {}
    for start in range(0, len(wanted), 900):
        batch = wanted[start : start + 900]
        stages.update(Account.objects.filter(pk__in=batch).values_list("pk", "lifecycle_stage"))
    return stages
