"""Background work: domain events after commit, periodic jobs claimed once, deploy checks."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from guanxi.core.events import Event, dispatch, publish, subscribe
from guanxi.core.models import IdempotencyRecord, ScheduledJob
from guanxi.core.scheduling import scheduler_tick

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Pinged(Event):
    n: int


received: list[int] = []


@subscribe(Pinged)
def on_ping(event: Pinged) -> None:
    received.append(event.n)


@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_after_commit_and_dropped_on_rollback():
    received.clear()
    with transaction.atomic():
        publish(Pinged(1))
        assert received == []
    assert received == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(Pinged(2))
        raise RuntimeError
    assert received == [1]
    dispatch(Pinged(3))
    assert received == [1, 3]


def test_a_due_job_is_enqueued_once_per_interval(db, make_user):
    now = timezone.now()
    user = make_user("sales")
    IdempotencyRecord.objects.create(user=user, key="old", fingerprint="x", status_code=201)
    IdempotencyRecord.objects.filter(key="old").update(created_at=now - dt.timedelta(days=3))
    assert "core.purge_expired_bookkeeping" in scheduler_tick(now)
    # The immediate backend runs the task at once in tests.
    assert not IdempotencyRecord.objects.filter(key="old").exists()
    assert "core.purge_expired_bookkeeping" not in scheduler_tick(now + dt.timedelta(minutes=5))
    assert "core.purge_expired_bookkeeping" in scheduler_tick(
        now + dt.timedelta(hours=1, seconds=1)
    )
    job = ScheduledJob.objects.get(name="core.purge_expired_bookkeeping")
    assert job.next_run_at > now + dt.timedelta(hours=1)


def test_a_disabled_job_is_not_enqueued(db):
    now = timezone.now()
    ScheduledJob.objects.create(
        name="core.purge_expired_bookkeeping", next_run_at=now, enabled=False
    )
    assert "core.purge_expired_bookkeeping" not in scheduler_tick(now)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Browser tests relax async safety in their own process; a real deployment never does.
    env = {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_worker_runs_queued_tasks_from_the_database_queue(tmp_path):
    env = {**os.environ, "GUANXI_TESTING": "0", "GUANXI_DATA_DIR": str(tmp_path)}
    env.pop("GUANXI_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    assert _run(["-m", "guanxi.cli", "migrate", "-v0"], env).returncode == 0
    enqueue = (
        "import django; django.setup();"
        "from guanxi.core.tasks import purge_expired_bookkeeping as t;"
        "print(t.enqueue().id)"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    queued = _run(["-c", enqueue], env)
    assert queued.returncode == 0, queued.stderr
    ran = _run(["-m", "guanxi.cli", "worker", "--once", "--no-scheduler"], env)
    assert ran.returncode == 0, ran.stderr
    check = (
        "import django; django.setup();"
        "from django_tasks_db.models import DBTaskResult;"
        "print(sorted(DBTaskResult.objects.values_list('status', flat=True)))"
    )
    assert "SUCCESSFUL" in _run(["-c", check], env).stdout


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "GUANXI_ENV": "production",
        "GUANXI_TESTING": "0",
        "GUANXI_SECRET_KEY": "a" * 20 + "-production-secret-" + "Z9y8X7w6V5u4T3s2R1q0",
        "GUANXI_ALLOWED_HOSTS": "crm.example.cn",
        "GUANXI_DATA_DIR": str(tmp_path),
    }
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "GUANXI_ENV": "production",
        "GUANXI_TESTING": "0",
        "GUANXI_DATA_DIR": str(tmp_path),
    }
    env.pop("GUANXI_SECRET_KEY", None)
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "GUANXI_SECRET_KEY" in result.stderr
