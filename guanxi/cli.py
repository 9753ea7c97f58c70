"""The `guanxi` command: serve, migrate, createadmin, worker, demo, analytics, manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

USAGE = """guanxi <command> [options]

commands:
  serve        run the web server (gunicorn, gthread) and a background worker
  migrate      create or upgrade the database
  createadmin  create an administrator account
  worker       run background tasks and scheduled jobs
  demo         load realistic demo data (--customers N)
  import       import accounts or contacts from CSV/XLSX (FILE --entity --policy --key)
  analytics    analytics on any transaction file (fit, rfm, clv, churn, clusters, ...);
               `guanxi analytics refresh` rescores every customer from Guanxi's orders
  sales        `guanxi sales rebuild-revenue` recomputes the revenue the reports read
               (after orders were loaded in bulk past the order services)
  manage       any Django management command
"""


def _django(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *argv])
    return 0


def _serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="guanxi serve")
    parser.add_argument("--host", default=os.environ.get("GUANXI_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GUANXI_PORT", "8000")))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("GUANXI_WEB_WORKERS", "2"))
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("GUANXI_WEB_THREADS", "4"))
    )
    parser.add_argument("--no-worker", action="store_true", help="do not start a background worker")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if os.environ.get("GUANXI_ENV") == "production":
        _django(["collectstatic", "--noinput", "-v0"])
    children: list[subprocess.Popen[bytes]] = []
    if not args.no_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "guanxi.cli", "worker"]))
    web = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"{args.host}:{args.port}",
            "--worker-class", "gthread",
            "--workers", str(args.workers),
            "--threads", str(args.threads),
            "--access-logfile", "-",
        ]
    )  # fmt: skip
    children.append(web)
    print(f"Guanxi is serving at http://{args.host}:{args.port}/", flush=True)

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = web.wait()
    for child in children:
        if child.poll() is None:
            child.terminate()
            child.wait(timeout=10)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "serve":
        return _serve(rest)
    if command == "analytics" and rest[:1] == ["refresh"]:
        # Scores from Guanxi's own orders need the database; the rest works on any file.
        return _django(["guanxi_analytics_refresh", *rest[1:]])
    if command == "analytics":
        from guanxi.analytics.cli import main as analytics_main

        return int(analytics_main(rest))
    if command == "sales" and rest[:1] == ["rebuild-revenue"]:
        return _django(["guanxi_sales_rebuild_revenue", *rest[1:]])
    if command == "migrate":
        return _django(["migrate", *rest])
    if command == "createadmin":
        return _django(["createadmin", *rest])
    if command == "worker":
        return _django(["guanxi_worker", *rest])
    if command == "demo":
        return _django(["guanxi_demo", *rest])
    if command == "import":
        return _django(["guanxi_import", *rest])
    if command == "manage":
        return _django(rest)
    print(f"unknown command: {command}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
