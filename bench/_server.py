"""Shared bits for the HTTP benchmarks: a loaded instance, a real server in its own process, the
public flow's session cookie and CSRF token, and identifiers of real and missing accounts."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from _common import HERE, data_file, fresh_instance
from sqlalchemy import create_engine, text

ROOT = HERE.parent
ROLE, SERVICE, SYMPTOM = "guardian", "school_platform", "forgot_password"
_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def load_instance(name: str, persons: int, database_url: str | None = None) -> dict[str, str]:
    """A fresh instance folder with the generated directory of `persons` (0: the demo directory)
    loaded by `portal import` / `portal demo` in its own process (which also upgrades the schema)."""
    env = fresh_instance(name)
    env["PORTAL_RATELIMIT_ENABLED"] = "0"
    if database_url:
        database = database_url.rsplit("/", 1)[-1].split("?", 1)[0]
        if "test" in database:
            sys.exit(f"refusing {database_url}: the test suite wipes databases named like 'test'")
        env["PORTAL_DATABASE_URL"] = database_url
    command = ["demo"] if persons == 0 else ["import", str(data_file(persons)), "--no-progress"]
    subprocess.run([sys.executable, "-m", "portal.cli", *command], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return env


def database_url(env: dict[str, str]) -> str:
    return env.get("PORTAL_DATABASE_URL") or f"sqlite:///{Path(env['PORTAL_INSTANCE_PATH']) / 'portal.sqlite3'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MASTERS: dict[int, int] = {}  # port -> the gunicorn master's pid, while it serves


def cpu_seconds(port: int) -> float:
    """User and system CPU time of the gunicorn master serving `port` and of its workers, so far."""
    master = MASTERS[port]
    pids = [master]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int, worker_class: str = "sync", threads: int = 1,
             cwd: Path = ROOT, log: Path | None = None) -> Iterator[int]:
    """Serve `app` (module:variable) with gunicorn on a free local port; yields the port. Plain
    gunicorn never runs the queue worker (only `portal run --worker` does). `log`: a file for the
    servers' stderr (the portal's request lines), instead of this process's."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]
    stderr = log.open("a", encoding="utf-8") if log is not None else None
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stderr=stderr)
    finally:
        if stderr is not None:
            stderr.close()  # the child has its own copy
    MASTERS[port] = proc.pid
    try:
        wait_ready(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 404):  # the hello app has no /healthz
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"the server on port {port} did not answer within {timeout:.0f} s")


@dataclass
class FlowSession:
    """A visitor who has answered every step but the identifier: cookie and CSRF token for its POST."""

    cookie: str
    csrf_token: str
    school: str

    def body(self, identifier: str) -> str:
        return urlencode({"csrf_token": self.csrf_token, "identifier": identifier})


def _cookie(response: http.client.HTTPResponse, current: str) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return current


