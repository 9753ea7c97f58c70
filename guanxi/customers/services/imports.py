"""Importing accounts and contacts: upload → mapping → preview → chunked, resumable run.

Each chunk of rows commits in one transaction together with the job's cursor, so a crash
leaves either the whole chunk or none of it, and a restart continues at the cursor.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, Invalid, NotFound
from guanxi.core.models import User
from guanxi.core.permissions import require_perm
from guanxi.core.visibility import visible
from guanxi.customers.models import (
    Account,
    Contact,
    CustomFieldDef,
    Gender,
    ImportJob,
    ImportMapping,
    ImportRowError,
    LifecycleChange,
    LifecycleStage,
    Tag,
)
from guanxi.customers.normalize import (
    BadValue,
    PersonNameIndex,
    name_keys,
    normalize_email,
    normalize_phone,
)
from guanxi.customers.services.bulkwrite import new_row
from guanxi.customers.services.common import _coerce, audit_summary
from guanxi.customers.services.importfiles import (
    ALIASES,
    MAX_BYTES,
    REQUIRED,
    read_rows,
    suggest_mapping,
)

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1000
# A running import commits a chunk every second or so; one without progress for this long
# lost its worker (crash, restart, deploy) and is queued again, from its cursor.
STALE_AFTER = dt.timedelta(minutes=2)
# A queued import normally starts within seconds; one still waiting this long lost its task.
STALE_QUEUED_AFTER = dt.timedelta(minutes=15)
UPSERT_KEYS = {"account": ("email", "mobile", "name"), "contact": ("email", "mobile")}
_GENDERS = {
    "男": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
    "女": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE,
}  # fmt: skip
_KINDS = {
    "个人": Account.Kind.INDIVIDUAL, "individual": Account.Kind.INDIVIDUAL, "consumer": Account.Kind.INDIVIDUAL,
    "企业": Account.Kind.ORGANIZATION, "公司": Account.Kind.ORGANIZATION, "organization": Account.Kind.ORGANIZATION,
    "organisation": Account.Kind.ORGANIZATION,
}  # fmt: skip


def _custom_defs(entity: str) -> list[CustomFieldDef]:
    return list(CustomFieldDef.objects.filter(entity=entity))


@transaction.atomic
def import_create(*, actor: User, entity: str, filename: str, content: bytes) -> ImportJob:
    """Store an uploaded file as a draft import with a suggested column mapping."""
    require_perm(actor, "customers.import", "create")
    if entity not in ALIASES:
        raise Invalid(fields={"entity": [_("Import accounts or contacts.")]})
    if not content:
        raise Invalid(fields={"file": [_("The file is empty.")]})
    if len(content) > MAX_BYTES:
        raise Invalid(fields={"file": [_("The file is larger than 50 MB.")]})
    from guanxi.customers.services.importfiles import decode, is_xlsx

    encoding = "xlsx" if is_xlsx(filename, content) else decode(content)[1]
    headers, rows = read_rows(filename, content, "" if encoding == "xlsx" else encoding)
    if not any(headers):
        raise Invalid(fields={"file": [_("The first row must hold the column names.")]})
    total = sum(1 for _row in rows)
    defs = _custom_defs(entity)
    labels = {d.label_zh: d.key for d in defs} | {d.label_en: d.key for d in defs}
    mapping = suggest_mapping(entity, headers, labels)
    # A mapping the user saved for files with these same headers wins over the suggestion.
    for saved in ImportMapping.objects.filter(user=actor, entity=entity)[:20]:
        if set(saved.mapping) == {h for h in headers if h}:
            mapping = {h: saved.mapping.get(h, "") for h in headers}
            break
    job = ImportJob.objects.create(
        owner=actor,
        team_id=actor.team_id,
        entity=entity,
        filename=filename[:255],
        content=content,
        encoding=encoding,
        headers=headers,
        mapping=mapping,
        total_rows=total,
    )
    return job


def import_get(*, actor: User, job_id: Any) -> ImportJob:
    """An import the actor started (admins and managers see their reach's imports)."""
    require_perm(actor, "customers.import", "view")
    from guanxi.core.visibility import reach

    r = reach(actor)
    qs = ImportJob.objects.all()
    if not r.everything:
        qs = qs.filter(owner_id__in=r.user_ids | {actor.pk})
    try:
        return qs.defer("content").get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def _check_mapping(entity: str, mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    fields = set(ALIASES[entity]) | {f"cf:{d.key}" for d in _custom_defs(entity)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    seen: set[str] = set()
    for header, target in mapping.items():
        if header not in headers:
            errors[f"mapping.{header}"] = [_("No such column in the file.")]
            continue
        if not target:
            continue
        if target not in fields:
            errors[f"mapping.{header}"] = [_("Unknown field.")]
        elif target in seen:
            errors[f"mapping.{header}"] = [_("Two columns are mapped to the same field.")]
        else:
            clean[header] = target
            seen.add(target)
    missing = [f for f in REQUIRED[entity] if f not in seen]
    if missing:
        errors["mapping"] = [
            _("Required columns are missing: %(fields)s") % {"fields": ", ".join(missing)}
        ]
    if errors:
        raise Invalid(fields=errors)
    return clean


@transaction.atomic
def import_configure(
    *,
    actor: User,
    job: ImportJob,
    mapping: dict[str, str],
    policy: str = "skip",
    upsert_key: str = "email",
    save_as: str = "",
) -> ImportJob:
    """Set the column mapping and the duplicate policy of a draft import."""
    require_perm(actor, "customers.import", "change")
    if job.status != ImportJob.Status.DRAFT:
        raise Conflict(_("This import has already started."))
    errors: dict[str, list[str]] = {}
    if policy not in ImportJob.Policy.values:
        errors["policy"] = [_("Choose skip, update or create.")]
    if upsert_key not in UPSERT_KEYS[job.entity]:
        errors["upsert_key"] = [
            _("Match on one of: %(keys)s") % {"keys": ", ".join(UPSERT_KEYS[job.entity])}
        ]
    if errors:
        raise Invalid(fields=errors)
    job.mapping = _check_mapping(job.entity, mapping, list(job.headers))
    job.policy = policy
    job.upsert_key = upsert_key
    job.save(update_fields=["mapping", "policy", "upsert_key", "updated_at"])
    if save_as.strip():
        ImportMapping.objects.create(
            user=actor, entity=job.entity, name=save_as.strip()[:80], mapping=job.mapping
        )
    return job


@dataclass
class RowResult:
    row: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    account_name: str = ""


def _parse_date(value: str) -> dt.date:
    text = value.strip().replace("/", "-").replace(".", "-")
    for suffix in ("年", "月"):
        text = text.replace(suffix, "-")
    text = text.replace("日", "")
    parts = [p for p in text.split("-") if p]
    if len(parts) == 3:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    raise ValueError(value)


class RowParser:
    """Turns one mapped row into clean field values or per-field errors (no database)."""

    def __init__(self, entity: str, headers: list[str], mapping: dict[str, str]) -> None:
        self.entity = entity
        self.columns = [(i, mapping[h]) for i, h in enumerate(headers) if mapping.get(h)]
        self.defs = {d.key: d for d in _custom_defs(entity)}

    def parse(self, row_number: int, cells: list[str]) -> RowResult:
        result = RowResult(row=row_number)
        data = result.data
        custom: dict[str, Any] = {}
        for index, target in self.columns:
            value = cells[index].strip() if index < len(cells) else ""
            try:
                if target.startswith("cf:"):
                    defn = self.defs.get(target[3:])
                    if defn is not None and value:
                        custom[defn.key] = _coerce(defn, value)
                    elif defn is not None and defn.required:
                        raise BadValue(_("This field is required."))
                elif target == "email":
                    data["email"] = normalize_email(value)
                elif target in ("mobile", "phone"):
                    data[target] = normalize_phone(value)
                elif target == "tags":
                    result.tags = [
                        t.strip() for t in value.replace("，", ",").split(",") if t.strip()
                    ]
                elif target == "account":
                    result.account_name = value
                elif target == "gender":
                    if value and value.lower() not in _GENDERS:
                        raise BadValue(_("Unknown gender."))
                    data["gender"] = _GENDERS.get(value.lower(), "")
                elif target == "kind":
                    if value and value.lower() not in _KINDS:
                        raise BadValue(_("Unknown account kind."))
                    data["kind"] = _KINDS.get(value.lower(), Account.Kind.ORGANIZATION)
                elif target == "lifecycle_stage":
                    if value:
                        stage = _stage(value)
                        if stage is None:
                            raise BadValue(_("Unknown lifecycle stage."))
                        data["lifecycle_stage"] = stage
                elif target == "birthday":
                    data["birthday"] = _parse_date(value) if value else None
                else:
                    data[target] = value[:200] if target != "notes" else value
            except BadValue as exc:
                result.errors.append((target, _bad_message(target, exc)))
            except ValueError:
                result.errors.append((target, _("Enter a date as YYYY-MM-DD.")))
        if not data.get("name"):
            result.errors.append(("name", _("A name is required.")))
        if self.entity == "contact" and not result.account_name:
            result.errors.append(("account", _("The account (company) is required.")))
        if custom:
            data["custom"] = custom
        return result


def _bad_message(target: str, exc: BadValue) -> str:
    if target == "email":
        return _("Enter a valid e-mail address.")
    if target in ("mobile", "phone"):
        return _("Enter a valid phone number.")
    return str(exc)


def _stage(value: str) -> str | None:
    lowered = value.strip().lower()
    for choice in LifecycleStage:
        if lowered in (choice.value, str(choice.label).lower()):
            return str(choice.value)
    zh = {"线索": "lead", "潜在客户": "prospect", "新客户": "new", "活跃": "active", "忠诚": "loyal",
          "vip": "loyal", "有流失风险": "at_risk", "流失风险": "at_risk", "已流失": "churned", "流失": "churned",
          "赢回": "won_back", "挽回": "won_back"}  # fmt: skip
    return zh.get(lowered)


def import_preview(*, actor: User, job: ImportJob, limit: int = 20) -> list[RowResult]:
    """The first rows as they would be imported, with their problems; nothing is written."""
    require_perm(actor, "customers.import", "view")
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).first()
    headers, rows = read_rows(
        job.filename, bytes(content or b""), "" if job.encoding == "xlsx" else job.encoding
    )
    parser = RowParser(job.entity, headers, job.mapping)
    out: list[RowResult] = []
    for i, cells in enumerate(rows):
        if i >= limit:
            break
        out.append(parser.parse(i + 2, cells))
    return out


@transaction.atomic
def import_start(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue a configured import to run in the background."""
    require_perm(actor, "customers.import", "change")
    # A job left "running" by a worker that died (no progress for 10 minutes) may be resumed.
    stale = job.status == ImportJob.Status.RUNNING and job.updated_at < timezone.now() - STALE_AFTER
    if job.status not in (ImportJob.Status.DRAFT, ImportJob.Status.FAILED) and not stale:
        raise Conflict(_("This import has already started."))
    _check_mapping(job.entity, dict(job.mapping), list(job.headers))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, message="")
    job.status = ImportJob.Status.QUEUED
    from guanxi.customers.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def _keys_of(entity: str, data: dict[str, Any]) -> list[str]:
    keys = []
    if data.get("email"):
        keys.append("e:" + data["email"])
    if data.get("mobile"):
        keys.append("m:" + data["mobile"])
    return keys


@dataclass
class _RunState:
    """What one run of an import remembers across its chunks."""

    seen: dict[str, int] = field(default_factory=dict)  # key -> first row with it
    # Contacts of the accounts met so far, for "similar name at the same account" warnings:
    # loaded once per account, then only the rows added since (`watermark`).
    names: PersonNameIndex = field(default_factory=PersonNameIndex)
    loaded_accounts: set[int] = field(default_factory=set)
    watermark: int = 0


def import_process(
    job_id: int,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_chunks: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportJob:
    """Run (or resume) an import from its cursor, one atomic chunk at a time."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.DRAFT):
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, updated_at=timezone.now()
    )
    actor = job.owner
    headers, rows = read_rows(
        job.filename, bytes(job.content), "" if job.encoding == "xlsx" else job.encoding
    )
    parser = RowParser(job.entity, headers, job.mapping)
    state = _RunState()
    seen = state.seen
    chunk: list[tuple[int, list[str]]] = []
    done_chunks = 0
    try:
        for index, cells in enumerate(rows):
            if index < job.cursor:
                # Already imported: only remember its keys for in-file duplicate checks.
                result = parser.parse(index + 2, cells)
                if not result.errors:
                    for key in _keys_of(job.entity, result.data):
                        seen.setdefault(key, index + 2)
                continue
            chunk.append((index, cells))
            if len(chunk) >= chunk_size:
                _run_chunk(job, actor, parser, chunk, state)
                if on_progress is not None:
                    on_progress(chunk[-1][0] + 1)
                chunk = []
                done_chunks += 1
                if max_chunks is not None and done_chunks >= max_chunks:
                    job.refresh_from_db()
                    return job
        if chunk:
            _run_chunk(job, actor, parser, chunk, state)
            if on_progress is not None:
                on_progress(chunk[-1][0] + 1)
    except _Superseded:
        # Another run of this job (resumed while this one was stalled) got ahead: it finishes.
        logger.warning("import %s: another run continues it; this one stops", job.pk)
        job.refresh_from_db()
        return job
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, message=str(exc)[:255]
        )
        job.refresh_from_db()
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


class _Superseded(Exception):
    """The job's cursor moved under this run: another run of the same job is ahead."""


def import_resume_stale(now: dt.datetime | None = None) -> list[int]:
    """Queue again the imports whose worker went away (see STALE_AFTER); returns their ids.

    Each job is claimed with a conditional UPDATE, so several schedulers queue it once, and a
    chunk only commits when the job's cursor is where its run expects it, so a run that was
    only slow and comes back cannot write a chunk twice.
    """
    now = now or timezone.now()
    stale = ImportJob.objects.filter(
        Q(status=ImportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
        | Q(status=ImportJob.Status.QUEUED, updated_at__lt=now - STALE_QUEUED_AFTER)
    ).values_list("pk", "status", "updated_at")
    from guanxi.customers.tasks import run_import

    resumed = []
    for pk, status, updated_at in stale:
        claimed = ImportJob.objects.filter(pk=pk, status=status, updated_at=updated_at).update(
            status=ImportJob.Status.QUEUED, updated_at=now, message=""
        )
        if claimed:
            run_import.enqueue(pk)
            resumed.append(pk)
            logger.warning("import %s had no progress since %s: queued again", pk, updated_at)
    return resumed


def _first_visible(
    actor: User, model: type[Any], field_name: str, values: set[str], *columns: str
) -> dict[str, tuple[Any, ...]]:
    """Key value -> `columns` of the first (lowest id) visible record with that value."""
    if not values:
        return {}
    qs = visible(actor, model.objects.filter(**{f"{field_name}__in": sorted(values)}))
    out: dict[str, tuple[Any, ...]] = {}
    for key, *row in qs.order_by("pk").values_list(field_name, *columns):
        out.setdefault(key, tuple(row))
    return out


def _visible_matches(
    actor: User, model: type[Any], field_name: str, values: set[str], *, full: bool
) -> dict[str, Any]:
    """The first visible record per key value: the whole record when it is to be updated,
    else a stand-in with only its id (skipping needs nothing more)."""
    first = {
        key: row[0] for key, row in _first_visible(actor, model, field_name, values, "pk").items()
    }
    if not full:
        return {key: SimpleNamespace(pk=pk) for key, pk in first.items()}
    by_pk = model.objects.in_bulk(list(first.values()))
    return {key: by_pk[pk] for key, pk in first.items() if pk in by_pk}


def _key_field(upsert_key: str) -> str:
    return {"email": "email_key", "mobile": "mobile", "name": "search_name"}[upsert_key]


def _key_value(upsert_key: str, data: dict[str, Any]) -> str:
    if upsert_key == "name":
        return name_keys(data.get("name", ""))[0]
    return str(data.get(upsert_key) or "")


@transaction.atomic
def _run_chunk(
    job: ImportJob,
    actor: User,
    parser: RowParser,
    chunk: list[tuple[int, list[str]]],
    state: _RunState,
) -> None:
    seen = state.seen
    cursor = ImportJob.objects.select_for_update().filter(pk=job.pk).values_list("cursor")
    if cursor.first() != (chunk[0][0],):
        raise _Superseded()
    model: type[Any] = Account if job.entity == "account" else Contact
    results = [parser.parse(index + 2, cells) for index, cells in chunk]
    errors: list[ImportRowError] = []
    valid: list[RowResult] = []
    local_seen: dict[str, int] = {}
    for r in results:
        if r.errors:
            errors.extend(
                ImportRowError(job=job, row=r.row, field=f, message=m) for f, m in r.errors
            )
            continue
        dup_of = next(
            (
                seen.get(k) or local_seen.get(k)
                for k in _keys_of(job.entity, r.data)
                if k in seen or k in local_seen
            ),
            None,
        )
        if dup_of is not None:
            errors.append(
                ImportRowError(
                    job=job,
                    row=r.row,
                    field="",
                    kind="duplicate",
                    message=_("Duplicate of row %(row)s in this file.") % {"row": dup_of},
                )
            )
            continue
        for k in _keys_of(job.entity, r.data):
            local_seen[k] = r.row
        valid.append(r)
    accounts_by_name: dict[str, tuple[Any, ...]] = {}
    if job.entity == "contact":
        names = {name_keys(r.account_name)[0] for r in valid}
        accounts_by_name = _first_visible(
            actor, Account, "search_name", names, "pk", "owner_id", "team_id"
        )
        still: list[RowResult] = []
        for r in valid:
            if name_keys(r.account_name)[0] not in accounts_by_name:
                errors.append(
                    ImportRowError(
                        job=job,
                        row=r.row,
                        field="account",
                        message=_("Unknown account: %(name)s") % {"name": r.account_name[:100]},
                    )
                )
            else:
                still.append(r)
        valid = still
    key_field = _key_field(job.upsert_key)
    existing: dict[str, Any] = {}
    if job.policy != ImportJob.Policy.CREATE:
        existing = _visible_matches(
            actor,
            model,
            key_field,
            {v for r in valid if (v := _key_value(job.upsert_key, r.data))},
            full=job.policy == ImportJob.Policy.UPDATE,
        )
    to_create: list[Any] = []
    create_tags: list[list[str]] = []
    create_rows: list[int] = []
    to_update: dict[int, Any] = {}
    update_fields: set[str] = set()
    skipped = 0
    now = timezone.now()
    for r in valid:
        match = existing.get(_key_value(job.upsert_key, r.data)) if existing else None
        if match is not None and job.policy == ImportJob.Policy.SKIP:
            skipped += 1
            errors.append(
                ImportRowError(
                    job=job,
                    row=r.row,
                    kind="duplicate",
                    message=_("Already exists as #%(id)s; skipped.") % {"id": match.pk},
                )
            )
            continue
        if match is not None:
            obj = to_update.get(match.pk, match)
            for name, value in r.data.items():
                if value not in (None, "", {}):
                    setattr(obj, name, value)
                    update_fields.add(name)
            _fill_keys(obj)
            obj.version += 1
            obj.updated_at = now
            to_update[match.pk] = obj
            continue
        data = dict(r.data)
        if job.entity == "contact":
            account_id, owner_id, team_id = accounts_by_name[name_keys(r.account_name)[0]]
            obj = new_row(
                Contact, **data, account_id=account_id, owner_id=owner_id, team_id=team_id
            )
        else:
            obj = Account(**data, owner_id=actor.pk, team_id=actor.team_id)
        _fill_keys(obj)
        obj.created_at = obj.updated_at = now
        to_create.append(obj)
        create_tags.append(r.tags)
        create_rows.append(r.row)
    warnings = _similar_warnings(job, actor, to_create, create_rows, state)
    if job.entity == "contact":
        # Contacts need no ids back: the fast path (executemany of plain tuples).
        from guanxi.customers.services.bulkwrite import insert_rows

        insert_rows(Contact, to_create)
        created = to_create
    else:
        created = model.objects.bulk_create(to_create, batch_size=500)
    if job.entity == "account" and created:
        LifecycleChange.objects.bulk_create(
            [
                LifecycleChange(account=a, to_stage=a.lifecycle_stage, source="import", actor=actor)
                for a in created
            ],
            batch_size=500,
        )
        _bulk_tags(created, create_tags)
    if to_update:
        from guanxi.customers.services.common import SEARCH_FIELDS

        model.objects.bulk_update(
            list(to_update.values()),
            sorted(update_fields | set(SEARCH_FIELDS) | {"version", "updated_at"}),
            batch_size=500,
        )
    ImportRowError.objects.bulk_create(errors + warnings, batch_size=500)
    for r in valid:
        for k in _keys_of(job.entity, r.data):
            seen.setdefault(k, r.row)
    error_rows = len({e.row for e in errors}) - skipped
    ImportJob.objects.filter(pk=job.pk).update(
        cursor=chunk[-1][0] + 1,
        created_count=F("created_count") + len(created),
        updated_count=F("updated_count") + len(to_update),
        skipped_count=F("skipped_count") + skipped,
        error_count=F("error_count") + error_rows,
        updated_at=now,
    )
    audit_summary(
        actor=actor,
        action="create",
        model=model,
        changes={
            "import_id": job.pk,
            "rows": [chunk[0][0] + 2, chunk[-1][0] + 2],
            "created": len(created),
            "updated": len(to_update),
        },
    )


# Company-form suffixes tried when looking for an existing account with a similar name.
_SIMILAR_SUFFIXES = ("", "有限公司", "有限责任公司", "股份有限公司", "集团", "集团有限公司", "公司")
_SIMILAR_CAP = 20000


def _similar_warnings(
    job: ImportJob, actor: User, new: list[Any], rows: list[int], state: _RunState
) -> list[ImportRowError]:
    """Non-blocking report lines for new rows that look like existing records: an account
    whose name is the same once company suffixes are stripped, or a contact with a similar
    name at the same account. One indexed query per chunk; the rows are still imported."""
    from guanxi.customers.normalize import company_core

    out: list[ImportRowError] = []
    if not new:
        return out
    if job.entity == "account":
        wanted: dict[str, list[int]] = {}
        for obj, row in zip(new, rows, strict=True):
            core = company_core(obj.name)[0]
            if len(core) < 2:
                continue
            for suffix in _SIMILAR_SUFFIXES:
                wanted.setdefault((core + suffix)[:200], []).append(row)
        if not wanted:
            return out
        found = visible(actor, Account.objects.filter(search_name__in=sorted(wanted)))
        flagged: set[int] = set()
        for pk, key, name in found.order_by("pk").values_list("pk", "search_name", "name")[
            :_SIMILAR_CAP
        ]:
            for row in wanted.get(key, []):
                if row not in flagged:
                    flagged.add(row)
                    out.append(_similar_line(job, row, pk, name))
        return out
    _load_names(state, {obj.account_id for obj in new})
    for obj, row in zip(new, rows, strict=True):
        pk = state.names.find(obj.account_id, obj.name)
        if pk is not None:
            out.append(_similar_line(job, row, pk, state.names.name_of(pk)))
    return out


def _load_names(state: _RunState, account_ids: set[int]) -> None:
    """Bring the name index up to date for these accounts: every contact of an account not
    met before, and the contacts added since the last load for the others."""
    new_ids = account_ids - state.loaded_accounts
    loaded = state.loaded_accounts
    watermark = state.watermark
    contacts = Contact.objects.values_list("pk", "account_id", "name")
    if loaded:
        # Everything added since the last load (mostly this run's own rows): a range of the
        # primary key, kept for the accounts already indexed.
        for pk, account_id, name in contacts.filter(pk__gt=watermark).iterator(chunk_size=5000):
            if account_id in loaded:
                state.names.add(account_id, pk, name)
            state.watermark = max(state.watermark, pk)
    if new_ids:
        rows = contacts.filter(account_id__in=sorted(new_ids))
        for pk, account_id, name in rows.iterator(chunk_size=5000):
            state.names.add(account_id, pk, name)
            state.watermark = max(state.watermark, pk)
    state.loaded_accounts |= new_ids


def _similar_line(job: ImportJob, row: int, pk: int, name: str) -> ImportRowError:
    return ImportRowError(
        job=job,
        row=row,
        field="name",
        kind="similar",
        message=_("Imported, but similar to existing #%(id)s %(name)s; review the duplicates.")
        % {"id": pk, "name": name[:100]},
    )


def _fill_keys(obj: Any) -> None:
    from guanxi.customers.services.common import fill_search_keys

    fill_search_keys(obj)


def _bulk_tags(accounts: list[Account], tags: list[list[str]]) -> None:
    names = {n[:60] for names in tags for n in names}
    if not names:
        return
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    by_name = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    through = Account.tags.through
    links = [
        through(account_id=a.pk, tag_id=by_name[n[:60]])
        for a, names_ in zip(accounts, tags, strict=True)
        for n in set(names_)
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)


def import_errors_csv(*, actor: User, job: ImportJob) -> bytes:
    """The per-row problems as a CSV file (UTF-8 with BOM so Excel opens it in Chinese)."""
    import csv
    import io

    require_perm(actor, "customers.import", "view")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("row"), _("field"), _("kind"), _("message")])
    for e in job.row_errors.all().iterator():
        writer.writerow([e.row, e.field, e.kind, e.message])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def iter_saved_mappings(*, actor: User, entity: str) -> Iterator[ImportMapping]:
    yield from ImportMapping.objects.filter(user=actor, entity=entity)[:20]
