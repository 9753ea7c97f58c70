"""Imports: encodings, mapping, per-row errors, duplicates, policies, chunked resumable runs."""

from __future__ import annotations

import io

import pytest

from guanxi.core.errors import Invalid
from guanxi.customers.models import Account, Contact, ImportJob
from guanxi.customers.services import imports

pytestmark = pytest.mark.django_db

CSV = (
    "客户名称,手机,邮箱,城市,标签\n"
    "上海华信贸易有限公司,13800138000,info@huaxin.cn,上海市,VIP\n"
    "坏手机,12345,ok@ok.cn,北京市,\n"
    "坏邮箱,13900139000,not-an-email,北京市,\n"
    ",13700137000,noname@x.cn,北京市,\n"
    "华信重复,138-0013-8000,other@huaxin.cn,上海市,\n"
    "深圳恒通科技,13600136000,hr@hengtong.cn,深圳市,老客户\n"
)


def _run(
    capture,
    actor,
    content: bytes,
    *,
    filename="customers.csv",
    entity="account",
    policy="skip",
    upsert_key="email",
):
    job = imports.import_create(actor=actor, entity=entity, filename=filename, content=content)
    job = imports.import_configure(
        actor=actor, job=job, mapping=dict(job.mapping), policy=policy, upsert_key=upsert_key
    )
    with capture(execute=True):
        imports.import_start(actor=actor, job=job)  # the immediate backend runs it on commit
    return ImportJob.objects.get(pk=job.pk)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_bad_rows_are_reported_row_by_row_and_valid_rows_land_once(
    org, django_capture_on_commit_callbacks, encoding
):
    job = _run(django_capture_on_commit_callbacks, org["rep"], CSV.encode(encoding))
    assert job.status == "done", job.message
    assert sorted(Account.objects.values_list("name", flat=True)) == [
        "上海华信贸易有限公司",
        "深圳恒通科技",
    ]
    problems = {(e.row, e.field, e.kind) for e in job.row_errors.all()}
    assert problems == {
        (3, "mobile", "error"),
        (4, "email", "error"),
        (5, "name", "error"),
        (6, "", "duplicate"),
    }
    assert (job.created_count, job.error_count, job.cursor, job.total_rows) == (2, 4, 6, 6)
    vip = Account.objects.get(name="上海华信贸易有限公司")
    assert vip.mobile == "+8613800138000" and list(vip.tags.values_list("name", flat=True)) == [
        "VIP"
    ]
    assert vip.search_initials == "shhxmyyxgs"


def test_running_the_same_file_again_skips_what_exists(org, django_capture_on_commit_callbacks):
    _run(django_capture_on_commit_callbacks, org["rep"], CSV.encode())
    job = _run(django_capture_on_commit_callbacks, org["rep"], CSV.encode())
    assert Account.objects.count() == 2
    assert job.created_count == 0 and job.skipped_count == 2


def test_update_policy_upserts_on_the_chosen_key(
    org, make_account, django_capture_on_commit_callbacks
):
    old = make_account("旧名字", email="info@huaxin.cn")
    job = _run(
        django_capture_on_commit_callbacks,
        org["rep"],
        CSV.encode(),
        policy="update",
        upsert_key="email",
    )
    old.refresh_from_db()
    assert job.updated_count == 1 and old.name == "上海华信贸易有限公司" and old.city == "上海市"
    assert old.version == 2 and old.search_pinyin.startswith("shanghai")


def test_missing_required_columns_are_refused_before_anything_runs(org):
    job = imports.import_create(
        actor=org["rep"],
        entity="account",
        filename="x.csv",
        content="手机,邮箱\n13800138000,a@b.cn\n".encode(),
    )
    with pytest.raises(Invalid) as exc:
        imports.import_configure(actor=org["rep"], job=job, mapping=dict(job.mapping))
    assert "mapping" in exc.value.fields
    assert not Account.objects.exists()


def test_an_empty_or_undecodable_file_is_refused(org):
    with pytest.raises(Invalid):
        imports.import_create(actor=org["rep"], entity="account", filename="x.csv", content=b"")
    with pytest.raises(Invalid):
        imports.import_create(
            actor=org["rep"], entity="account", filename="x.csv", content=b"\xff\xfe\x00\xd8" * 10
        )


