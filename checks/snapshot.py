"""Plain data the checks read: what the directory says about one question.

The portal's directory layer fills these from the database; tests build them by hand. Nothing
here knows about Flask or SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .identifiers import Identifier


@dataclass(frozen=True)
class Question:
    """What was asked: role, service, symptom and place, and the moment it is judged at."""

    role: str
    service: str
    symptom: str
    place: str  # a skolenhetskod, or an organisation id for agency_eservice
    today: dt.date
    now: dt.datetime  # timezone-aware


@dataclass(frozen=True)
class OrganisationInfo:
    id: str
    name: str
    account_management: str = "portal"
    tenant: str | None = None
    eservice_agreement: bool = False
    # a non-archived eservice_admin role exists in the organisation
    has_eservice_admin: bool = False


@dataclass(frozen=True)
class SchoolInfo:
    code: str
    name: str
    organisation_id: str
    guardian_login: bool = False
    bankid_login: bool = False
    account_management: str | None = None
    tenant: str | None = None


@dataclass(frozen=True)
class NoticeInfo:
    id: str
    text: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    service: str | None = None
    school: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class PersonInfo:
    id: str
    name: str
    personnummer: str | None = None  # 12 digits
    temporary_personnummer: bool = False
    protected_identity: bool = False
    birth_date: dt.date | None = None
    emails: tuple[str, ...] = ()  # as stored, in order; the first is E-postadress 1
    hsa_id: str | None = None
    tenant: str | None = None


@dataclass(frozen=True)
class AccountInfo:
    id: str
    person_id: str
    service: str
    username: str | None = None
    school: str | None = None
    organisation: str | None = None
    status: str = "active"
    invited: bool = True
    login_allowed: bool = True
    locked: bool = False
    must_change_password: bool = False
    login_portals: tuple[str, ...] = ("local",)
    activated_at: dt.date | None = None


@dataclass(frozen=True)
class RoleInfo:
    person_id: str
    role: str
    school: str | None = None
    # for a school role: the school's organisation; for an organisation role: that organisation
    organisation: str | None = None
    archived: bool = False
    licence: str | None = None
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlacementInfo:
    student_id: str
    school: str
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = "active"
    guardians_may_log_in: bool = True
    adult_guardian_access: str = "automatic"


@dataclass(frozen=True)
class ChildInfo:
    person: PersonInfo
    placements: tuple[PlacementInfo, ...] = ()  # every placement of the child, any school


@dataclass(frozen=True)
class GroupInfo:
    id: str
    school: str
    kind: str  # "teaching" | "mentor"
    connected: bool = True
    owners: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()
    course_plan: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class Subject:
    """The person the identifier points at, and what the directory holds about them."""

    person: PersonInfo
    # the matched account: the identifier matches, the person holds the asked role at the place,
    # and has an account on the service (at the place, where the service registers per place).
    account: AccountInfo | None = None
    roles: tuple[RoleInfo, ...] = ()  # every role of the person, anywhere
    # accounts on the asked service of this person and of persons sharing their personnummer
    service_accounts: tuple[AccountInfo, ...] = ()
    children: tuple[ChildInfo, ...] = ()
    groups: tuple[GroupInfo, ...] = ()  # groups at the asked school the person owns or belongs to
    # other persons with the same personnummer, or the same name and a guardian role in the organisation
    look_alikes: tuple[PersonInfo, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    question: Question
    organisation: OrganisationInfo
    school: SchoolInfo | None = None  # None for agency_eservice
    notices: tuple[NoticeInfo, ...] = ()
    identifier: Identifier | None = None
    subject: Subject | None = None  # None: the identifier matches nobody (or was not looked up)
