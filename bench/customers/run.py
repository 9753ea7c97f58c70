"""Customers benchmark: import throughput vs the database's bulk loader; search and 360 latency.

    .venv/bin/python bench/customers/run.py                      # full run (100k rows, 1M customers)
    .venv/bin/python bench/customers/run.py --rows 5000 --customers 20000   # quick check

Each measurement runs in a fresh process against its own database: SQLite files in a temporary
directory, PostgreSQL databases created next to --pg-url. Prints a table, writes
bench/results/customers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def _pg_admin_url(url: str, dbname: str) -> str:
    base = url.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def _recreate_pg(url: str, dbname: str, keep: bool = False) -> str:
    import psycopg

    with psycopg.connect(_pg_admin_url(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists and keep:
            return _pg_admin_url(url, dbname)
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    return _pg_admin_url(url, dbname)


def _worker(task: str, env_extra: dict[str, str], args: list[str]) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(env_extra)
    env["GUANXI_DEBUG"] = "0"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    cmd = [sys.executable, str(Path(__file__).resolve()), "worker", task, "--out", out, *args]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)
    return json.loads(Path(out).read_text())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="contacts in the import file")
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers for search/360")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--vendors", default="sqlite,postgres")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing 1M database")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument(
        "--sqlite-dir",
        default=str(Path(tempfile.gettempdir()) / "guanxi-bench-1m"),
        help="where the 1M-customer SQLite database lives (kept for --reuse)",
    )
    opts = parser.parse_args()
    results: dict[str, Any] = {"import": {}, "latency": {}}
    previous = RESULTS / "customers.json"
    if previous.exists():  # partial runs (--skip-import, one vendor) update the earlier ones
        results.update(json.loads(previous.read_text()))
    if not opts.skip_import:
        results["rows"] = opts.rows
    vendors = [v for v in opts.vendors.split(",") if v]
    for vendor in [] if opts.skip_import else vendors:
        if vendor == "sqlite":
            tmp = tempfile.mkdtemp(prefix="guanxi-bench-")
            env = {"GUANXI_DATA_DIR": tmp, "GUANXI_DATABASE_URL": ""}
        else:
            env = {"GUANXI_DATABASE_URL": _recreate_pg(opts.pg_url, "guanxi_bench_import")}
        print(f"[{vendor}] import of {opts.rows} contacts …", flush=True)
        results["import"][vendor] = _worker("import", env, ["--rows", str(opts.rows)])
    for vendor in [] if opts.skip_latency else vendors:
        if vendor == "sqlite":
            db = Path(opts.sqlite_dir)
            if not opts.reuse and db.exists():
                shutil.rmtree(db)
            db.mkdir(parents=True, exist_ok=True)
            env = {"GUANXI_DATA_DIR": str(db), "GUANXI_DATABASE_URL": ""}
        else:
            url = _recreate_pg(opts.pg_url, "guanxi_bench_1m", keep=opts.reuse)
            env = {"GUANXI_DATABASE_URL": url}
        print(f"[{vendor}] search and 360 at {opts.customers} customers …", flush=True)
        results["latency"][vendor] = _worker("latency", env, ["--customers", str(opts.customers)])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "customers.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(table(results))
    return 0


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Import of {results.get('rows', 0):,} contacts (validation + dedup) vs the bulk loader",
        f"{'database':<10} {'import rows/s':>14} {'loader':<12} {'loader rows/s':>14} {'ratio':>7}",
    ]
    for vendor, r in results["import"].items():
        lines.append(
            f"{vendor:<10} {r['import_rows_per_s']:>14,.0f} {r['loader']:<12} "
            f"{r['loader_rows_per_s']:>14,.0f} {r['ratio']:>7.1%}"
        )
    for vendor, r in results["latency"].items():
        lines.append("")
        lines.append(f"Latency at {r['customers']:,} customers on {vendor} (ms)")
        lines.append(f"{'operation':<34} {'p50':>8} {'p95':>8} {'n':>6}")
        for name, m in r["ops"].items():
            lines.append(f"{name:<34} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['n']:>6}")
    return "\n".join(lines)


# ---------------------------------------------------------------- worker side


def _setup(*, tolerate_migrate_errors: bool = False) -> Any:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
    except Exception as exc:
        # A reused database may lag behind other apps' migrations; customers' tables suffice.
        if not tolerate_migrate_errors:
            raise
        print(f"migrate failed on the reused database, continuing: {exc}")


def _admin() -> Any:
    from guanxi.core.models import User
    from guanxi.core.services import role_ensure_system_roles, team_create, user_create

    existing = User.objects.filter(username="bench").first()
    if existing:
        return existing
    roles = role_ensure_system_roles()
    team = team_create(actor=None, name="bench")
    return user_create(
        actor=None, username="bench", password=secrets.token_urlsafe(16), role=roles["admin"],
        team=team, check_password=False,
    )  # fmt: skip


def _import_file(rows: int, account_names: list[str]) -> bytes:
    import random

    rng = random.Random(7)
    from guanxi.customers.demo import DOMAINS, GIVEN, SURNAMES

    lines = ["公司,姓名,职位,手机,邮箱"]
    for i in range(rows):
        mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        mobile = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}" if i % 3 == 0 else mobile
        email = f"c{i}@{rng.choice(DOMAINS)}"
        roll = rng.random()
        if roll < 0.01 and i > 0:
            email = f"c{i - 1}@dup.cn"  # an in-file duplicate of the previous row's key
            lines[-1] = lines[-1].rsplit(",", 1)[0] + f",c{i - 1}@dup.cn"
        elif roll < 0.015:
            mobile = "12345"
        elif roll < 0.02:
            email = "not-an-email"
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        lines.append(f"{rng.choice(account_names)},{name},采购经理,{mobile},{email}")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def worker_import(rows: int) -> dict[str, Any]:
    _setup()
    from django.db import connection, transaction

    from guanxi.customers.demo import generate_accounts
    from guanxi.customers.models import Account, Contact
    from guanxi.customers.services import imports

    admin = _admin()
    accounts = list(generate_accounts(size=2000, seed=3, owners=[admin]))
    for i, a in enumerate(accounts):
        a.name = f"{a.name}{i}"
        a.search_name = f"{a.search_name}{i}"
    Account.objects.bulk_create(accounts, batch_size=1000)
    content = _import_file(rows, [a.name for a in accounts])
    started = time.perf_counter()
    job = imports.import_create(
        actor=admin, entity="contact", filename="contacts.csv", content=content
    )
    job = imports.import_configure(
        actor=admin, job=job, mapping=dict(job.mapping), policy="skip", upsert_key="email"
    )
    type(job).objects.filter(pk=job.pk).update(status="queued")
    job = imports.import_process(job.pk, chunk_size=2000)
    import_s = time.perf_counter() - started
    assert job.status == "done", job.message
    # The ceiling: the very rows the import wrote, loaded again by the database's own bulk path.
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    cols = [f.column for f in fields]
    values = list(Contact.all_objects.values_list(*[f.attname for f in fields]))
    table = Contact._meta.db_table

    def prep(v: Any) -> Any:
        if isinstance(v, dict | list):
            return json.dumps(v)
        return v

    values = [tuple(prep(v) for v in row) for row in values]
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table}")  # noqa: S608 - table name from the model
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            loader = "COPY"
            with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            loader = "executemany"
            marks = ", ".join("?" for _ in cols)
            raw = [tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in values]
            cur.connection.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # noqa: S608
                raw,
            )
    loader_s = time.perf_counter() - started
    import_rate = job.total_rows / import_s
    loader_rate = len(values) / loader_s
    return {
        "vendor": connection.vendor,
        "rows_in_file": job.total_rows,
        "created": job.created_count,
        "rows_with_errors": job.error_count,
        "import_seconds": round(import_s, 2),
        "import_rows_per_s": import_rate,
        "loader": loader,
        "loader_rows": len(values),
        "loader_seconds": round(loader_s, 3),
        "loader_rows_per_s": loader_rate,
        "ratio": import_rate / loader_rate,
    }


def _percentiles(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    n = len(ordered)
    return {
        "p50_ms": ordered[n // 2] * 1000,
        "p95_ms": ordered[min(n - 1, int(n * 0.95))] * 1000,
        "n": n,
    }


def worker_latency(customers: int) -> dict[str, Any]:
    _setup(tolerate_migrate_errors=True)
    import random

    from django.db import connection
    from django.test import Client

    from guanxi.core.demo import demo_people
    from guanxi.core.models import User
    from guanxi.core.services import token_create
    from guanxi.customers.demo import demo_customers
    from guanxi.customers.models import Account
    from guanxi.customers.normalize import name_keys

    have = Account.all_objects.count()
    generation_s = None
    if have < customers:
        started = time.perf_counter()
        demo_people(size=customers, seed=1, out=print)
        demo_customers(size=customers, seed=1, out=print)
        generation_s = time.perf_counter() - started
        with connection.cursor() as cur:
            # What autovacuum does after a bulk load: statistics, and on PostgreSQL the
            # visibility map that index-only scans need. SQLite's planner uses sqlite_stat1.
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rep = User.objects.get(username="sales")
    _tok, raw = token_create(actor=rep, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    page = Client()
    page.force_login(rep)
    rng = random.Random(11)
    max_id = Account.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    sample: list[Account] = []
    while len(sample) < 200:
        ids = [rng.randrange(1, max_id + 1) for _ in range(400)]
        sample.extend(
            Account.objects.filter(pk__in=ids, owner__team_id=rep.team_id)[: 200 - len(sample)]
        )
    terms = {
        "search: Chinese name prefix": [a.name[:4] for a in sample],
        # The pinyin of the same four characters (e.g. 上海华信 → shanghaihuaxin).
        "search: pinyin prefix": [name_keys(a.name[:4])[1] for a in sample],
        "search: initials": [a.search_initials[:4] for a in sample],
        "search: phone, last 4 digits": [a.mobile[-4:] for a in sample],
        "search: full mobile": [a.mobile[3:] for a in sample],
        "search: e-mail prefix": [a.email[:10] for a in sample],
    }
    ops: dict[str, Any] = {}

    def timed(client: Client, urls: list[str]) -> dict[str, Any]:
        for url in urls[:10]:
            client.get(url)  # warm up
        samples = []
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        return _percentiles(samples)

    from urllib.parse import quote

    for name, values in terms.items():
        ops[f"{name} (API)"] = timed(
            api, [f"/api/v1/customers/accounts?search={quote(v)}" for v in values]
        )
    ops["360 (API)"] = timed(api, [f"/api/v1/customers/{a.pk}/360" for a in sample])
    ops["360 (page)"] = timed(page, [f"/customers/{a.pk}/" for a in sample])
    # The page's possible-duplicates warning, which it loads right after itself.
    ops["360 duplicates warning (HTMX)"] = timed(
        page, [f"/customers/{a.pk}/duplicates/" for a in sample]
    )
    ops["list page with search (HTML)"] = timed(
        page, [f"/customers/?search={quote(a.name[:4])}" for a in sample]
    )
    return {
        "vendor": connection.vendor,
        "customers": Account.all_objects.count(),
        "generation_seconds": generation_s,
        "actor": "sales rep (team scope)",
        "ops": ops,
    }


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    opts = parser.parse_args(argv)
    result = worker_import(opts.rows) if opts.task == "import" else worker_latency(opts.customers)
    Path(opts.out).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        raise SystemExit(worker(sys.argv[2:]))
    raise SystemExit(main())
