"""The first README command's last step: `guanxi serve` answers on its port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_guanxi_serve_serves_the_login_page_and_static_files(tmp_path):
    env = {**os.environ, "GUANXI_TESTING": "0", "GUANXI_DATA_DIR": str(tmp_path)}
    env.pop("GUANXI_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "guanxi.cli"]
    subprocess.run([*cli, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as r:
                    body = r.read().decode()
                    headers = r.headers
                    break
            except OSError:
                time.sleep(0.5)
        assert body, "guanxi serve did not answer"
        assert "Content-Security-Policy" in headers
        static = f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js"
        with urllib.request.urlopen(static, timeout=5) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
