"""Shared by the benchmarks that measure pages over many cases (bench_inbox.py, bench_statistics.py): the
directory they import, the case rows they bulk-insert, signing in as a contact, and timing a page.

    setup_database(name)   the generated 10 000-person directory imported into bench/out/<name>/ (SQLite)
                           or PORTAL_DATABASE_URL; rate limits off
    CaseMaker().rows(n)    n cases routed as routing rule 4 would route them, with five findings and two
                           history events each (80 % closed, over 90 days)
    insert_cases(...)      executemany in batches, a committed transaction each; `prepare` sees each batch
                           of case rows first; then what autovacuum would have done (`analyse`)
    signed_in, measure     a test client signed in through the real sign-in link; a page's median and p99
                           ms and its statement count
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import data_file, fresh_instance  # noqa: E402
from sqlalchemy import delete, insert, select  # noqa: E402

KINDS = [("school_admin", 50), ("rector", 15), ("exam_admin", 10), ("municipal_it", 15), ("agency_support", 10)]
ROLE_FOR = {"school_admin": ("guardian", "school_platform", "no_access_to_content"),
            "rector": ("exam_admin", "eservice_permissions", "lost_credentials"),
            "exam_admin": ("teacher", "assessment_portal", "account_inactive"),
            "municipal_it": ("guardian", "school_platform", "forgot_password"),
            "agency_support": ("eservice_user", "agency_eservice", "siths_failed")}
FINDINGS = [("notice.active_disruption", "pass", None), ("account.exists", "pass", None),
            ("account.active", "fail", "default"), ("account.locked", "pass", None),
            ("account.email_registered", "skip", None)]
CASE_TABLES = ("cases", "case_findings", "case_events")

Rows = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def setup_database(name: str) -> None:
    """The generated directory of 10 000 persons, imported into an SQLite file of the benchmark's own
    (bench/out/<name>/), or into PORTAL_DATABASE_URL when that is PostgreSQL; rate limits switched off."""
    path = data_file(10_000)
    if not os.environ.get("PORTAL_DATABASE_URL", "").startswith("postgresql"):
        os.environ.update(fresh_instance(name))
    os.environ["PORTAL_RATELIMIT_ENABLED"] = "0"
    subprocess.run([sys.executable, "-m", "portal.cli", "import", str(path)], env=dict(os.environ), check=True,
                   stdout=subprocess.DEVNULL)


class Run:
    """A page benchmark's app on the set-up database (schema upgraded), the statements it has sent so far
    (`counter["n"]`, what `measure` reads) and its report: `say` prints a line and keeps it for `save`."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from portal import create_app
        from portal.database import upgrade
        from portal.extensions import db

        self.app = create_app({"TESTING": True})
        upgrade(self.app)
        self.counter = {"n": 0}
        self.lines: list[str] = []
        with self.app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda *_a: self.counter.__setitem__("n", self.counter["n"] + 1))

    def say(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def save(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


class CaseMaker:
    """Rows for the cases table and its children, routed as routing rule 4 would route them."""

    def __init__(self, seed: int = 7) -> None:
        from portal import diagnosis
        from portal.extensions import db
        from portal.models import Account, Organisation, School

        self.random = random.Random(seed)
        self.schools = [(code, org) for code, org in db.session.execute(select(School.code, School.organisation_id))]
        self.organisations = list(db.session.scalars(select(Organisation.id)))
        self.accounts = list(db.session.scalars(select(Account.id).order_by(Account.id).limit(5000)))
        self.routes: dict[tuple[str, str], Any] = {}
        for kind, _weight in KINDS:
            service = ROLE_FOR[kind][1]
            places = ([(org, org) for org in self.organisations] if service == "agency_eservice" else self.schools)
            for place, org in places:
                school = None if service == "agency_eservice" else place
                self.routes[(kind, place)] = (diagnosis.contact_at(kind, school=school, organisation=org,
                                                                   service=service), org)
        self.kinds = [k for k, w in KINDS for _ in range(w)]
        self.now = dt.datetime.now(dt.UTC)
        self.serial = 0

    def rows(self, n: int) -> Rows:
        from checks.identifiers import normalise_email
        from portal.cases import new_reference

        cases, findings, events = [], [], []
        for _ in range(n):
            self.serial += 1
            kind = self.random.choice(self.kinds)
            role, service, symptom = ROLE_FOR[kind]
            place = (self.random.choice(self.organisations) if service == "agency_eservice"
                     else self.random.choice(self.schools)[0])
            contact, org = self.routes[(kind, place)]
            created = self.now - dt.timedelta(seconds=self.random.randrange(90 * 86400))
            status = self.random.choice(["open", "passed_on"]) if self.random.random() < 0.2 else "resolved"
            cases.append({"id": self.serial, "reference": new_reference(), "created_at": created, "updated_at": created,
                          "role": role, "service": service, "symptom": symptom, "place": place,
                          "organisation_id": org, "identifier_hash": "0" * 64, "identifier_masked": "a***@exempel.se",
                          "same_day_key": f"{self.serial:064d}", "matched": True, "matched_account_id": self.random.choice(self.accounts),
                          "route_kind": kind, "route_name": contact.name if contact else None,
                          "route_email": contact.email if contact else None,
                          "route_email_key": normalise_email(contact.email) if contact else None,
                          "self_service": False, "status": status})
            for position, (check, outcome, route) in enumerate(FINDINGS):
                findings.append({"case_id": self.serial, "position": position, "check": check, "outcome": outcome,
                                 "visibility": "private", "route": kind if route else None})
            events.append({"case_id": self.serial, "at": created, "actor": "portal", "action": "received",
                           "detail": None})
            events.append({"case_id": self.serial, "at": created, "actor": "worker", "action": "diagnosed",
                           "detail": kind})
        return cases, findings, events


def write_rows(rows: Rows, tables: Iterable[str] = CASE_TABLES) -> None:
    """One batch of `CaseMaker.rows` into the named ones of its three tables (executemany each)."""
    from portal.extensions import db
    from portal.models import Case, CaseEvent, CaseFinding

    tables = tuple(tables)
    for model, batch in zip((Case, CaseFinding, CaseEvent), rows, strict=True):
        if model.__tablename__ in tables and batch:
            db.session.execute(insert(model), batch)


def insert_cases(maker: CaseMaker, n: int, *, batch: int = 10_000, tables: Iterable[str] = CASE_TABLES,
                 prepare: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
    """n more cases from `maker`, in batches of `batch`, each written to `tables` (none: nothing written,
    `prepare` alone sees them) and committed. `prepare` may change a batch's case rows before they are
    written."""
    from portal.extensions import db

    tables = tuple(tables)
    done = 0
    while done < n:
        rows = maker.rows(min(batch, n - done))
        if prepare is not None:
            prepare(rows[0])
        write_rows(rows, tables)
        db.session.commit()
        done += len(rows[0])


def analyse(tables: Iterable[str]) -> None:
    """What autovacuum (PostgreSQL) or a later ANALYZE (SQLite) would have done by now, so the planner sees
    the tables' sizes."""
    from portal.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def empty_cases() -> None:
    from portal.extensions import db
    from portal.models import Case, CaseEvent, CaseFinding, Job, OutboxMessage, StaffSession

    for model in (CaseFinding, CaseEvent, Job, OutboxMessage, StaffSession, Case):
        db.session.execute(delete(model))
    db.session.commit()


def signed_in(app: Any, address: str) -> Any:
    from tests.functional.inbox_flow import ask_for_link, follow_link, sign_in_link

    client = app.test_client()
    ask_for_link(client, address)
    response = follow_link(client, sign_in_link(app, address))
    assert response.status_code == 303, response.status_code
    return client


def measure(client: Any, path: str, requests: int, counter: dict[str, int]) -> tuple[float, float, int]:
    """Median and p99 ms of `requests` GETs of `path` after 5 warm-up ones, and the statements one runs
    (`counter` counts them: a before_cursor_execute listener)."""
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    counter["n"] = 0
    client.get(path)
    statements = counter["n"]
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], statements
