"""The staff inbox's reads: small named functions, a fixed number of statements per page.

The list page costs one statement for its rows (the school's name joined in), one for the count
of open cases, one for the schools of the filter; the case page one each for the case, its findings, its
history and the matched account. Every read about cases carries the scope clause
(portal/inbox/scope.py), so a case outside it is exactly a case that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_, select, union_all

from ..extensions import db
from ..models import Account, Case, CaseEvent, CaseFinding, Contact, Person, PersonEmail, School
from . import scope
from .labels import OPEN_STATUSES

PAGE_SIZE = 25
MAX_FILTER_SCHOOLS = 500
CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


# -- contacts ------------------------------------------------------------------------------------------
def contacts_with_address(email_key: str) -> list[Contact]:
    """Every contact row whose address folds to `email_key`, in directory order."""
    stmt = select(Contact).where(Contact.email_key == email_key).order_by(Contact.src, Contact.id)
    return list(db.session.scalars(stmt))


def contact_by_id(contact_id: int) -> Contact | None:
    return db.session.get(Contact, contact_id)


# -- the list ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    status: str = ""  # "" all, "open" (open or passed on), "passed_on", "resolved"
    school: str = ""
    service: str = ""
    symptom: str = ""
    reference: str = ""  # normalised: 8 characters, no dash, or "" (none asked), or "?" (not a reference)
    page: int = 1

    @property
    def any(self) -> bool:
        return any((self.status, self.school, self.service, self.symptom, self.reference))


def normalise_reference(text: str) -> str:
    """A typed reference as stored: dash and spaces dropped, upper case, Crockford's look-alikes
    read as digits. "?" when it cannot be a reference."""
    value = "".join(text.split()).replace("-", "").upper().translate(CROCKFORD_READS)
    if not value:
        return ""
    return value if len(value) == 8 and set(value) <= CROCKFORD else "?"


def _filter_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.status == "open":
        clauses.append(Case.status.in_(OPEN_STATUSES))
    elif filters.status:
        clauses.append(Case.status == filters.status)
    if filters.school:
        clauses.append(Case.place == filters.school)
    if filters.service:
        clauses.append(Case.service == filters.service)
    if filters.symptom:
        clauses.append(Case.symptom == filters.symptom)
    if filters.reference:
        clauses.append(Case.reference == filters.reference)
    return clauses


def open_count(visible: ColumnElement[bool]) -> int:
    """Open cases in the contact's whole inbox (filters aside): read from the indexes alone."""
    stmt = select(func.count()).select_from(Case).where(visible, Case.status.in_(OPEN_STATUSES))
    return int(db.session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    has_next: bool


def _status_parts(filters: Filters) -> list[tuple[int, ColumnElement[bool]]]:
    """The open part (rank 0) and the closed part (rank 1) a page is drawn from; a status filter
    that rules one out leaves it out, so no part scans for rows it cannot have."""
    parts: list[tuple[int, ColumnElement[bool]]] = []
    if filters.status in ("", "open", *OPEN_STATUSES):
        parts.append((0, Case.status.in_(OPEN_STATUSES)))
    if filters.status not in ("open", *OPEN_STATUSES):
        parts.append((1, Case.status.not_in(OPEN_STATUSES)))
    return parts


def page_of_cases(visible: ColumnElement[bool], filters: Filters) -> Page:
    """One page of rows: open first, then oldest first; the school's name joined in.

    One statement. Open and closed cases are drawn in two parts, each ordered by `created_at` alone,
    so that for a large inbox the database can walk an index in order and stop after the rows the
    page needs, instead of sorting the whole inbox by an expression; the page's ids are picked from
    the two parts, and only those rows are fetched. One row more than a page tells whether there is
    a next page, so nothing has to count the whole inbox.
    """
    offset = (filters.page - 1) * PAGE_SIZE
    need = offset + PAGE_SIZE + 1
    parts = []
    for rank, status in _status_parts(filters):
        part = (select(Case.id, literal(rank).label("rank"), Case.created_at)
                .where(visible, status, *_filter_clauses(filters))
                .order_by(Case.created_at, Case.id).limit(need).subquery())
        parts.append(select(part.c.id, part.c.rank, part.c.created_at))
    both = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    ids = (select(both.c.id, both.c.rank).order_by(both.c.rank, both.c.created_at, both.c.id)
           .limit(PAGE_SIZE + 1).offset(offset).subquery())
    # what to fix: the first failing check with a route (the one that decided it), else the first failing one
    deciding = (select(CaseFinding.check).where(CaseFinding.case_id == Case.id, CaseFinding.outcome == "fail")
                .order_by(CaseFinding.route.is_(None), CaseFinding.position).limit(1)
                .correlate(Case).scalar_subquery())
    stmt = (
        select(Case.reference, Case.created_at, Case.status, Case.role, Case.service, Case.symptom,
               Case.place, Case.route_kind, School.name.label("school_name"), deciding.label("deciding"))
        .join(ids, ids.c.id == Case.id)
        .outerjoin(School, School.code == Case.place)
        .order_by(ids.c.rank, Case.created_at, Case.id)
    )
    rows = list(db.session.execute(stmt))
    return Page(rows=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE)


def schools_for_filter(scopes: tuple[scope.Scope, ...]) -> list[tuple[str, str]]:
    """The schools a contact's scope reaches, by name, for the school filter."""
    stmt = select(School.code, School.name).order_by(School.name, School.code).limit(MAX_FILTER_SCHOOLS)
    if not any(s.school is None and s.organisation is None for s in scopes):
        schools = {s.school for s in scopes if s.school is not None}
        organisations = {s.organisation for s in scopes if s.school is None and s.organisation is not None}
        stmt = stmt.where(or_(School.code.in_(schools), School.organisation_id.in_(organisations)))
    return [(row.code, row.name) for row in db.session.execute(stmt)]


# -- one case ------------------------------------------------------------------------------------------
def case_with_school(visible: ColumnElement[bool], reference: str) -> tuple[Case, str | None] | None:
    """The case with this reference if the contact may see it (else None, as for no such case)."""
    stmt = (select(Case, School.name).outerjoin(School, School.code == Case.place)
            .where(Case.reference == reference, visible))
    row = db.session.execute(stmt).first()
    return None if row is None else (row[0], row[1])


def findings_of(case_id: int) -> list[CaseFinding]:
    return list(db.session.scalars(
        select(CaseFinding).where(CaseFinding.case_id == case_id).order_by(CaseFinding.position)))


def history_of(case_id: int) -> list[CaseEvent]:
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)))


@dataclass(frozen=True)
class MatchedAccount:
    name: str
    username: str | None
    protected: bool
    person_id: str


def matched_account(account_id: str | None) -> MatchedAccount | None:
    """The account the worker matched, with its person's name and protection marker."""
    if account_id is None:
        return None
    stmt = (select(Account.username, Account.person_id, Person.name, Person.protected_identity)
            .join(Person, Person.id == Account.person_id).where(Account.id == account_id))
    row = db.session.execute(stmt).first()
    if row is None:  # the account has left the directory since
        return None
    return MatchedAccount(name=row.name, username=row.username, protected=bool(row.protected_identity),
                          person_id=row.person_id)


def first_address(person_id: str) -> str | None:
    """The person's first registered address, exactly as the directory holds it."""
    stmt = (select(PersonEmail.email).where(PersonEmail.person_id == person_id)
            .order_by(PersonEmail.position, PersonEmail.id).limit(1))
    return db.session.scalar(stmt)
