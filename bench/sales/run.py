"""Sales benchmark: the sales reports and the forecast over millions of order lines.

    .venv/bin/python bench/sales/run.py                                 # 1M customers, 10M lines
    .venv/bin/python bench/sales/run.py --customers 20000 --lines 200000  # quick check
    .venv/bin/python bench/sales/run.py --vendors postgres --reuse       # re-time, keep the data

Each vendor runs in a fresh process against its own database (a SQLite file in a temporary
directory; a PostgreSQL database `guanxi_bench_sales` next to --pg-url). The generator writes
with COPY on PostgreSQL and executemany on SQLite, bypassing the ORM (ids are assigned here).
Every report runs through the real selectors, as an admin (everything) and as a team manager
(visibility-scoped); each query's plan is checked with EXPLAIN and its node types recorded.
Prints a table, writes bench/results/sales.json (gitignored) and bench/results/sales.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
PG_DB = "guanxi_bench_sales"
NOTES = """
## Notes

Edit after a run: machine load, the sizes actually run, and why any remaining sequential
scan is the right plan.
"""
BIG_TABLES = {
    "sales_orderline",
    "sales_order",
    "customers_account",
    "sales_opportunity",
    "sales_customerrevenuemonth",
    "sales_productrevenuemonth",
}


# ---- parent: one worker process per vendor ------------------------------------------------


def _pg_url(url: str, dbname: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{dbname}"


def _recreate_pg(url: str, keep: bool, name: str = PG_DB) -> str:
    import psycopg

    with psycopg.connect(_pg_url(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not (exists and keep):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return _pg_url(url, name)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--vendors", default="postgres,sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-dir", default="", help="keep the SQLite file here (for --reuse)")
    parser.add_argument("--pg-db", default=PG_DB, help="the PostgreSQL database (dropped first)")
    parser.add_argument("--reuse", action="store_true", help="time an existing data set again")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sqlite-from-postgres",
        action="store_true",
        help="fill SQLite with a copy of the PostgreSQL data set instead of generating it again",
    )
    opts = parser.parse_args()
    # Vendors may be run separately (and at different sizes): merge into earlier results.
    previous = RESULTS / "sales.json"
    results: dict[str, Any] = {"vendors": {}}
    if previous.exists():
        results = json.loads(previous.read_text())
        results.setdefault("vendors", {})
    for vendor in [v for v in opts.vendors.split(",") if v]:
        if vendor == "sqlite":
            data_dir = opts.sqlite_dir or tempfile.mkdtemp(prefix="guanxi-bench-sales-")
            env = {"GUANXI_DATA_DIR": data_dir, "GUANXI_DATABASE_URL": ""}
        else:
            env = {"GUANXI_DATABASE_URL": _recreate_pg(opts.pg_url, opts.reuse, opts.pg_db)}
        print(f"[{vendor}] {opts.customers:,} customers, {opts.lines:,} order lines", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = fh.name
        cmd = [
            sys.executable, str(Path(__file__).resolve()), "worker", "--out", out,
            "--customers", str(opts.customers), "--lines", str(opts.lines),
            "--repeat", str(opts.repeat),
        ]  # fmt: skip
        if opts.reuse:
            cmd.append("--reuse")
        if vendor == "sqlite" and opts.sqlite_from_postgres:
            cmd += ["--copy-from", _pg_url(opts.pg_url, opts.pg_db)]
        full_env = {
            **os.environ,
            **env,
            "GUANXI_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        subprocess.run(cmd, env=full_env, check=True, cwd=ROOT)
        results["vendors"][vendor] = {
            "customers": opts.customers,
            "lines": opts.lines,
            **json.loads(Path(out).read_text()),
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sales.json").write_text(json.dumps(results, indent=2, default=str))
    table = _table(results)
    print(table)
    sizes = ", ".join(
        f"{v}: {d.get('generate', {}).get('accounts', d.get('customers')):,} customers / "
        f"{d.get('generate', {}).get('order_lines', d.get('lines')):,} order lines"
        for v, d in results["vendors"].items()
    )
    (RESULTS / "sales.md").write_text(
        "# Sales reports and forecast benchmark\n\n"
        "`.venv/bin/python bench/sales/run.py` (see the module docstring for options).\n\n"
        f"Data: {sizes}. Reports cover the current year to date (year-on-year: two years);\n"
        "best of the runs, seconds. Plans from EXPLAIN on PostgreSQL; a seq scan on a big\n"
        "table is flagged in bold.\n\n" + table + "\n" + NOTES
    )
    return 0


def _table(results: dict[str, Any]) -> str:
    rows = [
        "| report | actor | "
        + " | ".join(f"{v} (s)" for v in results["vendors"])
        + " | plan (PostgreSQL) |",
        "|---|---|" + "---|" * len(results["vendors"]) + "---|",
    ]
    first = next(iter(results["vendors"].values()), {})
    for key in first.get("timings", {}):
        cells = []
        for data in results["vendors"].values():
            t = data.get("timings", {}).get(key)
            cells.append(f"{t['best']:.3f}" if t else "—")
        plan = results["vendors"].get("postgres", {}).get("plans", {}).get(key, {})
        nodes = ", ".join(plan.get("nodes", [])[:6])
        seq = plan.get("seq_scans_on_big_tables", [])
        flag = f" **seq: {', '.join(seq)}**" if seq else ""
        report, actor = key.split("@")
        rows.append(f"| {report} | {actor} | " + " | ".join(cells) + f" | {nodes}{flag} |")
    return "\n".join(rows)


# ---- worker: generate, then time ---------------------------------------------------------


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--copy-from", default="")
    opts = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    result: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # on an older data set, this fills the rollups
    result["migrate_seconds"] = round(time.perf_counter() - started, 1)
    from guanxi.sales.models import OrderLine
    from guanxi.sales.services.rollups import ROLLUPS as ROLLUP_MODELS
    from guanxi.sales.services.rollups import rollups_rebuild

    if opts.copy_from and not (opts.reuse and OrderLine.objects.exists()):
        result["generate"] = copy_from_postgres(opts.copy_from)
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
    elif not (opts.reuse and OrderLine.objects.exists()):
        result["generate"] = generate(customers=opts.customers, lines=opts.lines)
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
        # The lines were written past the order services: sum them into the rollups.
        t = time.perf_counter()
        result["rollups"] = rollups_rebuild()
        result["rollups_seconds"] = round(time.perf_counter() - t, 1)
        print(f"  rollups rebuilt in {result['rollups_seconds']}s: {result['rollups']}", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum does after the rollups were filled (here or by the migration): the
        # visibility map for index-only scans, and statistics.
        with connection.cursor() as cur:
            for model in ROLLUP_MODELS:
                cur.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    result.update(measure(repeat=opts.repeat))
    Path(opts.out).write_text(json.dumps(result, default=str))
    return 0


def _columns(model: Any) -> tuple[list[str], list[Any]]:
    """Column names and a default value per column (None for NULL)."""
    from django.db.models import NOT_PROVIDED

    names, defaults = [], []
    for f in model._meta.concrete_fields:
        names.append(f.column)
        if f.null:
            value = None
        elif f.has_default() and f.default is not NOT_PROVIDED:
            value = f.get_default()
            if isinstance(value, (dict, list)):
                value = json.dumps(value)
        elif f.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
            value = ""
        else:
            value = None
        if isinstance(value, bool):
            value = value
        defaults.append(value)
    return names, defaults


class Loader:
    """Bulk writes: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor

    def load(self, model: Any, rows: list[list[Any]], names: list[str]) -> None:
        table = model._meta.db_table
        if not rows:
            return
        if self.vendor == "postgresql":
            buf = io.StringIO()
            for row in rows:
                buf.write("\t".join(_pg_text(v) for v in row))
                buf.write("\n")
            raw = self.connection.connection
            with raw.cursor() as cur:
                cols = ", ".join(f'"{n}"' for n in names)
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    copy.write(buf.getvalue())
        else:
            raw = self.connection.connection
            marks = ", ".join("?" for _ in names)
            cols = ", ".join(f'"{n}"' for n in names)
            raw.executemany(
                f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',  # noqa: S608 - model metadata
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def _pg_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def copy_from_postgres(url: str) -> dict[str, Any]:
    """Fill this (SQLite) database with every table of the PostgreSQL data set, so both
    databases are timed on identical data. Rows stream through a server-side cursor."""
    import psycopg
    from django.apps import apps
    from django.db import connection

    # Bring the source up to the current schema first (it may have been generated earlier).
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
        env={**os.environ, "GUANXI_DATABASE_URL": url},
        check=True,
        cwd=ROOT,
    )
    utc = dt.UTC
    counts: dict[str, int] = {}
    models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
    with psycopg.connect(url) as pg, connection.constraint_checks_disabled():
        raw = connection.connection
        # A bulk load: no fsync per commit, and the indexes of the big tables kept in memory.
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-4000000")
        for model in models:
            table = model._meta.db_table
            fields = model._meta.concrete_fields
            cols = [f.column for f in fields]
            convert: list[Any] = []
            for f in fields:
                kind = f.get_internal_type()
                if kind == "DateTimeField":
                    convert.append(lambda v: v.astimezone(utc).replace(tzinfo=None).isoformat(" "))
                elif kind == "JSONField":
                    convert.append(json.dumps)
                elif kind in ("DecimalField", "DateField", "TimeField", "UUIDField"):
                    convert.append(str)
                elif kind == "BinaryField":
                    convert.append(bytes)
                else:
                    convert.append(None)
            quoted = ", ".join(f'"{c}"' for c in cols)
            raw.execute(f'DELETE FROM "{table}"')  # noqa: S608 - model metadata
            insert = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" for _ in cols)})'  # noqa: S608
            n = 0
            with pg.cursor(name=f"copy_{table}") as cur:
                cur.itersize = 50_000
                cur.execute(f'SELECT {quoted} FROM "{table}"')  # noqa: S608 - model metadata
                while batch := cur.fetchmany(50_000):
                    rows = [
                        tuple(
                            v if c is None or v is None else c(v)
                            for v, c in zip(row, convert, strict=True)
                        )
                        for row in batch
                    ]
                    raw.executemany(insert, rows)
                    n += len(rows)
            raw.commit()
            if n:
                counts[table] = n
                print(f"  copied {table}: {n:,}", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "copied_from": "postgres",
        "accounts": counts.get("customers_account", 0),
        "order_lines": counts.get("sales_orderline", 0),
        "orders": counts.get("sales_order", 0),
    }


