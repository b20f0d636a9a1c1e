"""The staff inbox with many cases: page time (median, p99) and SQL statements per page.

    python bench/bench_inbox.py [--cases 100000] [--requests 200]

Imports the generated directory of 10 000 persons (25 schools, their contacts, a portal-wide
school_admin), signs in through the real sign-in link as two contacts (a school's administrator,
and the portal-wide administrator who sees every school_admin case), and times pages through the
Flask test client (routing, session checks, queries, templates): the inbox list (first page, a
filtered page, a search by reference, a page far down) and a case page. First with 10 cases in
the database, then after bulk-inserting the rest up to --cases (executemany in batches of 10 000:
cases routed as rule 4 would route them, five findings and two history events each, 80 % closed,
over 90 days). The statement count per page must not change with the number of cases.

Set PORTAL_DATABASE_URL to measure on PostgreSQL (its cases and directory are replaced). Rate
limits are switched off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import OUT, data_file, fresh_instance  # noqa: E402
from sqlalchemy import delete, event, insert, select  # noqa: E402

KINDS = [("school_admin", 50), ("rector", 15), ("exam_admin", 10), ("municipal_it", 15), ("agency_support", 10)]
ROLE_FOR = {"school_admin": ("guardian", "school_platform", "no_access_to_content"),
            "rector": ("exam_admin", "eservice_permissions", "lost_credentials"),
            "exam_admin": ("teacher", "assessment_portal", "account_inactive"),
            "municipal_it": ("guardian", "school_platform", "forgot_password"),
            "agency_support": ("eservice_user", "agency_eservice", "siths_failed")}
FINDINGS = [("notice.active_disruption", "pass", None), ("account.exists", "pass", None),
            ("account.active", "fail", "default"), ("account.locked", "pass", None),
            ("account.email_registered", "skip", None)]
BATCH = 10_000


def setup_database() -> None:
    path = data_file(10_000)
    if not os.environ.get("PORTAL_DATABASE_URL", "").startswith("postgresql"):
        os.environ.update(fresh_instance("inbox"))
    os.environ["PORTAL_RATELIMIT_ENABLED"] = "0"
    subprocess.run([sys.executable, "-m", "portal.cli", "import", str(path)], env=dict(os.environ), check=True,
                   stdout=subprocess.DEVNULL)


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

    def rows(self, n: int) -> tuple[list[dict], list[dict], list[dict]]:
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


def insert_cases(maker: CaseMaker, n: int) -> float:
    from portal.extensions import db
    from portal.models import Case, CaseEvent, CaseFinding

    start = time.perf_counter()
    done = 0
    while done < n:
        cases, findings, events = maker.rows(min(BATCH, n - done))
        db.session.execute(insert(Case), cases)
        db.session.execute(insert(CaseFinding), findings)
        db.session.execute(insert(CaseEvent), events)
        db.session.commit()
        done += len(cases)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # what autovacuum would have done by now
            for table in ("cases", "case_findings", "case_events"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - start


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


def pages(visible_ref: str, search_ref: str) -> list[tuple[str, str]]:
    return [("list", "/inkorg/"), ("list, status filter", "/inkorg/?status=open"),
            ("list, search", f"/inkorg/?q={search_ref[:4]}-{search_ref[4:]}"), ("list, page 40", "/inkorg/?page=40"),
            ("case page", f"/inkorg/arenden/{visible_ref}")]


def visible_reference(app: Any, address: str) -> str:
    from checks.identifiers import normalise_email
    from portal.extensions import db
    from portal.inbox import auth, scope
    from portal.models import Case

    identity = auth.identity_for(normalise_email(address))
    assert identity is not None
    clause = scope.where(identity.email_key, identity.scopes)
    return db.session.scalars(select(Case.reference).where(clause).order_by(Case.id.desc()).limit(1)).one()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_database()

    from portal import create_app
    from portal.database import upgrade
    from portal.extensions import db
    from portal.models import Contact

    app = create_app({"TESTING": True})
    upgrade(app)
    counter = {"n": 0}
    lines: list[str] = []
    say: Callable[[str], None] = lambda text: (print(text, flush=True), lines.append(text))  # noqa: E731
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
        empty_cases()
        dialect = db.engine.dialect.name
        school_admin = db.session.scalars(select(Contact.email).where(Contact.kind == "school_admin",
                                                                      Contact.school_code.is_not(None))
                                          .order_by(Contact.src).limit(1)).one()
        portal_wide = db.session.scalars(select(Contact.email).where(Contact.ext_id == "portal-support")).one()
        maker = CaseMaker()
        # the first ten: some for each contact measured
        first = maker.rows(10)
        routes = {c["route_email"] for c in first[0]}
        while not ({school_admin} <= routes):
            first = maker.rows(10)
            routes = {c["route_email"] for c in first[0]}
        db.session.execute(insert(db.metadata.tables["cases"]), first[0])
        db.session.execute(insert(db.metadata.tables["case_findings"]), first[1])
        db.session.execute(insert(db.metadata.tables["case_events"]), first[2])
        db.session.commit()

    say(f"database: {dialect}; {args.requests} requests per page after 5 warm-up requests")
    say(f"{'cases':>7} {'contact':<22} {'page':<20} {'median ms':>9} {'p99 ms':>7} {'SQL':>4}")
    counts: dict[tuple[str, str], list[int]] = {}
    for total in (10, args.cases):
        with app.app_context():
            if total > 10:
                seconds = insert_cases(maker, total - 10)
                say(f"(inserted {total - 10} cases with their findings and events in {seconds:.1f} s)")
            refs = {who: visible_reference(app, who) for who in (school_admin, portal_wide)}
        for name, address in (("school administrator", school_admin), ("portal-wide admin", portal_wide)):
            client = signed_in(app, address)
            for label, path in pages(refs[address], refs[address]):
                median, p99, statements = measure(client, path, args.requests, counter)
                counts.setdefault((name, label), []).append(statements)
                say(f"{total:>7} {name:<22} {label:<20} {median:>9.2f} {p99:>7.2f} {statements:>4}")
    same = all(len(set(v)) == 1 for v in counts.values())
    say(f"statements per page the same at 10 and at {args.cases} cases: {'yes' if same else 'NO'}")
    OUT.mkdir(exist_ok=True)
    (OUT / f"bench_inbox-{dialect}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
