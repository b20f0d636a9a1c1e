"""Hand-built snapshots for the pure check engine (no Flask, no database).

`healthy(role=..., service=..., symptom=...)` builds a snapshot in which every check that looks at
data passes: an organisation that manages its accounts in the portal, a school that allows
everything, one person with an active account of the asked role at the place, the roles, licences,
groups and (for guardians) one child placed at the school. The override helpers (`with_*`,
`without_account`, `unmatched`) each change one thing, so a test names exactly what it breaks.

Every factory takes keyword-only arguments with healthy defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from checks.base import school_year_start
from checks.engine import Diagnosis, Finding, diagnose
from checks.identifiers import Identifier
from checks.snapshot import (
    AccountInfo,
    ChildInfo,
    GroupInfo,
    NoticeInfo,
    OrganisationInfo,
    PersonInfo,
    PlacementInfo,
    Question,
    RoleInfo,
    SchoolInfo,
    Snapshot,
    Subject,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = dt.date(2026, 3, 10)

ORG_ID = "org-1"
OTHER_ORG_ID = "org-2"
SCHOOL = "12345678"
OTHER_SCHOOL = "87654321"
TENANT = "exempelkommun.onmicrosoft.com"
PERSON_ID = "p-1"
EMAIL = "anna.andersson@example.se"
SECOND_EMAIL = "anna.privat@example.se"
HSA_ID = "SE1234567890-ABC1"
SUBJECT_CODE = "MA"

DEFAULT_SERVICE = {
    "guardian": "school_platform",
    "teacher": "learning_platform",
    "mentor": "learning_platform",
    "student": "learning_platform",
    "exam_admin": "eservice_permissions",
    "eservice_user": "agency_eservice",
    "eservice_admin": "agency_eservice",
}
ORG_SERVICES = frozenset({"agency_eservice"})


# -- personnummer ------------------------------------------------------------------------------
def luhn_digit(nine_digits: str) -> str:
    """The Luhn check digit over the 9 digits YYMMDDNNN."""
    total = 0
    for i, ch in enumerate(nine_digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def pnr(born: dt.date | str, serial: str = "123", *, coordination: bool = False) -> str:
    """A valid 12-digit personnummer (or samordningsnummer: day + 60) for a birth date."""
    if isinstance(born, str):
        born = dt.date.fromisoformat(born)
    day = born.day + (60 if coordination else 0)
    head = f"{born.year:04d}{born.month:02d}{day:02d}"
    return head + serial + luhn_digit(head[2:] + serial)


def pnr10(born: dt.date | str, serial: str = "123", *, sep: str = "-", coordination: bool = False) -> str:
    """The 10-digit form YYMMDD-NNNC (separator `-`, `+` or empty)."""
    full = pnr(born, serial, coordination=coordination)
    return full[2:8] + sep + full[8:]


def bad_check_digit(full12: str) -> str:
    return full12[:-1] + str((int(full12[-1]) + 1) % 10)


def years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# -- pieces --------------------------------------------------------------------------------------
def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=STOCKHOLM)


def question(*, role: str = "guardian", service: str | None = None, symptom: str = "forgot_password",
             place: str | None = None, today: dt.date = TODAY, now: dt.datetime | None = None) -> Question:
    service = service or DEFAULT_SERVICE[role]
    if place is None:
        place = ORG_ID if service in ORG_SERVICES else SCHOOL
    return Question(role=role, service=service, symptom=symptom, place=place, today=today,
                    now=now or noon(today))


def organisation(*, id: str = ORG_ID, name: str = "Exempelkommun", account_management: str = "portal",
                 tenant: str | None = TENANT, eservice_agreement: bool = True,
                 has_eservice_admin: bool = True) -> OrganisationInfo:
    return OrganisationInfo(id=id, name=name, account_management=account_management, tenant=tenant,
                            eservice_agreement=eservice_agreement, has_eservice_admin=has_eservice_admin)


def school(*, code: str = SCHOOL, name: str = "Exempelskolan", organisation_id: str = ORG_ID,
           guardian_login: bool = True, bankid_login: bool = True, account_management: str | None = None,
           tenant: str | None = None) -> SchoolInfo:
    return SchoolInfo(code=code, name=name, organisation_id=organisation_id, guardian_login=guardian_login,
                      bankid_login=bankid_login, account_management=account_management, tenant=tenant)


def person(*, id: str = PERSON_ID, name: str = "Anna Andersson", personnummer: str | None = None,
           temporary_personnummer: bool = False, birth_date: dt.date | None = None,
           emails: tuple[str, ...] = (EMAIL,), hsa_id: str | None = HSA_ID,
           tenant: str | None = TENANT) -> PersonInfo:
    return PersonInfo(id=id, name=name,
                      personnummer=personnummer if personnummer is not None else pnr("1985-04-12"),
                      temporary_personnummer=temporary_personnummer, birth_date=birth_date,
                      emails=emails, hsa_id=hsa_id, tenant=tenant)


def account(*, id: str = "a-1", person_id: str = PERSON_ID, service: str = "school_platform",
            place: str = SCHOOL, username: str | None = "anna", status: str = "active",
            invited: bool = True, login_allowed: bool = True, locked: bool = False,
            must_change_password: bool = False, login_portals: tuple[str, ...] = ("local",),
            activated_at: dt.date | None = None, today: dt.date = TODAY) -> AccountInfo:
    org_scoped = service in ORG_SERVICES
    return AccountInfo(
        id=id, person_id=person_id, service=service, username=username,
        school=None if org_scoped else place, organisation=place if org_scoped else ORG_ID,
        status=status, invited=invited, login_allowed=login_allowed, locked=locked,
        must_change_password=must_change_password, login_portals=login_portals,
        activated_at=activated_at if activated_at is not None else school_year_start(today),
    )


def role(name: str, *, person_id: str = PERSON_ID, school: str | None = SCHOOL, organisation: str = ORG_ID,
         archived: bool = False, licence: str | None = None, subjects: tuple[str, ...] = ()) -> RoleInfo:
    return RoleInfo(person_id=person_id, role=name, school=school, organisation=organisation,
                    archived=archived, licence=licence, subjects=subjects)


def asked_role(role_name: str, *, place: str, org_scoped: bool, archived: bool = False) -> RoleInfo:
    """The healthy role of the asked kind at the place, with the right licence and a subject."""
    licence = {"student": "student", "teacher": "teacher", "mentor": "teacher"}.get(role_name)
    subjects = (SUBJECT_CODE,) if role_name == "teacher" else ()
    if org_scoped:
        return role(role_name, school=None, organisation=place, archived=archived, licence=licence)
    return role(role_name, school=place, archived=archived, licence=licence, subjects=subjects)


def placement(*, student_id: str = "c-1", school: str = SCHOOL, start: dt.date | None = dt.date(2020, 8, 15),
              end: dt.date | None = None, status: str = "active", guardians_may_log_in: bool = True,
              adult_guardian_access: str = "automatic") -> PlacementInfo:
    return PlacementInfo(student_id=student_id, school=school, start=start, end=end, status=status,
                         guardians_may_log_in=guardians_may_log_in,
                         adult_guardian_access=adult_guardian_access)


def child(*, id: str = "c-1", name: str = "Elsa Andersson", birth_date: dt.date | None = dt.date(2016, 5, 4),
          personnummer: str | None = None, placements: tuple[PlacementInfo, ...] | None = None) -> ChildInfo:
    info = PersonInfo(id=id, name=name, personnummer=personnummer, birth_date=birth_date)
    return ChildInfo(person=info, placements=placements if placements is not None else (placement(student_id=id),))


def group(*, id: str = "g-1", school: str = SCHOOL, kind: str = "teaching", connected: bool = True,
          owners: frozenset[str] = frozenset(), members: frozenset[str] = frozenset(),
          course_plan: str | None = "plan-ma1", subject: str | None = SUBJECT_CODE) -> GroupInfo:
    return GroupInfo(id=id, school=school, kind=kind, connected=connected, owners=owners, members=members,
                     course_plan=course_plan, subject=subject)


def notice(*, id: str = "n-1", text: str = "Driftstörning", starts_at: dt.datetime | None = None,
           ends_at: dt.datetime | None = None, service: str | None = None, school: str | None = None,
           organisation: str | None = None) -> NoticeInfo:
    return NoticeInfo(id=id, text=text, starts_at=starts_at or noon(TODAY) - dt.timedelta(hours=2),
                      ends_at=ends_at, service=service, school=school, organisation=organisation)


def email_identifier(address: str = EMAIL) -> Identifier:
    return Identifier("email", address.lower())


def pnr_identifier(value: str | None = None) -> Identifier:
    return Identifier("personnummer", value or pnr("1985-04-12"))


# -- the whole snapshot -----------------------------------------------------------------------
def healthy(*, role: str = "guardian", service: str | None = None, symptom: str = "forgot_password",
            today: dt.date = TODAY, now: dt.datetime | None = None, place: str | None = None) -> Snapshot:
    """A snapshot in which every data check that applies passes (advice rows give advice)."""
    q = question(role=role, service=service, symptom=symptom, place=place, today=today, now=now)
    org_scoped = q.service in ORG_SERVICES
    me = person()
    acct = account(service=q.service, place=q.place, today=today)
    roles = [asked_role(role, place=q.place, org_scoped=org_scoped)]
    if role == "mentor":  # mentors on the learning platform are also teachers of their groups
        roles.append(asked_role("teacher", place=q.place, org_scoped=False))
    groups: tuple[GroupInfo, ...] = ()
    children: tuple[ChildInfo, ...] = ()
    if role == "teacher":
        groups = (group(owners=frozenset({me.id})),)
    elif role == "mentor":
        groups = (group(id="g-m", kind="mentor", owners=frozenset({me.id}), course_plan=None, subject=None),)
    elif role == "student":
        groups = (group(members=frozenset({me.id})),)
    elif role == "guardian":
        children = (child(),)
    subject = Subject(person=me, account=acct, roles=tuple(roles), service_accounts=(acct,),
                      children=children, groups=groups)
    return Snapshot(
        question=q,
        organisation=organisation(id=q.place if org_scoped else ORG_ID),
        school=None if org_scoped else school(code=q.place),
        identifier=email_identifier(),
        subject=subject,
    )


# -- override helpers (each returns a new snapshot) --------------------------------------------
def _subject(snap: Snapshot) -> Subject:
    assert snap.subject is not None, "this helper needs a subject"
    return snap.subject


def with_question(snap: Snapshot, **changes: object) -> Snapshot:
    return replace(snap, question=replace(snap.question, **changes))


def with_today(snap: Snapshot, today: dt.date, *, now: dt.datetime | None = None) -> Snapshot:
    return with_question(snap, today=today, now=now or noon(today))


def with_org(snap: Snapshot, **changes: object) -> Snapshot:
    return replace(snap, organisation=replace(snap.organisation, **changes))


def with_school(snap: Snapshot, **changes: object) -> Snapshot:
    assert snap.school is not None
    return replace(snap, school=replace(snap.school, **changes))


def with_subject(snap: Snapshot, **changes: object) -> Snapshot:
    return replace(snap, subject=replace(_subject(snap), **changes))


def with_person(snap: Snapshot, **changes: object) -> Snapshot:
    subject = _subject(snap)
    return with_subject(snap, person=replace(subject.person, **changes))


def with_account(snap: Snapshot, **changes: object) -> Snapshot:
    subject = _subject(snap)
    assert subject.account is not None
    acct = replace(subject.account, **changes)
    accounts = tuple(acct if a.id == acct.id else a for a in subject.service_accounts)
    return with_subject(snap, account=acct, service_accounts=accounts)


def with_roles(snap: Snapshot, *roles: RoleInfo) -> Snapshot:
    return with_subject(snap, roles=roles)


def with_asked_role(snap: Snapshot, **changes: object) -> Snapshot:
    """Change the role of the asked kind at the place (the first one of that kind)."""
    subject = _subject(snap)
    out, done = [], False
    for r in subject.roles:
        if not done and r.role == snap.question.role:
            r, done = replace(r, **changes), True
        out.append(r)
    assert done
    return with_subject(snap, roles=tuple(out))


def with_children(snap: Snapshot, *children: ChildInfo) -> Snapshot:
    return with_subject(snap, children=children)


def with_placement(snap: Snapshot, **changes: object) -> Snapshot:
    """Change the (only) placement of the (only) healthy child."""
    (kid,) = _subject(snap).children
    (place,) = kid.placements
    return with_children(snap, replace(kid, placements=(replace(place, **changes),)))


def with_child_person(snap: Snapshot, **changes: object) -> Snapshot:
    (kid,) = _subject(snap).children
    return with_children(snap, replace(kid, person=replace(kid.person, **changes)))


def with_groups(snap: Snapshot, *groups: GroupInfo) -> Snapshot:
    return with_subject(snap, groups=groups)


def with_group(snap: Snapshot, **changes: object) -> Snapshot:
    (g,) = _subject(snap).groups
    return with_groups(snap, replace(g, **changes))


def with_notices(snap: Snapshot, *notices: NoticeInfo) -> Snapshot:
    return replace(snap, notices=notices)


def with_identifier(snap: Snapshot, identifier: Identifier | None) -> Snapshot:
    return replace(snap, identifier=identifier)


def without_account(snap: Snapshot) -> Snapshot:
    """Rule 3 with a person: the identifier matches someone, but no account of the asked kind.

    The person's own accounts on the service go too (they are not registered there)."""
    subject = _subject(snap)
    return with_subject(snap, account=None,
                        service_accounts=tuple(a for a in subject.service_accounts if a.person_id != subject.person.id))


def unmatched(snap: Snapshot) -> Snapshot:
    """Rule 3 without a person: the identifier matches nobody."""
    return replace(snap, subject=None)


def external(snap: Snapshot) -> Snapshot:
    """Rule 2: the organisation manages its accounts outside the portal (the school says nothing)."""
    return with_org(snap, account_management="external")


# -- reading a diagnosis ----------------------------------------------------------------------
def run(snap: Snapshot) -> Diagnosis:
    return diagnose(snap)


def findings_by_id(diagnosis: Diagnosis) -> dict[str, Finding]:
    return {f.check: f for f in diagnosis.findings}


def outcomes(snap: Snapshot) -> dict[str, str]:
    return {f.check: f.outcome for f in diagnose(snap).findings}


def outcome_of(snap: Snapshot, check_id: str) -> str:
    found = outcomes(snap)
    assert check_id in found, f"{check_id} does not apply to {snap.question}"
    return found[check_id]