def test_a_crash_mid_import_leaves_whole_chunks_and_a_restart_continues(org, monkeypatch):
    rows = "".join(f"客户{i},1380013{8000 + i:04d},c{i}@x.cn\n" for i in range(25))
    job = imports.import_create(
        actor=org["rep"],
        entity="account",
        filename="x.csv",
        content=("名称,手机,邮箱\n" + rows).encode(),
    )
    job = imports.import_configure(actor=org["rep"], job=job, mapping=dict(job.mapping))
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    real = imports._run_chunk
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            # Half of the chunk is written, then the process dies: the chunk must roll back.
            Account.objects.create(name="半截", owner=org["rep"])
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        imports,
        "_run_chunk",
        lambda *a, **k: __import__("django.db").db.transaction.atomic()(crash_on_second)(*a, **k),
    )
    job = imports.import_process(job.pk, chunk_size=10)
    assert job.status == "failed" and job.cursor == 10
    assert Account.objects.count() == 10 and not Account.objects.filter(name="半截").exists()
    monkeypatch.setattr(imports, "_run_chunk", real)
    job = imports.import_process(job.pk, chunk_size=10)
    assert job.status == "done" and job.cursor == 25
    assert Account.objects.count() == 25 and job.created_count == 25


def test_in_file_duplicates_are_caught_across_a_resume(org):
    content = "名称,邮箱\n甲,a@x.cn\n乙,b@x.cn\n丙,a@x.cn\n".encode()
    job = imports.import_create(
        actor=org["rep"], entity="account", filename="x.csv", content=content
    )
    job = imports.import_configure(
        actor=org["rep"], job=job, mapping=dict(job.mapping), policy="create"
    )
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    imports.import_process(job.pk, chunk_size=1, max_chunks=1)
    job = imports.import_process(job.pk, chunk_size=1)
    assert sorted(Account.objects.values_list("name", flat=True)) == ["乙", "甲"]
    assert (
        job.row_errors.get().message.startswith("Duplicate of row 2")
        or "2" in job.row_errors.get().message
    )


def test_xlsx_contacts_import_links_to_accounts_by_name(
    org, make_account, django_capture_on_commit_callbacks
):
    import openpyxl

    make_account("华信贸易")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["公司", "姓名", "职位", "手机"])
    sheet.append(["华信贸易", "张经理", "采购", 13800138000])
    sheet.append(["不存在公司", "李四", "", 13900139000])
    buf = io.BytesIO()
    book.save(buf)
    job = _run(
        django_capture_on_commit_callbacks,
        org["rep"],
        buf.getvalue(),
        filename="contacts.xlsx",
        entity="contact",
        upsert_key="mobile",
    )
    assert job.encoding == "xlsx"
    assert list(Contact.objects.values_list("name", "mobile")) == [("张经理", "+8613800138000")]
    assert [(e.row, e.field) for e in job.row_errors.all()] == [(3, "account")]


