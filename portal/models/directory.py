"""The directory: what import.schema.json holds, one table per list.

Records keep the ids of the import file as primary keys (schools: their skolenhetskod), so a
streaming import writes rows without keeping a map of ids in memory, and references are checked
afterwards with SQL. `src` is the record's index in its list in the last import file, so an
error found after loading can still name "persons[12]".

There are no database foreign keys between directory tables: the import checks references itself
and names the record and field, which a constraint error cannot do.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

ID = String(64)
CODE = String(8)


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    org_number: Mapped[str | None] = mapped_column(String(11))
    account_management: Mapped[str] = mapped_column(String(16), default="portal")
    tenant: Mapped[str | None] = mapped_column(Text)
    eservice_agreement: Mapped[bool] = mapped_column(Boolean, default=False)


class School(db.Model):  # type: ignore[name-defined]
    __tablename__ = "schools"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    # lower-cased name for the public school search
    name_search: Mapped[str] = mapped_column(Text, index=True)
    organisation_id: Mapped[str] = mapped_column(ID, index=True)
    municipality: Mapped[str | None] = mapped_column(Text)
    guardian_login: Mapped[bool] = mapped_column(Boolean, default=False)
    bankid_login: Mapped[bool] = mapped_column(Boolean, default=False)
    account_management: Mapped[str | None] = mapped_column(String(16))
    tenant: Mapped[str | None] = mapped_column(Text)


class Person(db.Model):  # type: ignore[name-defined]
    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    # checks.identifiers.name_key(name): finds same-name records (guardian.duplicate_profiles)
    name_key: Mapped[str | None] = mapped_column(Text, index=True)
    # normalised to 12 digits, no separator
    personnummer: Mapped[str | None] = mapped_column(String(12), index=True)
    temporary_personnummer: Mapped[bool] = mapped_column(Boolean, default=False)
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    # upper-cased
    hsa_id: Mapped[str | None] = mapped_column(String(64), index=True)
    tenant: Mapped[str | None] = mapped_column(Text)


class PersonEmail(db.Model):  # type: ignore[name-defined]
    """A person's e-mail addresses in order; position 0 is E-postadress 1."""

    __tablename__ = "person_emails"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ID, index=True)
    position: Mapped[int] = mapped_column(Integer)
    # exactly as imported: mail goes to this value, byte for byte
    email: Mapped[str] = mapped_column(String(254))
    # portal.identifiers.normalise_email(email): what a typed address is compared with
    email_key: Mapped[str] = mapped_column(String(254), index=True)


class Account(db.Model):  # type: ignore[name-defined]
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(ID)
    service: Mapped[str] = mapped_column(String(32))
    username: Mapped[str | None] = mapped_column(Text)
    # casefolded username, for matching a typed username on a service
    username_key: Mapped[str | None] = mapped_column(Text)
    school_code: Mapped[str | None] = mapped_column(CODE)
    organisation_id: Mapped[str | None] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(16), default="active")
    invited: Mapped[bool] = mapped_column(Boolean, default=True)
    login_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    login_portals: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["local"])
    activated_at: Mapped[dt.date | None] = mapped_column(Date)
    password_hash: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_accounts_service_username", "service", "username_key"),
        Index("ix_accounts_person_service", "person_id", "service"),
    )


class Role(db.Model):  # type: ignore[name-defined]
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(ID, index=True)
    role: Mapped[str] = mapped_column(String(32))
    school_code: Mapped[str | None] = mapped_column(CODE)
    organisation_id: Mapped[str | None] = mapped_column(ID)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    licence: Mapped[str | None] = mapped_column(String(16))
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_roles_school_role", "school_code", "role"),
        Index("ix_roles_org_role", "organisation_id", "role"),
    )


class Placement(db.Model):  # type: ignore[name-defined]
    __tablename__ = "placements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[str] = mapped_column(ID, index=True)
    school_code: Mapped[str] = mapped_column(CODE)
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    guardians_may_log_in: Mapped[bool] = mapped_column(Boolean, default=True)
    adult_guardian_access: Mapped[str] = mapped_column(String(16), default="automatic")


class Guardianship(db.Model):  # type: ignore[name-defined]
    __tablename__ = "guardianships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)
    guardian_id: Mapped[str] = mapped_column(ID, index=True)
    child_id: Mapped[str] = mapped_column(ID, index=True)


class Group(db.Model):  # type: ignore[name-defined]
    __tablename__ = "groups"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    school_code: Mapped[str] = mapped_column(CODE, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    connected: Mapped[bool] = mapped_column(Boolean, default=True)
    course_plan: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)


class GroupOwner(db.Model):  # type: ignore[name-defined]
    __tablename__ = "group_owners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)  # the group's index in "groups"
    group_id: Mapped[str] = mapped_column(ID, index=True)
    person_id: Mapped[str] = mapped_column(ID, index=True)


class GroupMember(db.Model):  # type: ignore[name-defined]
    __tablename__ = "group_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)  # the group's index in "groups"
    group_id: Mapped[str] = mapped_column(ID, index=True)
    person_id: Mapped[str] = mapped_column(ID, index=True)


class Contact(db.Model):  # type: ignore[name-defined]
    """Who a case is routed to. Scope: school, else organisation, else service, else portal-wide."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[int] = mapped_column(Integer)
    ext_id: Mapped[str | None] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), index=True)
    school_code: Mapped[str | None] = mapped_column(CODE)
    organisation_id: Mapped[str | None] = mapped_column(ID)
    service: Mapped[str | None] = mapped_column(String(32))


class Notice(db.Model):  # type: ignore[name-defined]
    """A disruption notice (driftstörning)."""

    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    src: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(32))
    school_code: Mapped[str | None] = mapped_column(CODE)
    organisation_id: Mapped[str | None] = mapped_column(ID)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # "file": from an import file or a sync, replaced by the next one; "inbox": published by a contact
    # (portal/notices.py), kept through imports and syncs
    origin: Mapped[str] = mapped_column(String(8), default="file", server_default="file")
    # who did what, as the directory named them when they acted (inbox notices only)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_name: Mapped[str | None] = mapped_column(Text)
    published_by_email: Mapped[str | None] = mapped_column(String(254))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_name: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_email: Mapped[str | None] = mapped_column(String(254))


# In the order an import empties and fills them.
DIRECTORY_TABLES = [
    Organisation,
    School,
    Person,
    PersonEmail,
    Account,
    Role,
    Placement,
    Guardianship,
    Group,
    GroupOwner,
    GroupMember,
    Contact,
    Notice,
]