def open_flow(conn: http.client.HTTPConnection, school: str) -> FlowSession:
    """The prefill link (role, service, symptom, school), then the identifier step's form."""
    query = urlencode({"role": ROLE, "service": SERVICE, "symptom": SYMPTOM, "school": school})
    conn.request("GET", f"/?{query}")
    response = conn.getresponse()
    response.read()
    location = response.headers.get("Location", "")
    if response.status != 303 or not location.endswith("/hjalp/uppgift"):
        sys.exit(f"the prefill link gave {response.status} {location!r}, not 303 to /hjalp/uppgift")
    cookie = _cookie(response, "")
    conn.request("GET", "/hjalp/uppgift", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode("utf-8")
    match = _CSRF_RE.search(page)
    if response.status != 200 or match is None:
        sys.exit(f"/hjalp/uppgift gave {response.status} without a csrf_token")
    return FlowSession(cookie=_cookie(response, cookie), csrf_token=match.group(1), school=school)


def post_identifier(conn: http.client.HTTPConnection, flow: FlowSession, identifier: str) -> tuple[int, str]:
    """The final step's POST; returns the status and the redirect target (not followed)."""
    conn.request("POST", "/hjalp/uppgift", body=flow.body(identifier),
                 headers={"Cookie": flow.cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    return response.status, response.headers.get("Location", "")


# --- identifiers -----------------------------------------------------------------------------------

def guardians(env: dict[str, str]) -> tuple[str, list[tuple[str, str | None]]]:
    """The school with the most guardians who have a school_platform account, and those guardians'
    first e-mail address and personnummer (12 digits), as (email, personnummer) pairs."""
    engine = create_engine(database_url(env))
    with engine.connect() as conn:
        school = conn.execute(text("""
            SELECT r.school_code FROM roles r
            JOIN accounts a ON a.person_id = r.person_id AND a.service = :service
            WHERE r.role = :role AND r.school_code IS NOT NULL
            GROUP BY r.school_code ORDER BY count(DISTINCT r.person_id) DESC, r.school_code LIMIT 1
        """), {"role": ROLE, "service": SERVICE}).scalar_one()
        rows = conn.execute(text("""
            SELECT DISTINCT p.id, e.email, p.personnummer FROM roles r
            JOIN persons p ON p.id = r.person_id
            JOIN accounts a ON a.person_id = r.person_id AND a.service = :service
            LEFT JOIN person_emails e ON e.person_id = p.id AND e.position = 0
            WHERE r.role = :role AND r.school_code = :school
            ORDER BY p.id
        """), {"role": ROLE, "service": SERVICE, "school": school}).all()
    engine.dispose()
    return school, [(r.email, r.personnummer) for r in rows]


def known_identifiers(env: dict[str, str]) -> tuple[set[str], set[str]]:
    """Every e-mail key and personnummer in the directory, to prove a made-up one matches nothing."""
    engine = create_engine(database_url(env))
    with engine.connect() as conn:
        emails = {r[0] for r in conn.execute(text("SELECT email_key FROM person_emails"))}
        emails |= {r[0] for r in conn.execute(text("SELECT email_key FROM contacts"))}
        pnrs = {r[0] for r in conn.execute(text("SELECT personnummer FROM persons WHERE personnummer IS NOT NULL"))}
    engine.dispose()
    return emails, pnrs


def luhn_digit(nine: str) -> str:
    """The personnummer check digit of YYMMDDNNN (Luhn). 811228987 -> 4 (8112289874 is the textbook one)."""
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def missing_email(email: str, taken: set[str]) -> str:
    """An address of the same length and shape that matches nobody: the local part's letters turned."""
    local, _, domain = email.rpartition("@")
    for shift in range(1, 26):
        turned = "".join(chr((ord(c) - 97 + shift) % 26 + 97) if "a" <= c <= "z" else c for c in local.lower())
        candidate = f"{turned}@{domain}"
        if candidate.lower() not in taken:
            return candidate
    raise RuntimeError(f"no missing address like {email}")


def missing_personnummer(pnr12: str, taken: set[str]) -> str:
    """The same birth date (and kind: personnummer or samordningsnummer), another serial, a valid
    check digit, and nobody's."""
    head = pnr12[:8]
    serial = int(pnr12[8:11])
    for step in range(1, 1000):
        nine = head[2:] + f"{(serial + step * 7) % 1000:03d}"
        candidate = head + nine[6:] + luhn_digit(nine)
        if candidate not in taken:
            return candidate
    raise RuntimeError(f"no missing personnummer born {head}")


def fresh_identifiers(kind: str, count: int, like: str, taken: set[str]) -> list[str]:
    """`count` identifiers of `kind` that match nobody and were never posted: the same length as `like`."""
    out: list[str] = []
    n = 0
    while len(out) < count:
        n += 1
        if kind == "email":
            local, _, domain = like.rpartition("@")
            candidate = f"{('f' + str(n)).rjust(len(local), 'q')}@{domain}"
            ok = candidate not in taken
        else:
            day = dt.date(1975, 1, 1) + dt.timedelta(days=n // 400)
            nine = day.strftime("%y%m%d") + f"{n % 400 + 500:03d}"
            full = day.strftime("%Y%m%d") + nine[6:] + luhn_digit(nine)
            candidate, ok = typed_personnummer(full), full not in taken
        if ok:
            out.append(candidate)
    return out


def typed_personnummer(pnr12: str) -> str:
    """As the form's hint says to type it: ÅÅÅÅMMDD-NNNN."""
    return f"{pnr12[:8]}-{pnr12[8:]}"


def identifier_pairs(env: dict[str, str], kind: str, limit: int | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(school, [(existing, missing), ...]): each missing identifier the same kind and length as its pair."""
    school, people = guardians(env)
    emails, pnrs = known_identifiers(env)
    pairs = []
    for email, pnr in people:
        if kind == "email" and email:
            pairs.append((email, missing_email(email, emails)))
        elif kind == "personnummer" and pnr:
            pairs.append((typed_personnummer(pnr), typed_personnummer(missing_personnummer(pnr, pnrs))))
    if not pairs:
        sys.exit(f"no guardian with a {kind} at school {school}")
    for existing, missing in pairs:
        assert len(existing) == len(missing), (existing, missing)
    return school, pairs[:limit] if limit else pairs


def steal_seconds() -> float:
    """CPU time the host gave other guests so far, both cores together (/proc/stat's "steal"): when it
    grows during a run, the figures measured the neighbours too."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def environment_note() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