def test_errors_download_as_csv_and_the_api_walks_the_whole_flow(
    org, api_as, django_capture_on_commit_callbacks
):
    from django.test import Client

    api = api_as(org["rep"])
    client = Client(HTTP_AUTHORIZATION=api.client.defaults["HTTP_AUTHORIZATION"])
    upload = io.BytesIO(CSV.encode("gbk"))
    upload.name = "gbk.csv"
    r = client.post("/api/v1/customers/imports", {"file": upload, "entity": "account"})
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["encoding"] == "gb18030" and job["mapping"]["客户名称"] == "name"
    preview = api.get(f"/customers/imports/{job['id']}/preview").json()
    assert (
        preview[1]["errors"] == [["mobile", "Enter a valid phone number."]]
        or preview[1]["errors"][0][0] == "mobile"
    )
    assert (
        api.put(
            f"/customers/imports/{job['id']}/mapping", {"mapping": {"手机": "mobile"}}
        ).status_code
        == 422
    )
    assert (
        api.put(f"/customers/imports/{job['id']}/mapping", {"mapping": job["mapping"]}).status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/customers/imports/{job['id']}/start").status_code == 200
    detail = api.get(f"/customers/imports/{job['id']}").json()
    assert detail["status"] == "done" and detail["percent"] == 100 and len(detail["errors"]) == 4
    csv_body = api.get(f"/customers/imports/{job['id']}/errors.csv").content.decode("utf-8-sig")
    assert "not-an-email" not in csv_body and csv_body.count("\n") == 5
    assert api_as(org["stranger"]).get(f"/customers/imports/{job['id']}").status_code == 404


def test_a_saved_mapping_is_reused_for_files_with_the_same_headers(org):
    content = "甲列,乙列\n华信,13800138000\n".encode()
    job = imports.import_create(
        actor=org["rep"], entity="account", filename="x.csv", content=content
    )
    assert job.mapping == {"甲列": "", "乙列": ""}
    imports.import_configure(
        actor=org["rep"], job=job, mapping={"甲列": "name", "乙列": "mobile"}, save_as="供应商表"
    )
    again = imports.import_create(
        actor=org["rep"], entity="account", filename="y.csv", content=content
    )
    assert again.mapping == {"甲列": "name", "乙列": "mobile"}


def test_an_import_stuck_by_a_dead_worker_can_be_resumed(org, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from guanxi.core.errors import Conflict

    content = "名称\n甲\n乙\n".encode()
    job = imports.import_create(
        actor=org["rep"], entity="account", filename="x.csv", content=content
    )
    job = imports.import_configure(actor=org["rep"], job=job, mapping=dict(job.mapping))
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    with pytest.raises(Conflict):
        imports.import_start(actor=org["rep"], job=job)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_start(actor=org["rep"], job=job)
    assert ImportJob.objects.get(pk=job.pk).status == "done" and Account.objects.count() == 2


def _queued_accounts(org, count: int) -> ImportJob:
    rows = "".join(f"客户{i},c{i}@x.cn\n" for i in range(count))
    job = imports.import_create(
        actor=org["rep"], entity="account", filename="x.csv", content=f"名称,邮箱\n{rows}".encode()
    )
    job = imports.import_configure(actor=org["rep"], job=job, mapping=dict(job.mapping))
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    return job


def test_a_worker_restart_resumes_a_running_import_by_itself(org, monkeypatch):
    """The worker dies after two chunks: the scheduler queues the job again once, and the new
    run continues at the cursor; every row lands exactly once."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks import default_task_backend

    from guanxi.core.scheduling import jobs

    job = _queued_accounts(org, 7)
    imports.import_process(job.pk, chunk_size=2, max_chunks=2)  # then the worker dies
    job.refresh_from_db()
    assert (job.status, job.cursor) == ("running", 4)
    assert imports.import_resume_stale() == []  # still fresh: it may only be slow
    later = timezone.now() + imports.STALE_AFTER + dt.timedelta(seconds=5)
    enqueued = []
    monkeypatch.setattr(
        default_task_backend, "enqueue", lambda task, args, kwargs: enqueued.append(tuple(args))
    )
    assert imports.import_resume_stale(now=later) == [job.pk]
    assert imports.import_resume_stale(now=later) == []  # claimed once
    assert enqueued == [(job.pk,)]
    monkeypatch.undo()
    assert ImportJob.objects.get(pk=job.pk).status == "queued"
    job = imports.import_process(job.pk, chunk_size=2)
    assert (job.status, job.cursor, job.created_count) == ("done", 7, 7)
    assert Account.objects.count() == 7
    assert "customers.resume_stale_imports" in {j.name for j in jobs()}  # every minute


def test_a_slow_run_that_comes_back_after_a_resume_writes_nothing_twice(org):
    job = _queued_accounts(org, 6)
    finished: dict[str, ImportJob] = {}

    def resume_meanwhile(cursor: int) -> None:
        if not finished:  # while the first run is stalled, a resumed run does the rest
            finished["job"] = imports.import_process(job.pk, chunk_size=2)

    first = imports.import_process(job.pk, chunk_size=2, on_progress=resume_meanwhile)
    assert finished["job"].status == "done"
    assert (first.status, first.cursor, first.created_count) == ("done", 6, 6)
    assert sorted(Account.objects.values_list("name", flat=True)) == [f"客户{i}" for i in range(6)]
