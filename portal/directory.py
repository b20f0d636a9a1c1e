"""Look-ups in the directory, and the snapshot the checks read.

Every query is a small named function over indexed columns; a snapshot costs a fixed handful of
statements whatever the directory's size. Views and commands never query the directory themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, or_, select

from checks.identifiers import Identifier, name_key
from checks.routing import ContactInfo
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
from checks.vocab import ORGANISATION_SERVICES, SCHOOL_REGISTERED_SERVICES

from .clock import aware
from .extensions import db
from .models import (
    Account,
    Contact,
    Group,
    GroupMember,
    GroupOwner,
    Guardianship,
    Notice,
    Organisation,
    Person,
    PersonEmail,
    Placement,
    Role,
    School,
)


def _run(stmt: Any, params: dict[str, Any] | None = None) -> Any:
    """Execute a read on the session's connection: Core rows, without the ORM's per-statement work.
    The look-ups below are built once, with bound parameters: building a statement anew cost more
    than running it (SQLAlchemy's coercions and cache key for every comparison)."""
    return db.session.connection().execute(stmt, params)


class UnknownPlace(LookupError):
    """No such school (or organisation, for agency e-services)."""


# -- the place ----------------------------------------------------------------------------------------
def _org_info(org: Any, *, has_eservice_admin: bool) -> OrganisationInfo:
    return OrganisationInfo(
        id=org.id,
        name=org.name,
        account_management=org.account_management,
        tenant=org.tenant,
        eservice_agreement=org.eservice_agreement,
        has_eservice_admin=has_eservice_admin,
    )


_ESERVICE_ADMIN = select(Role.id).where(
    Role.organisation_id == bindparam("org"), Role.school_code.is_(None), Role.role == "eservice_admin",
    Role.archived.is_(False),
).limit(1)
_ORGANISATION = select(Organisation.__table__).where(Organisation.__table__.c.id == bindparam("id"))
_SCHOOL = select(School.__table__).where(School.__table__.c.code == bindparam("code"))


def _has_eservice_admin(org_id: str) -> bool:
    return _run(_ESERVICE_ADMIN, {"org": org_id}).first() is not None


def place(service: str, code: str) -> tuple[OrganisationInfo, SchoolInfo | None]:
    """The organisation and school a case is about; raises UnknownPlace."""
    if service in ORGANISATION_SERVICES:
        org = _run(_ORGANISATION, {"id": code}).first()
        if org is None:
            raise UnknownPlace(code)
        return _org_info(org, has_eservice_admin=_has_eservice_admin(org.id)), None
    school = _run(_SCHOOL, {"code": code}).first()
    if school is None:
        raise UnknownPlace(code)
    org = _run(_ORGANISATION, {"id": school.organisation_id}).first()
    if org is None:
        raise UnknownPlace(code)
    return _org_info(org, has_eservice_admin=False), SchoolInfo(
        code=school.code,
        name=school.name,
        organisation_id=school.organisation_id,
        guardian_login=school.guardian_login,
        bankid_login=school.bankid_login,
        account_management=school.account_management,
        tenant=school.tenant,
    )


_NOTICES = select(Notice.__table__).where(
    Notice.withdrawn_at.is_(None),
    or_(Notice.service.is_(None), Notice.service == bindparam("service")),
    or_(Notice.school_code.is_(None), Notice.school_code == bindparam("school")),
    or_(Notice.organisation_id.is_(None), Notice.organisation_id == bindparam("organisation")),
).order_by(Notice.src)


def notices_for(service: str, school: str | None, organisation: str) -> tuple[NoticeInfo, ...]:
    """Notices whose every named scope matches the case (active or not: the checks decide; withdrawn
    ones from the inbox never)."""
    return tuple(
        NoticeInfo(id=n.id, text=n.text, starts_at=aware(n.starts_at), ends_at=aware(n.ends_at), service=n.service,
                   school=n.school_code, organisation=n.organisation_id)
        for n in _run(_NOTICES, {"service": service, "school": school, "organisation": organisation})
    )


def contacts_for(kind: str) -> list[ContactInfo]:
    return _contacts(select(Contact.__table__).where(Contact.kind == kind).order_by(Contact.src))


_contact_columns = Contact.__table__.c
# The contacts of a kind that apply to a case (checks.routing.applies, in SQL): a few rows whatever
# the number of schools, where every contact of the kind was read and built before (hundreds).
_CONTACTS_APPLYING = select(Contact.__table__).where(
    _contact_columns.kind == bindparam("kind"),
    or_(_contact_columns.school_code.is_(None), _contact_columns.school_code == bindparam("school")),
    or_(_contact_columns.organisation_id.is_(None), _contact_columns.organisation_id == bindparam("organisation")),
    or_(_contact_columns.service.is_(None), _contact_columns.service == bindparam("service")),
).order_by(_contact_columns.src)


def contacts_applying(kind: str, *, school: str | None, organisation: str | None, service: str) -> list[ContactInfo]:
    """The contacts of `kind` that routing rule 4 may pick for the case: those whose every named
    scope matches it. One statement; resolve_contact picks among them as among all of the kind."""
    return _contacts(_CONTACTS_APPLYING, {"kind": kind, "school": school, "organisation": organisation,
                                           "service": service})


def contacts_near(school: str | None) -> list[ContactInfo]:
    """Every contact, of any kind, that is not tied to another school: those routing rule 4 may pick
    for a case at `school` (None: an organisation's own service). One statement."""
    at_school = Contact.school_code.is_(None) if school is None else or_(Contact.school_code.is_(None),
                                                                          Contact.school_code == school)
    return _contacts(select(Contact.__table__).where(at_school).order_by(Contact.src))


def _contacts(stmt: Select, params: dict[str, Any] | None = None) -> list[ContactInfo]:
    return [
        ContactInfo(kind=c.kind, name=c.name, email=c.email, school=c.school_code,
                    organisation=c.organisation_id, service=c.service, id=c.ext_id, order=c.src)
        for c in _run(stmt, params)
    ]


# -- the person ----------------------------------------------------------------------------------------
_MATCHING = {
    "email": select(PersonEmail.person_id).where(PersonEmail.email_key == bindparam("value")),
    "personnummer": select(Person.id).where(Person.personnummer == bindparam("value")),
    "hsa_id": select(Person.id).where(Person.hsa_id == bindparam("value")),
}
_USERNAME = select(Account.id, Account.person_id).where(
    Account.service == bindparam("service"), Account.username_key == bindparam("value"))


def persons_matching(identifier: Identifier, service: str) -> tuple[list[str], list[str] | None]:
    """Person ids the identifier points at; for a username also the account ids it names."""
    stmt = _MATCHING.get(identifier.kind)
    if stmt is None:
        rows = _run(_USERNAME, {"service": service, "value": identifier.value}).all()
        return sorted({r.person_id for r in rows}), [r.id for r in rows]
    return sorted(set(_run(stmt, {"value": identifier.value}).scalars())), None


def _account_info(a: Any) -> AccountInfo:
    return AccountInfo(
        id=a.id, person_id=a.person_id, service=a.service, username=a.username, school=a.school_code,
        organisation=a.organisation_id, status=a.status, invited=a.invited, login_allowed=a.login_allowed,
        locked=a.locked, must_change_password=a.must_change_password,
        login_portals=tuple(a.login_portals or ()), activated_at=a.activated_at,
    )


_ROLES_OF = (
    select(Role.__table__, School.organisation_id.label("school_org"))
    .outerjoin(School, School.code == Role.school_code)
    .where(Role.person_id.in_(bindparam("ids", expanding=True)))
    .order_by(Role.src)
)
_PERSONS = (
    select(Person.__table__, PersonEmail.email)
    .outerjoin(PersonEmail, PersonEmail.person_id == Person.id)
    .where(Person.id.in_(bindparam("ids", expanding=True)))
    .order_by(Person.id, PersonEmail.position)
)
_ACCOUNTS_OF = select(Account.__table__).where(
    Account.person_id.in_(bindparam("ids", expanding=True)), Account.service == bindparam("service"))
_SERVICE_ACCOUNTS = _ACCOUNTS_OF.order_by(Account.id)


def _roles_of(person_ids: Iterable[str]) -> dict[str, list[RoleInfo]]:
    rows = _run(_ROLES_OF, {"ids": list(person_ids)}).all()
    found: dict[str, list[RoleInfo]] = defaultdict(list)
    for role in rows:
        found[role.person_id].append(RoleInfo(
            person_id=role.person_id, role=role.role, school=role.school_code,
            organisation=role.school_org if role.school_code else role.organisation_id,
            archived=role.archived, licence=role.licence, subjects=tuple(role.subjects or ()),
        ))
    return found


def _persons(person_ids: Iterable[str]) -> dict[str, PersonInfo]:
    """Persons with their e-mail addresses in order, in one statement."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = _run(_PERSONS, {"ids": ids}).all()
    emails: dict[str, list[str]] = defaultdict(list)
    people: dict[str, Any] = {}
    for row in rows:
        people.setdefault(row.id, row)
        if row.email is not None:
            emails[row.id].append(row.email)
    return {
        pid: PersonInfo(
            id=p.id, name=p.name, personnummer=p.personnummer, temporary_personnummer=p.temporary_personnummer,
            protected_identity=p.protected_identity, birth_date=p.birth_date, emails=tuple(emails[pid]),
            hsa_id=p.hsa_id, tenant=p.tenant,
        )
        for pid, p in people.items()
    }


def _at_place(account: Any, service: str, place_code: str) -> bool:
    if service in SCHOOL_REGISTERED_SERVICES:
        return account.school_code == place_code
    if service in ORGANISATION_SERVICES:
        return account.organisation_id == place_code
    return True


def _holds_role_here(roles: list[RoleInfo], role: str, service: str, place_code: str) -> bool:
    if service in ORGANISATION_SERVICES:
        return any(r.role == role and r.school is None and r.organisation == place_code for r in roles)
    return any(r.role == role and r.school == place_code for r in roles)


def find_subject(question: Question, identifier: Identifier, organisation_id: str) -> Subject | None:
    """Match the identifier (docs/contracts/README.md "Identifier matching") and gather the person."""
    person_ids, username_accounts = persons_matching(identifier, question.service)
    if not person_ids:
        return None
    roles = _roles_of(person_ids)
    accounts = _run(_ACCOUNTS_OF, {"ids": person_ids, "service": question.service}).all()
    candidates = [
        a for a in accounts
        if _at_place(a, question.service, question.place)
        and _holds_role_here(roles[a.person_id], question.role, question.service, question.place)
        and (username_accounts is None or a.id in username_accounts)
    ]
    # Several matches (a shared personnummer): the active one, then the lowest id.
    matched = min(candidates, key=lambda a: (a.status != "active", a.id)) if candidates else None
    if matched is not None:
        person_id = matched.person_id
    else:
        person_id = min(
            person_ids,
            key=lambda pid: (not _holds_role_here(roles[pid], question.role, question.service, question.place), pid),
        )
    return _subject(question, person_id, roles[person_id], matched, organisation_id)


def _subject(question: Question, person_id: str, roles: list[RoleInfo], matched: Any | None,
             organisation_id: str) -> Subject:
    me = _persons([person_id])[person_id]
    look_alike_ids = _look_alike_ids(me, question, organisation_id)
    people = _persons(look_alike_ids)
    service_accounts = _run(_SERVICE_ACCOUNTS,
                            {"ids": [person_id, *look_alike_ids], "service": question.service}).all()
    return Subject(
        person=me,
        account=_account_info(matched) if matched is not None else None,
        roles=tuple(roles),
        service_accounts=tuple(_account_info(a) for a in service_accounts),
        children=_children(person_id) if question.role == "guardian" else (),
        groups=_groups(person_id, question.place) if question.service == "learning_platform" else (),
        look_alikes=tuple(people[i] for i in look_alike_ids if i in people),
    )


def _look_alike_ids(me: PersonInfo, question: Question, organisation_id: str) -> list[str]:
    """Other persons sharing the personnummer; for guardians also same-name guardians in the organisation.

    Two indexed look-ups rather than one OR, which neither database can serve from an index."""
    found: set[str] = set()
    if me.personnummer:
        found.update(_run(_SAME_PERSONNUMMER, {"pnr": me.personnummer, "me": me.id}).scalars())
    if question.role == "guardian":
        found.update(_run(_SAME_NAME_GUARDIANS, {"key": name_key(me.name), "me": me.id,
                                                 "org": organisation_id}).scalars())
    return sorted(found)


_SAME_PERSONNUMMER = select(Person.id).where(Person.personnummer == bindparam("pnr"), Person.id != bindparam("me"))
_SAME_NAME_GUARDIANS = (
    select(Role.person_id)
    .join(Person, Person.id == Role.person_id)
    .join(School, School.code == Role.school_code)
    .where(Person.name_key == bindparam("key"), Person.id != bindparam("me"), Role.role == "guardian",
           School.organisation_id == bindparam("org"))
)
_CHILDREN = (
    select(Guardianship.child_id, Person.name, Person.personnummer, Person.birth_date,
           Person.protected_identity, Placement.__table__)
    .join(Person, Person.id == Guardianship.child_id)
    .outerjoin(Placement, Placement.student_id == Guardianship.child_id)
    .where(Guardianship.guardian_id == bindparam("guardian"))
    .order_by(Guardianship.src, Placement.src)
)
_MY_GROUPS = select(Group.__table__).where(
    Group.school_code == bindparam("school"),
    Group.id.in_(select(GroupOwner.group_id).where(GroupOwner.person_id == bindparam("person")).union(
        select(GroupMember.group_id).where(GroupMember.person_id == bindparam("person")))),
).order_by(Group.src)
_OWNERS = select(GroupOwner.group_id, GroupOwner.person_id).where(
    GroupOwner.group_id.in_(bindparam("ids", expanding=True)))
_MEMBERS = select(GroupMember.group_id, GroupMember.person_id).where(
    GroupMember.group_id.in_(bindparam("ids", expanding=True)))


def _children(guardian_id: str) -> tuple[ChildInfo, ...]:
    """The guardian's linked children with every placement, in one statement."""
    rows = _run(_CHILDREN, {"guardian": guardian_id}).all()
    people: dict[str, PersonInfo] = {}
    placements: dict[str, list[PlacementInfo]] = defaultdict(list)
    for r in rows:
        if r.child_id not in people:
            people[r.child_id] = PersonInfo(id=r.child_id, name=r.name, personnummer=r.personnummer,
                                            birth_date=r.birth_date, protected_identity=r.protected_identity)
        if r.student_id is not None:
            placements[r.child_id].append(PlacementInfo(
                student_id=r.student_id, school=r.school_code, start=r.start, end=r.end, status=r.status,
                guardians_may_log_in=r.guardians_may_log_in, adult_guardian_access=r.adult_guardian_access,
            ))
    return tuple(ChildInfo(person=person, placements=tuple(placements[cid])) for cid, person in people.items())


def _groups(person_id: str, school_code: str) -> tuple[GroupInfo, ...]:
    groups = _run(_MY_GROUPS, {"school": school_code, "person": person_id}).all()
    if not groups:
        return ()
    ids = [g.id for g in groups]
    owners: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    for row in _run(_OWNERS, {"ids": ids}):
        owners[row.group_id].add(row.person_id)
    for row in _run(_MEMBERS, {"ids": ids}):
        members[row.group_id].add(row.person_id)
    return tuple(
        GroupInfo(id=g.id, school=g.school_code, kind=g.kind, connected=g.connected,
                  owners=frozenset(owners[g.id]), members=frozenset(members[g.id]),
                  course_plan=g.course_plan, subject=g.subject)
        for g in groups
    )


def snapshot(question: Question, identifier: Identifier | None, *, look_up_person: bool = True) -> Snapshot:
    """Everything the checks need for one question. With `look_up_person` false (the web request),
    the person is not looked up at all, so the work is the same whatever was typed."""
    organisation, school = place(question.service, question.place)
    subject = None
    if look_up_person and identifier is not None and not _external(organisation, school, question.service):
        subject = find_subject(question, identifier, organisation.id)
    return Snapshot(
        question=question,
        organisation=organisation,
        school=school,
        notices=notices_for(question.service, school.code if school else None, organisation.id),
        identifier=identifier,
        subject=subject,
    )


def _external(organisation: OrganisationInfo, school: SchoolInfo | None, service: str) -> bool:
    """Rule 2: accounts managed outside the portal are not looked into."""
    if service not in ("school_platform", "learning_platform"):
        return False
    setting = (school.account_management if school else None) or organisation.account_management
    return setting == "external"
