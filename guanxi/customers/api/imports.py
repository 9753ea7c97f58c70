"""Imports: upload, map, preview, start, follow progress, download per-row errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from guanxi.core.http import actor_of
from guanxi.customers.api.common import file_response
from guanxi.customers.schemas import ImportConfigIn, ImportDetailOut, ImportOut, ImportPreviewRow
from guanxi.customers.services import imports

router = Router()


@router.post("/imports", response={201: ImportOut}, summary="Upload a CSV/XLSX file to import")
def import_create(
    request: HttpRequest, file: File[UploadedFile], entity: Form[str] = "account"
) -> Status[Any]:
    job = imports.import_create(
        actor=actor_of(request),
        entity=entity,
        filename=file.name or "import.csv",
        content=file.read(),
    )
    return Status(201, job)


@router.get("/imports/{import_id}", response=ImportDetailOut)
def import_detail(request: HttpRequest, import_id: int) -> Any:
    job = imports.import_get(actor=actor_of(request), job_id=import_id)
    job.errors = list(job.row_errors.all()[:200])  # type: ignore[attr-defined]
    return job


@router.put("/imports/{import_id}/mapping", response=ImportOut)
def import_configure(request: HttpRequest, import_id: int, payload: ImportConfigIn) -> Any:
    actor = actor_of(request)
    job = imports.import_get(actor=actor, job_id=import_id)
    return imports.import_configure(actor=actor, job=job, **payload.dict())


@router.get("/imports/{import_id}/preview", response=list[ImportPreviewRow])
def import_preview(request: HttpRequest, import_id: int, limit: int = 20) -> Any:
    actor = actor_of(request)
    job = imports.import_get(actor=actor, job_id=import_id)
    rows = imports.import_preview(actor=actor, job=job, limit=min(max(limit, 1), 100))
    return [{"row": r.row, "data": r.data, "errors": [list(e) for e in r.errors]} for r in rows]


@router.post("/imports/{import_id}/start", response=ImportOut)
def import_start(request: HttpRequest, import_id: int) -> Any:
    actor = actor_of(request)
    job = imports.import_start(actor=actor, job=imports.import_get(actor=actor, job_id=import_id))
    return imports.import_get(actor=actor, job_id=job.pk)


@router.get("/imports/{import_id}/errors.csv", summary="Per-row problems as a CSV file")
def import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    actor = actor_of(request)
    job = imports.import_get(actor=actor, job_id=import_id)
    return file_response(
        imports.import_errors_csv(actor=actor, job=job),
        "text/csv; charset=utf-8",
        f"import-{job.pk}-errors.csv",
    )
