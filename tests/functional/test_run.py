"""`portal run` really serves: what a newcomer does after `portal demo`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_portal_run_creates_the_database_and_answers_healthz(tmp_path):
    port = _free_port()
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("PORTAL_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "portal.cli", "run", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    body = (response.status, response.read())
                break
            except OSError:
                time.sleep(0.1)
        assert body == (200, b"ok")
        assert (tmp_path / "instance" / "portal.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
