"""What a contact does to a case: resolve it, pass it on, add a note. Each is recorded as a
CaseEvent with who (the contact's name and address) and when, in the same transaction as the
change and its outbox rows.
"""

from __future__ import annotations

import json

from flask import current_app

from checks import CATALOGUE, default_route
from checks.routing import ContactInfo, resolve_contact
from checks.vocab import CONTACT_KINDS, ORGANISATION_SERVICES

from .. import diagnosis, directory
from ..extensions import db
from ..models import Case, CaseEvent, OutboxMessage
from ..models.cases import utcnow
from . import queries
from .auth import Identity
from .labels import OPEN_STATUSES


def _record(case: Case, who: Identity, action: str, detail: str | None = None) -> None:
    db.session.add(CaseEvent(case_id=case.id, at=utcnow(), actor="contact", action=action, detail=detail,
                             actor_name=who.name, actor_email=who.email))
    case.updated_at = utcnow()


def message_address(case: Case) -> str | None:
    """Where a message to the person goes: the matched account's first registered address (the
    directory's, never anything typed); None when no account matched or it has no address. For
    a protected identity too, only the first address."""
    account = queries.matched_account(case.matched_account_id)
    return None if account is None else queries.first_address(account.person_id)


def resolve(case: Case, who: Identity, message: str) -> bool:
    """Close the case; with a message, tell the person. True when a message was queued."""
    address = message_address(case) if message else None
    if address is not None:
        db.session.add(OutboxMessage(case_id=case.id, template="case_resolved", to_address=address,
                                     context={"reference": case.reference, "message": message, "by": who.name}))
    case.status = "resolved"
    _record(case, who, "resolved", "message" if address is not None else None)
    db.session.commit()
    return address is not None


def is_open(case: Case) -> bool:
    return case.status in OPEN_STATUSES


def contact_for_kind(case: Case, kind: str) -> ContactInfo | None:
    """The contact of `kind` for the case's school, organisation and service: routing rule 4, the
    same resolution the worker used."""
    return diagnosis.contact_at(kind, school=_school(case), organisation=case.organisation_id, service=case.service)


def _school(case: Case) -> str | None:
    """The case's school code; None for an organisation's own service (its place is the organisation)."""
    return None if case.service in ORGANISATION_SERVICES else case.place


def fitting_kinds(case: Case) -> set[str]:
    """The contact kinds that can help with the case: those its role, service and symptom's checks
    route to, the role's default, and a school's rector (an e-service administrator never fits a
    guardian's case)."""
    kinds = {default_route(case.role, case.service)}
    if case.service not in ORGANISATION_SERVICES:
        kinds.add("rector")
    kinds.update(c.on_fail for c in CATALOGUE
                 if c.on_fail in CONTACT_KINDS and c.applies(case.role, case.service, case.symptom))
    return kinds


def reachable_kinds(case: Case) -> set[str]:
    """The contact kinds the case could be passed on to: those routing rule 4 resolves to someone for
    its school, organisation and service (the configured fallback included). One statement."""
    school = _school(case)
    near = directory.contacts_near(school)
    fallback = current_app.config.get("PORTAL_FALLBACK_CONTACT")
    return {kind for kind in CONTACT_KINDS
            if resolve_contact(kind, near, school=school, organisation=case.organisation_id,
                               service=case.service, fallback=fallback) is not None}


def pass_on(case: Case, who: Identity, kind: str, reason: str = "") -> ContactInfo | None:
    """Route the case to the contact of another kind and tell them (who passed it on, and why when a
    reason is given); None (nothing changed) when no contact of that kind reaches the case."""
    contact = contact_for_kind(case, kind)
    if contact is None:
        return None
    before = case.route_kind
    case.route_kind = kind
    case.route_name = contact.name
    case.route_email = contact.email
    case.status = "passed_on"
    db.session.add(OutboxMessage(case_id=case.id, template="contact_notification", to_address=contact.email,
                                 context={"reference": case.reference, "kind": kind, "passed_by": who.name,
                                          "reason": reason}))
    moved = {"from": before, "to": kind, "name": contact.name, **({"reason": reason} if reason else {})}
    _record(case, who, "passed_on", json.dumps(moved, ensure_ascii=False))
    db.session.commit()
    return contact


def add_note(case: Case, who: Identity, text: str) -> None:
    _record(case, who, "note", text)
    db.session.commit()
