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
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _cases import (  # noqa: E402
    CASE_TABLES,
    CaseMaker,
    Run,
    analyse,
    empty_cases,
    insert_cases,
    measure,
    setup_database,
    signed_in,
    write_rows,
)
from _common import OUT  # noqa: E402
from sqlalchemy import select  # noqa: E402

BATCH = 10_000


def insert_more(maker: CaseMaker, n: int) -> float:
    """n more cases with their findings and events (bench/_cases.py); seconds taken."""
    start = time.perf_counter()
    insert_cases(maker, n, batch=BATCH)
    analyse(CASE_TABLES)
    return time.perf_counter() - start


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
    setup_database("inbox")

    from portal.extensions import db
    from portal.models import Contact

    run = Run()
    app, counter, say = run.app, run.counter, run.say
    with app.app_context():
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
        write_rows(first)
        db.session.commit()

    say(f"database: {dialect}; {args.requests} requests per page after 5 warm-up requests")
    say(f"{'cases':>7} {'contact':<22} {'page':<20} {'median ms':>9} {'p99 ms':>7} {'SQL':>4}")
    counts: dict[tuple[str, str], list[int]] = {}
    for total in (10, args.cases):
        with app.app_context():
            if total > 10:
                seconds = insert_more(maker, total - 10)
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
    run.save(OUT / f"bench_inbox-{dialect}.txt")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
