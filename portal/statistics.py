"""The contacts' statistics (issue 14; docs/contracts/README.md "The contacts' statistics and notices").

Counting: when the worker stores a case's findings it also adds the case to `case_counts`
(portal/models/statistics.py): one case, whether it was self-served, and each check it failed in,
on the case's Stockholm day at three levels (its school, its organisation, everywhere). A case
diagnosed again (the same person asking again the same day) first takes back what it counted
before. Resolving a case from the inbox adds one "resolved". Upserts are sorted, so two workers
counting on the same rows never deadlock on PostgreSQL.

Reading: the cases at the places a contact's rows cover (its school, its organisation, its service,
or everywhere), whoever each case was routed to, self-served ones included. The scopes become
conditions on the levels, each case counted once even when two of a contact's scopes overlap (a
school row inside an organisation row of the same address). One statement per period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, and_, false, func, not_, null, or_, select, true, union_all
from sqlalchemy.dialects import postgresql, sqlite

from checks.vocab import ORGANISATION_SERVICES

from .clock import aware
from .extensions import db
from .inbox.scope import Scope
from .models import CaseCount

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CASES, SELF_SERVICE, RESOLVED, FAIL = "cases", "self_service", "resolved", "fail:"
DAILY = (CASES, SELF_SERVICE, RESOLVED)  # counted per day for the weeks; the checks' only in total
_KEYS = ("level", "key", "day", "service", "organisation_id", "metric")


def stockholm_day(moment: dt.datetime) -> dt.date:
    aware_moment = aware(moment)
    return aware_moment.astimezone(STOCKHOLM).date()


# -- counting --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseShape:
    """What the counts read of a case."""

    created_at: dt.datetime
    place: str
    organisation: str | None
    service: str


def cells(case: CaseShape) -> list[tuple[str, str, str]]:
    """(level, key, organisation) of the rows a case counts in."""
    organisation = case.organisation or ""
    cells = [("org", organisation, organisation), ("all", "", "")]
    if case.service not in ORGANISATION_SERVICES:
        cells.insert(0, ("school", case.place, organisation))
    return cells


def metrics(self_service: bool, failed: Iterable[str]) -> Counter[str]:
    counted: Counter[str] = Counter({CASES: 1})
    if self_service:
        counted[SELF_SERVICE] += 1
    for check in dict.fromkeys(failed):
        counted[FAIL + check] += 1
    return counted


def add(case: CaseShape, deltas: Counter[str], *more: tuple[CaseShape, Counter[str]]) -> None:
    """Add `deltas` (metric -> change, negative to take back) to the case's rows; `more` pairs in the
    same statement (a case's earlier count taken back, where it was counted then)."""
    summed: Counter[tuple[str, str, dt.date, str, str, str]] = Counter()
    for shape, changes in ((case, deltas), *more):
        day = stockholm_day(shape.created_at)
        for level, key, organisation in cells(shape):
            for metric, n in changes.items():
                summed[(level, key, day, shape.service, organisation, metric)] += n
    rows = sorted((*cell, n) for cell, n in summed.items() if n)
    upsert([dict(zip((*_KEYS, "n"), row, strict=True)) for row in rows])


def upsert(rows: list[dict[str, object]]) -> None:
    """Add each row's `n` to the row with its key (one executemany; sorted rows lock in one order)."""
    if not rows:
        return
    table: Table = CaseCount.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(_KEYS), set_={"n": table.c.n + stmt.excluded.n})
    db.session.execute(stmt, rows)


# -- reading -------------------------------------------------------------------------------------------
def _level(level: str, key: str, service: str | None) -> ColumnElement[bool]:
    c = CaseCount.__table__.c
    clause = and_(c.level == level, c.key == key)
    return clause if service is None else and_(clause, c.service == service)


