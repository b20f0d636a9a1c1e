"""The contacts' statistics at many cases: page time (median, p99) and SQL statements per page.

    python bench/bench_statistics.py [--cases 1000000] [--requests 100]

Imports the generated directory of 10 000 persons (25 schools, their contacts), then bulk-inserts
--cases cases over 90 days (as bench_inbox.py makes them, bench/_cases.py; 30 % self-served, 0 to 3 failed checks
each, drawn from the catalogue) together with their statistics rows: the same rows the worker's
`portal.statistics.add` leaves for each case, summed in Python first so that a million cases load
in minutes. Then it signs in through the real sign-in link as four contacts (a school's
administrator, an organisation's IT support, a service-wide agency support if the directory has one,
and the portal-wide administrator) and times /inkorg/statistik (the last 30 days, and 90 days) and
/inkorg/statistik.csv through the Flask test client. It also times what counting costs the worker:
`statistics.add` for one case with its commit. The statement count per page must not change with the
number of cases (measured at 10 cases and at --cases). `--without-case-rows` leaves the cases table
out (the pages never read it) to fill a large database in a fraction of the time.

Set PORTAL_DATABASE_URL to measure on PostgreSQL (its cases and directory are replaced). Rate
limits are switched off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics as stats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import (  # noqa: E402
    CaseMaker,
    Run,
    analyse,
    empty_cases,
    insert_cases,
    measure,
    setup_database,
    signed_in,
)
from _common import OUT  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402

BATCH = 20_000


def fill(maker: CaseMaker, n: int, checks: list[str], rng: random.Random, *, case_rows: bool = True) -> float:
    """n cases and their statistics rows (without the cases' own rows when `case_rows` is False: the
    pages never read them); seconds taken."""
    from portal import statistics
    from portal.extensions import db

    start = time.perf_counter()
    counts: Counter[tuple[str, str, dt.date, str, str, str]] = Counter()

    def count(cases: list[dict[str, Any]]) -> None:
        for case in cases:
            case["reference"] = f"S{case['id']:07d}"  # 40 random bits collide within a million
            case["self_service"] = rng.random() < 0.3
            failed = rng.sample(checks, rng.choice((0, 1, 1, 2, 2, 3)))
            day = statistics.stockholm_day(case["created_at"])
            shape = statistics.CaseShape(case["created_at"], case["place"], case["organisation_id"], case["service"])
            for level, key, organisation in statistics.cells(shape):
                for metric, k in statistics.metrics(case["self_service"], failed).items():
                    counts[(level, key, day, case["service"], organisation, metric)] += k

    insert_cases(maker, n, batch=BATCH, tables=("cases",) if case_rows else (), prepare=count)
    rows = [{"level": k[0], "key": k[1], "day": k[2], "service": k[3], "organisation_id": k[4], "metric": k[5],
             "n": n} for k, n in counts.items()]
    rows.sort(key=lambda row: tuple(str(v) for v in row.values()))
    for i in range(0, len(rows), BATCH):
        statistics.upsert(rows[i:i + BATCH])
    db.session.commit()
    analyse(("cases", "case_counts"))
    return time.perf_counter() - start


def counting_cost(checks: list[str], rng: random.Random, n: int = 500) -> tuple[float, float]:
    """Median and p99 ms of `statistics.add` for one case and its commit (the worker's extra work)."""
    from portal import statistics
    from portal.extensions import db

    times = []
    for i in range(n):
        shape = statistics.CaseShape(dt.datetime.now(dt.UTC), f"bench{i % 50}", "bench-org", "school_platform")
        start = time.perf_counter()
        statistics.add(shape, statistics.metrics(i % 3 == 0, rng.sample(checks, 2)))
        db.session.commit()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return stats.median(times), times[int(len(times) * 0.99)]


def contacts() -> list[tuple[str, str]]:
    from portal.extensions import db
    from portal.models import Contact

    def first(*where: Any) -> str | None:
        return db.session.scalars(select(Contact.email).where(*where).order_by(Contact.src).limit(1)).first()

    found = [("school administrator", first(Contact.kind == "school_admin", Contact.school_code.is_not(None))),
             ("organisation IT", first(Contact.kind == "municipal_it", Contact.organisation_id.is_not(None))),
             ("service-wide support", first(Contact.service.is_not(None), Contact.school_code.is_(None),
                                            Contact.organisation_id.is_(None))),
             ("portal-wide admin", first(Contact.ext_id == "portal-support"))]
    return [(name, address) for name, address in found if address is not None]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--without-case-rows", action="store_true",
                        help="insert only the statistics rows of the cases (quicker; the pages read nothing else)")
    args = parser.parse_args()
    setup_database("statistics")

    from checks import CATALOGUE
    from portal.extensions import db
    from portal.models import CaseCount

    run = Run()
    app, counter, say = run.app, run.counter, run.say
    rng = random.Random(11)
    checks = [c.id for c in CATALOGUE if c.id != "notice.active_disruption"]
    with app.app_context():
        empty_cases()
        db.session.execute(delete(CaseCount))
        db.session.commit()
        dialect = db.engine.dialect.name
        maker = CaseMaker()
        fill(maker, 10, checks, rng)
        who = contacts()

    today = dt.date.today()
    paths = [("page, 30 days", "/inkorg/statistik"),
             ("page, 90 days", f"/inkorg/statistik?fran={(today - dt.timedelta(days=89)).isoformat()}"),
             ("csv, 30 days", "/inkorg/statistik.csv")]
    say(f"database: {dialect}; {args.requests} requests per page after 5 warm-up requests")
    say(f"{'cases':>8} {'contact':<22} {'page':<15} {'median ms':>9} {'p99 ms':>7} {'SQL':>4}")
    counts: dict[tuple[str, str], list[int]] = {}
    for total in (10, args.cases):
        if total > 10:
            with app.app_context():
                seconds = fill(maker, total - 10, checks, rng, case_rows=not args.without_case_rows)
                rows = db.session.query(CaseCount).count()
            what = "the statistics rows of" if args.without_case_rows else "the rows and the statistics rows of"
            say(f"(inserted {what} {total - 10} cases, {rows} statistics rows, in {seconds:.1f} s)")
        for name, address in who:
            client = signed_in(app, address)
            for label, path in paths:
                median, p99, statements = measure(client, path, args.requests, counter)
                counts.setdefault((name, label), []).append(statements)
                say(f"{total:>8} {name:<22} {label:<15} {median:>9.2f} {p99:>7.2f} {statements:>4}")
    with app.app_context():
        median, p99 = counting_cost(checks, rng)
    say(f"counting one case in the worker (statistics.add and commit): median {median:.2f} ms, p99 {p99:.2f} ms")
    same = all(len(set(v)) == 1 for v in counts.values())
    say(f"statements per page the same at 10 and at {args.cases} cases: {'yes' if same else 'NO'}")
    OUT.mkdir(exist_ok=True)
    run.save(OUT / f"bench_statistics-{dialect}.txt")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
