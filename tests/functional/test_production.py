"""The portal as operators run it (issue 15; docs/contracts/README.md "Running in production"), on PostgreSQL
and Redis: `portal db upgrade`, two gunicorn masters with the shipped configuration, two `portal worker --loop`,
a few hundred complete public flows from several threads, one worker killed with SIGKILL and restarted during
the run. Every case is recorded once, every job processed exactly once, no mail is lost (a repeat with the same
Message-ID is allowed), no answer is a 5xx, /metrics sums each master's processes, and the logs hold no
personal detail. Skipped on SQLite (CI's PostgreSQL run takes it)."""

from __future__ import annotations

import collections
import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, CaseEvent, Job, OutboxMessage

from ..conftest import ON_POSTGRES
from ..personal_data import leaks
from . import smtp
from .directory_builder import Directory
from .flow import REFERENCE, TOKEN

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ON_POSTGRES, reason="many processes need PostgreSQL (CI's PostgreSQL run)")]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
METRICS_TOKEN = "metrics-token-for-the-production-test"
FLOWS = 200
KNOWN = 70  # flows 0..79 ask about a guardian who exists; the rest about addresses nobody has
THREADS = 8
SCHOOL = "11111111"


def redis_or_skip() -> None:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()  # this database number only (never FLUSHALL): the rate limits start from nothing
        client.close()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_URL}: {exc}")


def directory() -> Directory:
    d = Directory()
    for i in range(KNOWN):
        d.add_guardian(f"g{i}", emails=[f"vardnadshavare{i}@exempel.se"])
    d.add_contact(kind="school_admin", name="Expeditionen Skolan", email="expeditionen@exempel.se", school=SCHOOL)
    return d


def identifier(i: int) -> str:
    return f"vardnadshavare{i}@exempel.se" if i < KNOWN else f"okand{i}@exempel.se"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Client:
    """One person's browser without JavaScript: cookies, no redirects followed, every status recorded."""

    def __init__(self, base: str, statuses: collections.Counter, lock: threading.Lock) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)
        self.statuses, self.lock = statuses, lock

    def request(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        for attempt in range(3):
            try:
                try:
                    with self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=60) as r:
                        status, body, location = r.status, r.read().decode(), r.headers.get("Location", "")
                except urllib.error.HTTPError as error:
                    with error:
                        status, body, location = error.code, error.read().decode(), error.headers.get("Location", "")
                break
            except (ConnectionError, urllib.error.URLError):  # a gunicorn worker being replaced (max_requests)
                if attempt == 2:
                    raise
                time.sleep(0.2)
        with self.lock:
            self.statuses[(self.base, status)] += 1
        return status, body, location

    def form(self, path: str, **fields: str) -> tuple[int, str]:
        status, page, _ = self.request(path)
        assert status == 200, (path, status)
        match = TOKEN.search(page)
        assert match, path
        status, _body, location = self.request(path if "?" not in path else path.split("?")[0],
                                               {"csrf_token": match.group(1), **fields})
        return status, location


