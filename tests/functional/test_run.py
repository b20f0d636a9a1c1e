"""`portal run` really serves: what a newcomer does after `portal demo`."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path, *extra: str) -> tuple[subprocess.Popen, int, dict[str, str]]:
    port = _free_port()
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("PORTAL_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "portal.cli", "run", "--port", str(port), *extra], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, port, env


def _healthz(port: int, patience: float = 60.0) -> tuple[int, bytes] | None:
    """The first answer of /healthz; None when the server has not answered within `patience` seconds
    (generous: on a loaded machine starting Python, importing the portal and migrating takes a while)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                return response.status, response.read()
        except OSError:
            time.sleep(0.1)
    return None


def test_portal_run_creates_the_database_and_answers_healthz(tmp_path):
    server, port, _env = _serve(tmp_path)
    try:
        assert _healthz(port) == (200, b"ok")
        assert (tmp_path / "instance" / "portal.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_portal_run_with_worker_processes_a_queued_case(tmp_path):
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("PORTAL_DATABASE_URL", None)
    queue = (
        "from portal import create_app; from portal.database import upgrade; from portal.importer import import_demo\n"
        "from portal import diagnosis; from portal.cases import open_case; from checks.identifiers import parse_identifier\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade(app); import_demo()\n"
        "    q = diagnosis.question('guardian', 'school_platform', 'forgot_password', '41253001')\n"
        "    print(open_case(q, parse_identifier('nobody@exempel.se', q.today), typed_email='nobody@exempel.se').id)\n"
    )
    subprocess.run([sys.executable, "-c", queue], env=env, check=True, capture_output=True)
    server, port, _env = _serve(tmp_path, "--worker")
    try:
        assert _healthz(port) is not None
        database = sqlite3.connect(tmp_path / "instance" / "portal.sqlite3")
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = database.execute("select status from jobs").fetchone()[0]
            if status == "done":
                break
            time.sleep(0.1)
        templates = [r[0] for r in database.execute("select template from outbox order by id")]
        database.close()
        assert status == "done"
        assert templates[0] == "no_account"
    finally:
        server.terminate()
        server.wait(timeout=10)
