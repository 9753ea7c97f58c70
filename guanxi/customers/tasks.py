"""Background work of the customers app."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Run (or resume) an import job from its cursor."""
    from guanxi.customers.services.imports import import_process

    job = import_process(job_id)
    return {"status": job.status, "cursor": job.cursor, "created": job.created_count}
