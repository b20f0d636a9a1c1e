"""Disruption notices (driftstörningar) published from the staff inbox (issue 14, part 2).

A contact publishes a notice for one of its scopes: a school row's school, an organisation row's
organisation, a service row's service (agency support), or everywhere for a row naming none;
optionally narrowed to one service. It is a row of the directory's `notices` table with origin
"inbox", so the public pages and the check `notice.active_disruption` read it exactly as a notice
from a file, from its start until its end or until it is withdrawn. An import or a sync replaces only
the notices from a file (portal/importer/loader.py `emptying`), so these stay. Who published and who
withdrew, and when, stay on the row; a withdrawn notice is kept (and shown to the scope's contacts).

Only a contact holding the notice's scope among its own may withdraw it; another contact's notice and
a notice from a file are, to the inbox, notices that do not exist.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, false, or_, select

from checks.vocab import ORGANISATION_SERVICES

from .clock import aware, now
from .extensions import db
from .models import Notice, Organisation, School

if TYPE_CHECKING:  # the inbox imports the public labels, which show these notices
    from .inbox.auth import Identity

ID_PREFIX = "inkorg-"
MAX_SHOWN = 50


@dataclass(frozen=True)
class Reach:
    """Where a notice applies: every field it names must match (None: any)."""

    school: str | None = None
    organisation: str | None = None
    service: str | None = None

    @property
    def key(self) -> str:
        return f"{self.school or ''}|{self.organisation or ''}|{self.service or ''}"

    @classmethod
    def from_key(cls, key: str) -> Reach | None:
        parts = key.split("|")
        if len(parts) != 3:
            return None
        school, organisation, service = (part or None for part in parts)
        return cls(school=school, organisation=organisation, service=service)


def reaches(identity: Identity) -> list[Reach]:
    """The scopes the contact may publish for, one per distinct contact row scope."""
    found = [Reach(school=s.school, organisation=None if s.school else s.organisation, service=s.service)
             for s in identity.scopes]
    return list(dict.fromkeys(found))


def _may(identity: Identity, reach: Reach) -> bool:
    """`reach` is one of the contact's scopes, or one of them narrowed to a service."""
    for own in reaches(identity):
        if (own.school, own.organisation) == (reach.school, reach.organisation) and \
                own.service in (None, reach.service):
            return True
    return False


def _reach_clause(identity: Identity) -> ColumnElement[bool]:
    c = Notice.__table__.c
    clauses = []
    for own in reaches(identity):
        parts = [c.school_code == own.school if own.school else c.school_code.is_(None),
                 c.organisation_id == own.organisation if own.organisation else c.organisation_id.is_(None)]
        if own.service is not None:
            parts.append(c.service == own.service)
        clauses.append(and_(*parts))
    return or_(false(), *clauses)


def place_names(identity: Identity) -> dict[str, str]:
    """The names of the contact's schools and organisations (one statement each, for the form)."""
    schools = {r.school for r in reaches(identity) if r.school}
    orgs = {r.organisation for r in reaches(identity) if r.organisation}
    names: dict[str, str] = {}
    if schools:
        names.update((code, name) for code, name in
                     db.session.execute(select(School.code, School.name).where(School.code.in_(schools))))
    if orgs:
        names.update((org, name) for org, name in
                     db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(orgs))))
    return names


class NotAllowed(Exception):
    """The scope is not the contact's."""


def publish(identity: Identity, reach: Reach, starts_at: dt.datetime, ends_at: dt.datetime | None,
            text: str) -> Notice:
    if not _may(identity, reach):
        raise NotAllowed()
    notice = Notice(id=ID_PREFIX + secrets.token_hex(8), src=-1, text=text, service=reach.service,
                    school_code=reach.school, organisation_id=reach.organisation, starts_at=starts_at.astimezone(dt.UTC),
                    ends_at=ends_at.astimezone(dt.UTC) if ends_at else None, origin="inbox", published_at=now(), published_by_name=identity.name,
                    published_by_email=identity.email)
    db.session.add(notice)
    db.session.commit()
    return notice


def own_notices(identity: Identity) -> list[Notice]:
    """The inbox notices of the contact's scopes, newest first (withdrawn and ended ones too)."""
    stmt = (select(Notice).where(Notice.origin == "inbox", _reach_clause(identity))
            .order_by(Notice.starts_at.desc(), Notice.id).limit(MAX_SHOWN))
    return list(db.session.scalars(stmt))


def own_notice(identity: Identity, notice_id: str) -> Notice | None:
    """The notice if it is an inbox notice of the contact's scopes, else None (as for none at all)."""
    stmt = select(Notice).where(Notice.id == notice_id, Notice.origin == "inbox", _reach_clause(identity))
    return db.session.scalars(stmt).first()


def withdraw(identity: Identity, notice: Notice) -> None:
    if notice.withdrawn_at is None:
        notice.withdrawn_at = now()
        notice.withdrawn_by_name = identity.name
        notice.withdrawn_by_email = identity.email
    db.session.commit()


def state(notice: Notice, moment: dt.datetime) -> str:
    """"withdrawn", "ended", "coming" or "active"."""
    if notice.withdrawn_at is not None:
        return "withdrawn"
    ends = aware(notice.ends_at)
    if ends is not None and ends <= moment:
        return "ended"
    return "coming" if aware(notice.starts_at) > moment else "active"


# -- what the public pages and a case page show --------------------------------------------------------
def active_for(service: str | None, place: str | None, moment: dt.datetime | None = None) -> list[Notice]:
    """The notices active now for the pages of a person who has chosen `service` and `place` (a
    school's code, or for an organisation's service the organisation's id) so far; None: not yet
    chosen, so only notices that do not name it apply. One statement."""
    c = Notice.__table__.c
    moment = moment or now()
    conditions = [c.withdrawn_at.is_(None), c.starts_at <= moment, or_(c.ends_at.is_(None), c.ends_at > moment)]
    conditions.append(c.service.is_(None) if service is None else or_(c.service.is_(None), c.service == service))
    if place is None:
        conditions += [c.school_code.is_(None), c.organisation_id.is_(None)]
    elif service in ORGANISATION_SERVICES:
        conditions += [c.school_code.is_(None), or_(c.organisation_id.is_(None), c.organisation_id == place)]
    else:
        organisation = select(School.organisation_id).where(School.code == place).scalar_subquery()
        conditions += [or_(c.school_code.is_(None), c.school_code == place),
                       or_(c.organisation_id.is_(None), c.organisation_id == organisation)]
    stmt = select(Notice).where(*conditions).order_by(c.starts_at, c.id).limit(MAX_SHOWN)
    return list(db.session.scalars(stmt))
