"""The portal's logs (docs/contracts/README.md, "Running in production"; issue 16 row 11): one line per
request with a request id, the route's endpoint name (never the raw path: it may hold a token), method,
status and duration; `PORTAL_LOG_FORMAT=json` one JSON object a line; the development server writes no
request line of its own; an error is logged without the exception's text."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.logs import configure
from portal.operations import read

from .directory_builder import Directory, personnummer
from .flow import walk
from .test_run import _free_port, _healthz

# shaped like the portal's itsdangerous tokens (payload.timestamp.signature)
RESET_TOKEN = "eyJhIjoiYWNjLTEiLCJjIjo0MiwiZiI6IjAxMjM0NTY3In0.Z1x2Yw.q8Jm3vX9yKc7Pp2LhT0sR5wN1dFgA4bE6iU"
SIGN_IN_TOKEN = "eyJlIjoibG90dGEuaG9sbWdyZW5AZXhlbXBlbC5zZSJ9.Z1x2Yw.Xk3nB7vQ2mLp9sT4wR8yC1dF6gH0jKzA5eU"


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the process's handler (portal.logs.configure, as the entry points call it) writes; restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), {n: logging.getLogger(n).level for n in ("", "portal", "gunicorn.error", "alembic")})
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


def test_json_lines_name_the_route_never_the_path_and_hold_no_token(client, written):
    configure("json", stream=written)
    assert client.get("/").status_code == 200
    assert client.get(f"/aterstall/{RESET_TOKEN}").status_code == 303
    assert client.get(f"/inkorg/logga-in/{SIGN_IN_TOKEN}").status_code == 303
    assert client.get("/finns/inte?identifier=anna.andersson@exempel.se").status_code == 404

    requests = [line for line in lines(written) if line["message"] == "request"]
    assert [(r["method"], r["endpoint"], r["status"]) for r in requests] == [
        ("GET", "public.start", 200), ("GET", "reset.open_link", 303), ("GET", "inbox.link", 303),
        ("GET", "none", 404)]
    for line in requests:
        assert set(line) == {"time", "level", "logger", "message", "request_id", "method", "endpoint", "status",
                             "duration_ms"}
        assert len(line["request_id"]) == 32 and line["duration_ms"] >= 0
    assert len({r["request_id"] for r in requests}) == 4
    text = written.getvalue()
    for secret in (RESET_TOKEN, SIGN_IN_TOKEN, "aterstall", "logga-in", "finns", "anna.andersson"):
        assert secret not in text


def test_the_text_default_is_one_readable_line_per_request(client, written):
    configure(read({}).log_format, stream=written)
    client.get("/hjalp/tjanst")
    [line] = [line for line in written.getvalue().splitlines() if "portal.requests" in line]
    assert re.search(r" INFO    portal.requests: request request_id=[0-9a-f]{32} method=GET endpoint=public.service "
                     r"status=\d+ duration_ms=[0-9.]+$", line), line


def test_a_whole_public_flow_logs_no_identifier(app, client, runner, tmp_path, written):
    d = Directory()
    d.add_guardian("anna", child="c1", personnummer=personnummer("19800101"), emails=["anna.andersson@exempel.se"])
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    configure("json", stream=written)
    walk(client, "anna.andersson@exempel.se")
    walk(client, personnummer("19800101"))
    text = written.getvalue()
    assert text.count('"message": "request"') >= 10
    for detail in ("anna.andersson", "exempel.se", personnummer("19800101"), "19800101"):
        assert detail not in text


def test_a_request_id_comes_from_a_trusted_proxy_only(tmp_path, monkeypatch, written):
    configure("json", stream=written)
    given = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    for proxies in (0, 1):
        app = create_app({"TESTING": True, "PORTAL_TRUSTED_PROXIES": proxies})
        for header in (given, "anna.andersson@exempel.se"):
            response = app.test_client().get("/healthz", headers={"X-Request-Id": header})
            assert "X-Request-Id" not in response.headers  # answers stay the same for everyone
        with app.app_context():
            db.engine.dispose()
    ids = [line["request_id"] for line in lines(written) if line["message"] == "request"]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert [i == given for i in ids] == [False, False, True, False]  # only a trusted proxy's, only its shape
    assert "anna" not in written.getvalue()


def test_an_unhandled_error_is_logged_by_endpoint_and_type_without_its_text(tmp_path, monkeypatch, written):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app: Flask = create_app({"TESTING": False})

    @app.get("/boom/<token>")
    def boom(token: str) -> str:
        raise ValueError(f"no account for anna.andersson@exempel.se ({token})")

    configure("json", stream=written)
    response = app.test_client().get(f"/boom/{RESET_TOKEN}")
    assert response.status_code == 500
    [error] = [line for line in lines(written) if line["level"] == "error"]
    assert (error["message"], error["endpoint"], error["method"]) == ("unhandled error", "boom", "GET")
    assert error["exception"].startswith("ValueError\n") and "def boom" not in error["exception"]
    assert "anna" not in written.getvalue() and RESET_TOKEN not in written.getvalue()
    assert [line["status"] for line in lines(written) if line["message"] == "request"] == [500]
    with app.app_context():
        db.engine.dispose()


def test_portal_log_format_is_validated_in_swedish():
    assert read({"PORTAL_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ConfigError) as refused:
        read({"PORTAL_LOG_FORMAT": "xml"})
    assert str(refused.value) == "PORTAL_LOG_FORMAT ska vara text eller json, inte 'xml'"


def test_portal_run_writes_the_portals_request_lines_and_no_token_or_path(tmp_path):
    """Issue 16 row 11: Werkzeug's own request lines held reset and sign-in links."""
    port = _free_port()
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"), PORTAL_LOG_FORMAT="json")
    env.pop("PORTAL_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "portal.cli", "run", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert healthy(port)
        for path in (f"/aterstall/{RESET_TOKEN}", f"/inkorg/logga-in/{SIGN_IN_TOKEN}"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
            opener = urllib.request.build_opener(NoRedirect)
            with pytest.raises(urllib.error.HTTPError) as redirected:
                opener.open(request, timeout=10)
            assert redirected.value.code == 303
            redirected.value.close()
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    assert RESET_TOKEN not in err and SIGN_IN_TOKEN not in err
    assert "/aterstall/" not in err and "/inkorg/" not in err
    endpoints = [json.loads(line).get("endpoint") for line in err.splitlines() if line.startswith("{")]
    assert [e for e in endpoints if e][-3:] == ["health.healthz", "reset.open_link", "inbox.link"]


def healthy(port: int, seconds: float = 120) -> bool:
    """The server answers /healthz (a loaded machine may take a while to start it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _healthz(port) == (200, b"ok"):
            return True
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_a_worker_run_is_one_line_of_counts(app, tmp_path):
    env = {**os.environ, "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "PORTAL_INSTANCE_PATH": app.instance_path, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
           "PORTAL_LOG_FORMAT": "json", "PORTAL_MAIL_URL": "console:"}
    result = subprocess.run([sys.executable, "-m", "portal.cli", "worker"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    [run] = [json.loads(line) for line in result.stderr.splitlines() if '"worker_run"' in line]
    assert run["message"] == "worker run" and run["jobs_processed"] == 0 and run["mail_sent"] == 0
    assert run["duration_ms"] >= 0
