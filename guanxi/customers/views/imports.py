"""Import pages: upload → mapping and preview → run with a progress bar → per-row errors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from guanxi.core.errors import DomainError, Invalid
from guanxi.customers.forms import ImportMappingForm, ImportUploadForm, apply_error
from guanxi.customers.models import CustomFieldDef, ImportJob
from guanxi.customers.services import imports
from guanxi.customers.services.importfiles import ALIASES
from guanxi.customers.views.common import actor, file_response, render_page

FIELD_LABELS = {
    "name": _("Name"), "name_en": _("English / pinyin name"), "kind": _("Kind"),
    "email": _("E-mail"), "mobile": _("Mobile"), "phone": _("Phone"), "wechat": _("WeChat ID"),
    "province": _("Province"), "city": _("City"), "district": _("District"),
    "street": _("Street address"), "industry": _("Industry"), "region": _("Region"),
    "source": _("Source / channel"), "lifecycle_stage": _("Lifecycle stage"),
    "gender": _("Gender"), "birthday": _("Birthday"), "tags": _("Tags"), "notes": _("Notes"),
    "account": _("Account (company)"), "title": _("Job title"),
}  # fmt: skip


def _targets(entity: str) -> list[tuple[str, str]]:
    out = [(f, str(FIELD_LABELS.get(f, f))) for f in ALIASES[entity]]
    out += [(f"cf:{d.key}", d.label_zh) for d in CustomFieldDef.objects.filter(entity=entity)]
    return out


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_create(
                actor=actor(request), entity=form.cleaned_data["entity"],
                filename=upload.name, content=upload.read(),
            )  # fmt: skip
        except Invalid as exc:
            apply_error(form, exc)
        else:
            return redirect("customers:import-detail", import_id=job.pk)
    jobs = ImportJob.objects.filter(owner=actor(request)).defer("content")[:10]
    return render_page(
        request, "customers/import_new.html", {"form": form, "jobs": jobs},
        status=422 if form.errors else 200,
    )  # fmt: skip


@login_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    user = actor(request)
    job = imports.import_get(actor=user, job_id=import_id)
    form = ImportMappingForm(
        request.POST or None,
        headers=list(job.headers),
        targets=_targets(job.entity),
        initial_mapping=dict(job.mapping),
        initial={"policy": job.policy, "upsert_key": job.upsert_key},
    )
    if request.method == "POST" and job.status == ImportJob.Status.DRAFT and form.is_valid():
        try:
            job = imports.import_configure(
                actor=user, job=job, mapping=form.mapping(), policy=form.cleaned_data["policy"],
                upsert_key=form.cleaned_data["upsert_key"], save_as=form.cleaned_data["save_as"],
            )  # fmt: skip
            if "start" in request.POST:
                imports.import_start(actor=user, job=job)
            return redirect("customers:import-detail", import_id=job.pk)
        except DomainError as exc:
            apply_error(form, exc)
    preview = (
        imports.import_preview(actor=user, job=job, limit=10)
        if job.status == ImportJob.Status.DRAFT
        else []
    )
    context = {
        "job": job,
        "form": form,
        "preview": preview,
        "errors": job.row_errors.all()[:100],
        "mapped": [h for h in job.headers if job.mapping.get(h)],
    }
    return render_page(
        request, "customers/import_detail.html", context, status=422 if form.errors else 200
    )


@login_required
def import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress card, polled by HTMX while the import runs."""
    job = imports.import_get(actor=actor(request), job_id=import_id)
    context = {"job": job, "errors": job.row_errors.all()[:100]}
    return render_page(request, "customers/_import_progress.html", context)


@login_required
def import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    user = actor(request)
    job = imports.import_get(actor=user, job_id=import_id)
    return file_response(
        imports.import_errors_csv(actor=user, job=job),
        "text/csv; charset=utf-8",
        f"import-{job.pk}-errors.csv",
    )