def where(scopes: Iterable[Scope]) -> ColumnElement[bool]:
    """The rows that count a contact's cases once each: each scope at its level, less what a wider
    scope of the same contact already counts."""
    c = CaseCount.__table__.c
    cells: set[tuple[str, str, str | None]] = set()
    for s in scopes:
        if s.school is not None:
            cells.add(("school", s.school, s.service))
        elif s.organisation is not None:
            cells.add(("org", s.organisation, s.service))
        else:
            cells.add(("all", "", s.service))
    if ("all", "", None) in cells:
        return _level("all", "", None)
    cells = {cell for cell in cells if cell[2] is None or (cell[0], cell[1], None) not in cells}
    services = sorted(str(s) for level, _k, s in cells if level == "all")
    orgs = sorted((k, s) for level, k, s in cells if level == "org")
    not_everywhere = not_(c.service.in_(services)) if services else true()
    in_org = [c.organisation_id == k if s is None else and_(c.organisation_id == k, c.service == s) for k, s in orgs]
    branches: list[ColumnElement[bool]] = []
    if services:
        branches.append(and_(c.level == "all", c.key == "", c.service.in_(services)))
    branches += [and_(_level("org", k, s), not_everywhere) for k, s in orgs]
    branches += [and_(_level("school", k, s), not_everywhere, not_(or_(false(), *in_org)))
                 for level, k, s in sorted(cells, key=str) if level == "school"]
    return or_(false(), *branches)


@dataclass(frozen=True)
class Week:
    year: int
    week: int
    first: dt.date  # the first day of the week within the period
    cases: int
    self_service: int
    resolved: int


@dataclass
class Figures:
    cases: int = 0
    self_service: int = 0
    resolved: int = 0
    failed: list[tuple[str, int]] = field(default_factory=list)  # (check, cases), most first
    weeks: list[Week] = field(default_factory=list)


def figures(scopes: Iterable[Scope], first: dt.date, last: dt.date, catalogue: list[str]) -> Figures:
    """The counts of the cases in scope created from `first` to `last` (Stockholm days, both included).
    One statement: the cases, self-served and resolved per day (for the weeks), each check's total. `catalogue`: the check ids in catalogue order (ties among failed checks)."""
    c = CaseCount.__table__.c
    scoped = (c.day >= first, c.day <= last, where(scopes))
    totals_by_day = (select(c.day, c.metric, func.sum(c.n).label("n"))
                     .where(*scoped, c.metric.in_(DAILY)).group_by(c.day, c.metric))
    checks = (select(null().label("day"), c.metric, func.sum(c.n).label("n"))
              .where(*scoped, c.metric.not_in(DAILY)).group_by(c.metric))
    both = union_all(totals_by_day, checks).subquery()
    stmt = select(both.c.day, both.c.metric, both.c.n)
    totals: Counter[str] = Counter()
    per_week: dict[tuple[int, int], Counter[str]] = {}
    for day, metric, n in db.session.execute(stmt):
        n = int(n or 0)
        totals[metric] += n
        if day is not None:
            iso = (day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])).isocalendar()
            per_week.setdefault((iso.year, iso.week), Counter())[metric] += n
    order = {check: i for i, check in enumerate(catalogue)}
    failed = sorted(((m.removeprefix(FAIL), n) for m, n in totals.items() if m.startswith(FAIL) and n > 0),
                    key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]))
    weeks = []
    day = first
    while day <= last:
        iso = day.isocalendar()
        counted = per_week.get((iso.year, iso.week), Counter())
        weeks.append(Week(iso.year, iso.week, day, counted[CASES], counted[SELF_SERVICE], counted[RESOLVED]))
        day += dt.timedelta(days=7 - day.weekday())
    return Figures(cases=totals[CASES], self_service=totals[SELF_SERVICE], resolved=totals[RESOLVED],
                   failed=failed, weeks=weeks)


def count_resolved(created_at: dt.datetime, place: str, organisation: str | None, service: str) -> None:
    """A case resolved from the inbox (in the same transaction as the change)."""
    add(CaseShape(created_at, place, organisation, service), Counter({RESOLVED: 1}))
