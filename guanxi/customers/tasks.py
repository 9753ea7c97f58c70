"""Background work of the customers app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from guanxi.core.scheduling import periodic


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Run (or resume) an import job from its cursor."""
    from guanxi.customers.services.imports import import_process

    job = import_process(job_id)
    return {"status": job.status, "cursor": job.cursor, "created": job.created_count}


@task()
def resume_stale_imports() -> list[int]:
    """Queue again the imports whose worker stopped in the middle (they resume at the cursor)."""
    from guanxi.customers.services.imports import import_resume_stale

    return import_resume_stale()


periodic("customers.resume_stale_imports", dt.timedelta(minutes=1), resume_stale_imports)


@task()
def send_task_reminders() -> dict[str, int]:
    """Remind assignees of open tasks whose reminder time has come (each reminder once)."""
    from guanxi.customers.services.reminders import activity_reminders_send

    return {"reminded": activity_reminders_send()}


periodic("customers.send_task_reminders", dt.timedelta(minutes=1), send_task_reminders)