def flow(base: str, i: int, statuses: collections.Counter, lock: threading.Lock) -> str:
    """A whole public flow; returns the case reference its result page shows."""
    c = Client(base, statuses, lock)
    assert c.form("/", role="guardian")[0] == 303
    assert c.form("/hjalp/tjanst", service="school_platform")[0] == 303
    assert c.form("/hjalp/problem", symptom="forgot_password")[0] == 303
    assert c.form(f"/hjalp/skola?q={SCHOOL}", q=SCHOOL, school=SCHOOL)[0] == 303
    status, location = c.form("/hjalp/uppgift", identifier=identifier(i))
    assert status == 303 and location.endswith("/hjalp/resultat"), (status, location)
    status, page, _ = c.request("/hjalp/resultat")
    assert status == 200
    match = REFERENCE.search(page)
    assert match, page[:500]
    return match.group(1).replace("-", "")


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def scrape(base: str) -> dict[tuple[str, tuple], float]:
    request = urllib.request.Request(base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_many_processes_on_postgresql_and_redis_lose_nothing_and_repeat_nothing(app, tmp_path, runner):
    redis_or_skip()
    result = runner.invoke(args=["import", str(directory().write(tmp_path / "directory.json"))])
    assert result.exit_code == 0, result.output
    server = smtp.SmtpServer()
    server.up()
    env = {**os.environ, "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "PORTAL_INSTANCE_PATH": app.instance_path, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
           "PORTAL_MAIL_URL": server.url, "PORTAL_MAIL_FROM": "Inloggningshjälpen <noreply@exempel.se>",
           "PORTAL_RATELIMIT_STORAGE_URL": REDIS_URL, "PORTAL_LIMIT_PAGES": "100000 per minute",
           "PORTAL_LIMIT_SUBMIT": "100000 per minute", "PORTAL_LIMIT_IDENTIFIER": "1000 per hour",
           "PORTAL_LIMIT_TYPED_EMAIL": "1000 per hour", "PORTAL_LOG_FORMAT": "json",
           "PORTAL_METRICS_TOKEN": METRICS_TOKEN, "PORTAL_JOB_STALE_AFTER": "3", "PORTAL_MAIL_STALE_AFTER": "3"}
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen] = []

    def start(name: str, args: list[str], **extra: str) -> subprocess.Popen:
        handle = (logs / f"{name}.log").open("a")  # the log (stderr); the command's own summary goes nowhere
        process = subprocess.Popen(args, env={**env, **extra}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=handle)
        handle.close()
        processes.append(process)
        return process

    upgraded = subprocess.run([sys.executable, "-m", "portal.cli", "db", "upgrade"], env=env, capture_output=True,
                              text=True, timeout=120)
    assert upgraded.returncode == 0 and "senaste versionen" in upgraded.stdout, upgraded.stderr

    ports = [smtp.free_port(), smtp.free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    worker_command = [sys.executable, "-m", "portal.cli", "worker", "--loop", "--interval", "0.2"]
    try:
        for n, port in enumerate(ports):
            folder = tmp_path / f"metrics{n}"
            start(f"web{n}", [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--workers", "2",
                              "--bind", f"127.0.0.1:{port}"], PROMETHEUS_MULTIPROC_DIR=str(folder))
        workers = [start(f"worker{n}", worker_command) for n in range(2)]
        for base in bases:
            wait_for(base + "/healthz")

        statuses: collections.Counter = collections.Counter()
        lock = threading.Lock()
        references: list[str] = []
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(flow, bases[i % 2], i, statuses, lock) for i in range(FLOWS)]
            killed = False
            for done, future in enumerate(futures):
                references.append(future.result())
                if not killed and done >= FLOWS // 3:  # mid-run: one worker dies without a word, then comes back
                    workers[0].send_signal(signal.SIGKILL)
                    assert workers[0].wait(30) == -signal.SIGKILL
                    killed = True
                    workers[0] = start("worker0", worker_command)

        with app.app_context():  # the workers finish the queue and the outbox
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                db.session.rollback()
                waiting = db.session.scalar(select(func.count()).select_from(Job).where(Job.status != "done"))
                unsent = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.status != "sent"))
                if waiting == 0 and unsent == 0:
                    break
                time.sleep(0.3)
            scraped = [scrape(base) for base in bases]
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        server.down()

    # no 5xx, and every answer counted by the master that gave it, summed over its two workers
    assert not [s for (_b, s) in statuses if s >= 500], dict(statuses)
    for base, got in zip(bases, scraped, strict=True):
        counted = sum(v for (name, _labels), v in got.items() if name == "portal_http_requests_total")
        answered = sum(n for (b, _status), n in statuses.items() if b == base)
        assert counted >= answered  # plus the /healthz polls at start
        assert got[("portal_jobs", (("status", "done"),))] == FLOWS
        assert got[("portal_outbox", (("status", "pending"),))] == 0
        assert got[("portal_cases_total", ())] == FLOWS

    with app.app_context():
        cases = db.session.execute(select(Case.reference, Case.status)).all()
        jobs = db.session.execute(select(Job.case_id, Job.status, Job.identifier)).all()
        diagnosed = collections.Counter(db.session.scalars(
            select(CaseEvent.case_id).where(CaseEvent.action == "diagnosed")))
        rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status,
                                         OutboxMessage.message_id)).all()
    # every case recorded once, the one each result page showed
    assert len(cases) == FLOWS and len(set(references)) == FLOWS
    assert not {r for r, _s in cases} ^ set(references)
    # every job processed exactly once: done, its identifier erased, one diagnosis per case
    assert len(jobs) == FLOWS and {(s, i) for _c, s, i in jobs} == {("done", None)}
    assert len(diagnosed) == FLOWS and not [c for c, n in diagnosed.items() if n != 1]
    # no mail lost: every row sent, and the server received each one (a repeat only with the same Message-ID)
    assert {s for _a, s, _m in rows} == {"sent"}
    recipients: dict[str, set[tuple[str, ...]]] = collections.defaultdict(set)
    for m in server.messages:
        recipients[m.message_id].add(tuple(m.rcpt_tos))
    assert len(recipients) == len(rows) and not set(recipients) ^ {m for _a, _s, m in rows}
    assert not [to for to, _s, message_id in rows if recipients[message_id] != {(to,)}]
    reached = {to for tos in recipients.values() for (to,) in tos}
    assert not [identifier(i) for i in range(FLOWS) if identifier(i) not in reached]  # each person's reply
    repeats = len(server.messages) - len(recipients)  # the killed worker's message sent again, same Message-ID

    # logs: a line per request, by endpoint; a line per worker run; no personal detail in any process's log
    lines = []
    for path in logs.iterdir():
        for line in path.read_text().splitlines():
            assert line.startswith("{"), (path.name, line)  # PORTAL_LOG_FORMAT=json everywhere
            lines.append(line)
    parsed = [json.loads(line) for line in lines]
    posted = [p for p in parsed if p.get("endpoint") == "public.identifier" and p.get("method") == "POST"]
    assert len(posted) == FLOWS, len(posted)
    assert any(p.get("event") == "worker_run" and p.get("jobs_processed", 0) > 0 for p in parsed)
    found = leaks(lines, [identifier(i) for i in range(FLOWS)] + ["vardnadshavare", "okand", "exempel.se"])
    assert not found, found[:5]
    print(f"{FLOWS} flows, {sum(statuses.values())} answers, {len(server.messages)} mails ({repeats} repeated)")
