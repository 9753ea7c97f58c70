"""Periodic jobs: a registry of tasks with an interval, run by the worker's scheduler.

Each job has a row in ScheduledJob; a worker claims a due job with a conditional
UPDATE on next_run_at, so with several workers each run is enqueued exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    task: Any  # a django_tasks Task


_JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, every: dt.timedelta, task: Any) -> PeriodicJob:
    """Run `task` every `every`; call at import time of the app's `tasks.py`."""
    job = PeriodicJob(name, every, task)
    _JOBS[name] = job
    return job


def jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


def scheduler_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due job once; return the names enqueued."""
    from guanxi.core.models import ScheduledJob

    now = now or timezone.now()
    enqueued: list[str] = []
    for job in jobs():
        row, _created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"next_run_at": now}
        )
        if not row.enabled or row.next_run_at > now:
            continue
        claimed = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=now + job.every, last_run_at=now
        )
        if claimed != 1:
            continue  # another worker took it
        result = job.task.enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(last_result_id=str(result.id))
        enqueued.append(job.name)
        logger.info("scheduled job %s enqueued as %s", job.name, result.id)
    return enqueued