def _cents(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def generate(*, customers: int, lines: int) -> dict[str, Any]:
    import numpy as np
    from django.db import connection, transaction

    from guanxi.core.models import Role, Team, User
    from guanxi.core.services import role_ensure_system_roles, team_create, user_create
    from guanxi.customers.models import Account
    from guanxi.sales.models import (
        Opportunity,
        Order,
        OrderLine,
        Product,
        SalesTarget,
        Stage,
        StageChange,
    )
    from guanxi.sales.services import default_pipeline

    rng = np.random.default_rng(2026)
    loader = Loader()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous=OFF")
    t0 = time.perf_counter()
    roles = role_ensure_system_roles()
    teams = [team_create(actor=None, name=f"销售{i}部") for i in range(10)]
    admin = user_create(actor=None, username="bench-admin", password="x" * 16,
                        role=roles["admin"], check_password=False)  # fmt: skip
    managers = [
        user_create(actor=None, username=f"bench-mgr{i}", password="x" * 16, role=roles["manager"],
                    team=t, check_password=False)
        for i, t in enumerate(teams)
    ]  # fmt: skip
    for m, t in zip(managers, teams, strict=True):
        Team.objects.filter(pk=t.pk).update(lead=m)
    reps = [
        user_create(actor=None, username=f"bench-rep{i}", password="x" * 16, role=roles["sales"],
                    team=teams[i % 10], manager=managers[i % 10], check_password=False)
        for i in range(50)
    ]  # fmt: skip
    rep_ids = np.array([r.pk for r in reps])
    rep_team = {r.pk: r.team_id for r in reps}
    del Role, User

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    pg = connection.vendor == "postgresql"
    tz = "+00" if pg else ""

    # Accounts.
    names, defaults = _columns(Account)
    idx = {n: i for i, n in enumerate(names)}
    regions = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
    account_owner = rng.choice(rep_ids, size=customers)
    chunk = 200_000
    with transaction.atomic():
        for start in range(0, customers, chunk):
            rows = []
            for i in range(start, min(customers, start + chunk)):
                row = list(defaults)
                owner = int(account_owner[i])
                row[idx["id"]] = i + 1
                row[idx["name"]] = f"客户{i + 1:07d}"
                row[idx["owner_id"]] = owner
                row[idx["team_id"]] = rep_team[owner]
                row[idx["created_at"]] = stamp + tz
                row[idx["updated_at"]] = stamp + tz
                row[idx["region"]] = regions[i % 7]
                for key in ("search_name",):
                    if key in idx:
                        row[idx[key]] = f"客户{i + 1:07d}"
                rows.append(row)
            loader.load(Account, rows, names)
    t_accounts = time.perf_counter() - t0

    # Products.
    categories = ["茶叶", "茶具", "礼盒", "茶点", "会员服务"]
    Product.objects.bulk_create(
        Product(sku=f"B-{i:04d}", name_zh=f"产品{i}", category=categories[i % 5],
                list_price=10 + (i * 37) % 990)
        for i in range(500)
    )  # fmt: skip
    product_ids = np.array(list(Product.objects.order_by("pk").values_list("pk", flat=True)))
    product_cat_price = {p.pk: int(p.list_price * 100) for p in Product.objects.all()}

    # Orders and lines: 3 years, seasonal, skewed to repeat buyers.
    n_orders = max(1, lines * 10 // 21)  # 2.2 lines per order on average, with a margin
    day0 = (now - dt.timedelta(days=3 * 365)).date()
    days = np.arange(3 * 365)
    dates = np.array([day0 + dt.timedelta(days=int(d)) for d in days])
    month_w = np.array([1.6, 1.3, 0.9, 0.9, 0.9, 0.8, 0.7, 0.75, 1.2, 1.0, 1.9, 1.3])
    w = np.array([month_w[d.month - 1] * (8 if (d.month == 11 and d.day in (10, 11, 12)) else 1)
                  for d in dates])  # fmt: skip
    w = w / w.sum()
    o_names, o_defaults = _columns(Order)
    oi = {n: i for i, n in enumerate(o_names)}
    l_names, l_defaults = _columns(OrderLine)
    li = {n: i for i, n in enumerate(l_names)}
    statuses = np.array(["completed", "shipped", "paid", "placed", "cancelled", "returned",
                         "partially_returned"])  # fmt: skip
    status_p = np.array([0.78, 0.05, 0.05, 0.04, 0.03, 0.03, 0.02])
    line_id = 0
    order_chunk = 200_000
    t1 = time.perf_counter()
    # Zipf-like account popularity: some customers buy very often, many once.
    popularity = rng.zipf(1.6, size=customers).astype(float)
    popularity = np.minimum(popularity, 200)
    popularity /= popularity.sum()
    for start in range(0, n_orders, order_chunk):
        size = min(order_chunk, n_orders - start)
        acc = rng.choice(customers, size=size, p=popularity) + 1
        day_idx = rng.choice(len(days), size=size, p=w)
        secs = rng.integers(8 * 3600, 22 * 3600, size=size)
        st = rng.choice(statuses, size=size, p=status_p)
        nlines = rng.choice([1, 2, 3, 4], size=size, p=[0.3, 0.3, 0.3, 0.1])
        # Drawn per chunk, not per line: numpy scalar calls dominate a per-line loop.
        picks = rng.integers(0, len(product_ids), size=(size, 4)).tolist()
        qtys = rng.integers(1, 6, size=(size, 4)).tolist()
        pids = product_ids.tolist()
        order_rows, line_rows = [], []
        for k in range(size):
            oid = start + k + 1
            a = int(acc[k])
            owner = int(account_owner[a - 1])
            placed = dt.datetime.combine(dates[day_idx[k]], dt.time()) + dt.timedelta(
                seconds=int(secs[k])
            )
            placed_s = placed.strftime("%Y-%m-%d %H:%M:%S") + tz
            status = str(st[k])
            total = 0
            n = int(nlines[k])
            if line_id + n > lines:
                n = max(0, lines - line_id)
            prods = [pids[(picks[k][0] + j * 97) % len(pids)] for j in range(n)]
            for pos in range(n):
                line_id += 1
                p = int(prods[pos])
                qty = qtys[k][pos]
                gross = product_cat_price[p] * qty
                tax = (gross * 13 + 50) // 100
                line_total = gross + tax
                total += line_total
                row = list(l_defaults)
                row[li["id"]] = line_id
                row[li["order_id"]] = oid
                row[li["account_id"]] = a
                row[li["product_id"]] = p
                row[li["quantity"]] = f"{qty}.000"
                row[li["unit_price"]] = _cents(product_cat_price[p]) + "00"
                row[li["discount_amount"]] = "0.00"
                row[li["tax_rate"]] = "0.1300"
                row[li["tax_amount"]] = _cents(tax)
                row[li["line_total"]] = _cents(line_total)
                row[li["placed_at"]] = placed_s
                row[li["status"]] = status
                row[li["position"]] = pos
                row[li["returned_quantity"]] = f"{qty if status == 'returned' else 0}.000"
                row[li["region"]] = regions[a % 7]
                if "refunded_amount" in li:
                    row[li["refunded_amount"]] = _cents(line_total if status == "returned" else 0)
                line_rows.append(row)
            row = list(o_defaults)
            paid = status not in ("placed", "cancelled")
            row[oi["id"]] = oid
            row[oi["number"]] = f"SO-B{oid:09d}"
            row[oi["account_id"]] = a
            row[oi["owner_id"]] = owner
            row[oi["team_id"]] = rep_team[owner]
            row[oi["status"]] = status
            row[oi["placed_at"]] = placed_s
            row[oi["paid_at"]] = placed_s if paid else None
            row[oi["region"]] = regions[a % 7]
            row[oi["created_at"]] = placed_s
            row[oi["updated_at"]] = placed_s
            row[oi["subtotal"]] = _cents(total)
            row[oi["total"]] = _cents(total)
            row[oi["paid_amount"]] = _cents(total) if paid else "0.00"
            row[oi["refunded_amount"]] = _cents(total) if status == "returned" else "0.00"
            order_rows.append(row)
        with transaction.atomic():
            loader.load(Order, order_rows, o_names)
            loader.load(OrderLine, line_rows, l_names)
        print(f"  orders {start + size:,}/{n_orders:,}, lines {line_id:,}", flush=True)
        if line_id >= lines:
            n_orders = start + size
            break
    t_orders = time.perf_counter() - t1

    # Opportunities with stage history, and targets.
    pipeline = default_pipeline()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    open_st = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    n_opps = max(100, customers // 10)
    p_names, p_defaults = _columns(Opportunity)
    pi = {n: i for i, n in enumerate(p_names)}
    s_names, s_defaults = _columns(StageChange)
    si = {n: i for i, n in enumerate(s_names)}
    opp_rows, change_rows = [], []
    change_id = 0
    for k in range(n_opps):
        oid = k + 1
        a = int(rng.integers(1, customers + 1))
        owner = int(account_owner[a - 1])
        created = now - dt.timedelta(days=int(rng.integers(1, 3 * 365)))
        fate = rng.random()
        depth = int(rng.integers(1, len(open_st) + 1))
        closed = created + dt.timedelta(days=int(rng.integers(5, 120)))
        if closed > now or fate > 0.8:
            status, final, closed_s = "open", open_st[depth - 1], None
        elif fate < 0.45:
            status, final, closed_s = "won", won, closed.strftime("%Y-%m-%d %H:%M:%S") + tz
        else:
            status, final, closed_s = "lost", lost, closed.strftime("%Y-%m-%d %H:%M:%S") + tz
        expected = (
            closed if closed_s else now + dt.timedelta(days=int(rng.integers(1, 120)))
        ).date()
        row = list(p_defaults)
        created_s = created.strftime("%Y-%m-%d %H:%M:%S") + tz
        row[pi["id"]] = oid
        row[pi["name"]] = f"商机{oid}"
        row[pi["account_id"]] = a
        row[pi["owner_id"]] = owner
        row[pi["team_id"]] = rep_team[owner]
        row[pi["pipeline_id"]] = pipeline.pk
        row[pi["stage_id"]] = final.pk
        row[pi["status"]] = status
        row[pi["amount"]] = f"{int(rng.integers(5, 300)) * 1000}.00"
        row[pi["expected_close_date"]] = expected.isoformat()
        row[pi["closed_at"]] = closed_s
        row[pi["lost_reason"]] = "价格" if status == "lost" else ""
        row[pi["created_at"]] = created_s
        row[pi["updated_at"]] = created_s
        opp_rows.append(row)
        prev = None
        steps = open_st[:depth] + ([final] if status != "open" else [])
        for step in steps:
            change_id += 1
            c = list(s_defaults)
            c[si["id"]] = change_id
            c[si["opportunity_id"]] = oid
            c[si["from_stage_id"]] = prev
            c[si["to_stage_id"]] = step.pk
            c[si["changed_at"]] = created_s
            change_rows.append(c)
            prev = step.pk
    with transaction.atomic():
        loader.load(Opportunity, opp_rows, p_names)
        loader.load(StageChange, change_rows, s_names)
    today = now.date()
    for team, mgr in zip(teams, managers, strict=True):
        for kind, start in (
            ("month", today.replace(day=1)),
            ("year", today.replace(month=1, day=1)),
        ):
            SalesTarget.objects.create(scope="team", period_kind=kind, period_start=start,
                                       amount=5_000_000, owner=mgr, team=team)  # fmt: skip
    if pg:
        with connection.cursor() as cur:
            for model in (Account, Order, OrderLine, Opportunity, StageChange):
                table = model._meta.db_table
                sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"  # noqa: S608 - model metadata
                cur.execute(sql)
            cur.execute("VACUUM ANALYZE")  # visibility map for index-only scans, fresh stats
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {
        "accounts": customers,
        "orders": n_orders,
        "order_lines": line_id,
        "opportunities": n_opps,
        "stage_changes": change_id,
        "accounts_seconds": round(t_accounts, 1),
        "orders_seconds": round(t_orders, 1),
        "admin_id": admin.pk,
        "manager_id": managers[0].pk,
    }


def _explain(sql: str, params: Any) -> dict[str, Any]:
    from django.db import connection

    nodes: list[str] = []
    seq: list[str] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0]
            plan = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]

            def walk(node: dict[str, Any]) -> None:
                kind = node["Node Type"]
                rel = node.get("Relation Name", "")
                nodes.append(f"{kind}({rel})" if rel else kind)
                if kind == "Seq Scan" and rel in BIG_TABLES:
                    seq.append(rel)
                for child in node.get("Plans", []):
                    walk(child)

            walk(plan)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            for row in cur.fetchall():
                detail = str(row[-1])
                nodes.append(detail)
                if detail.startswith("SCAN ") and " USING " not in detail:
                    table = detail.split()[1]
                    if table in BIG_TABLES:
                        seq.append(table)
    return {"nodes": list(dict.fromkeys(nodes)), "seq_scans_on_big_tables": sorted(set(seq))}


def measure(*, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from guanxi.core.models import User
    from guanxi.sales import selectors
    from guanxi.sales.services import default_pipeline

    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), today
    pipeline = default_pipeline()
    actors = {
        "admin": User.objects.get(username="bench-admin"),
        "manager": User.objects.get(username="bench-mgr0"),
    }
    reports: dict[str, Any] = {}
    for dim in ("month", "rep", "team", "product", "category", "region", "customer"):
        reports[f"revenue_by_{dim}"] = lambda a, d=dim: selectors.revenue_by(
            actor=a, dimension=d, start=start, end=end
        )
    reports["revenue_yoy"] = lambda a: selectors.revenue_yoy(actor=a, year=today.year)
    reports["win_rate"] = lambda a: selectors.win_rate(actor=a, start=start, end=end)
    reports["cycle_length"] = lambda a: selectors.cycle_length(actor=a, start=start, end=end)
    reports["funnel"] = lambda a: selectors.funnel(actor=a, pipeline=pipeline, start=start, end=end)
    for kind in ("month", "quarter", "year"):
        reports[f"forecast_{kind}"] = lambda a, k=kind: selectors.forecast(
            actor=a, kind=k, day=today, with_deals=True
        )
    timings: dict[str, Any] = {}
    plans: dict[str, Any] = {}
    for actor_name, actor in actors.items():
        for name, fn in reports.items():
            key = f"{name}@{actor_name}"
            captured: list[tuple[str, Any]] = []

            def capture(
                execute: Any,
                sql: str,
                params: Any,
                many: bool,
                context: Any,
                sink: list[tuple[str, Any]] = captured,
            ) -> Any:
                sink.append((sql, params))
                return execute(sql, params, many, context)

            runs = []
            for i in range(repeat):
                actor = User.objects.get(pk=actor.pk)  # no cached reach between runs
                t = time.perf_counter()
                if i == 0:
                    with connection.execute_wrapper(capture):
                        fn(actor)
                else:
                    fn(actor)
                runs.append(time.perf_counter() - t)
            timings[key] = {"best": min(runs), "runs": runs}
            merged = {"nodes": [], "seq_scans_on_big_tables": []}
            for sql, params in captured:
                if not sql.lstrip().upper().startswith("SELECT") or "sales_" not in sql:
                    continue
                plan = _explain(sql, params)
                merged["nodes"] = list(dict.fromkeys(merged["nodes"] + plan["nodes"]))
                merged["seq_scans_on_big_tables"] = sorted(
                    set(merged["seq_scans_on_big_tables"]) | set(plan["seq_scans_on_big_tables"])
                )
            plans[key] = merged
            print(f"  {key:<32} {min(runs):7.3f}s  {merged['seq_scans_on_big_tables']}", flush=True)
    return {"timings": timings, "plans": plans, "vendor": connection.vendor}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        sys.exit(worker(sys.argv[2:]))
    sys.exit(main())
