"""One diagnosis: validate the question, build the snapshot, run the checks, resolve the contact.

`portal diagnose` and the worker both call `run`, so the command shows exactly what a case gets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app

from checks import Diagnosis, diagnose, resolve_contact
from checks.identifiers import Identifier, InvalidIdentifier, parse_identifier
from checks.routing import ContactInfo
from checks.snapshot import Question, Snapshot
from checks.vocab import ORGANISATION_SERVICES, ROLES, SERVICES, SYMPTOMS

from . import directory

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class QuestionRefused(ValueError):
    """The question cannot be diagnosed; the message is Swedish and names what was wrong."""


@dataclass(frozen=True)
class Outcome:
    snapshot: Snapshot
    diagnosis: Diagnosis
    contact: ContactInfo | None

    def as_json(self) -> dict[str, object]:
        d = self.diagnosis
        route = None
        if d.route_kind is not None:
            route = self.contact.as_route() if self.contact else {"kind": d.route_kind, "name": None, "email": None}
            route["kind"] = d.route_kind
        return {
            "role": d.role,
            "service": d.service,
            "symptom": d.symptom,
            "school": d.place,
            "matched": d.matched,
            "findings": [f.as_json() for f in d.findings],
            "route": route,
            "self_service": d.self_service,
        }


def moment(today: dt.date | None) -> tuple[dt.date, dt.datetime]:
    """"Today" and "now": a fixed day is judged at 12:00 in Stockholm; else the real time."""
    if today is not None:
        return today, dt.datetime.combine(today, dt.time(12, 0), tzinfo=STOCKHOLM)
    now = dt.datetime.now(STOCKHOLM)
    return now.date(), now


def check_vocabulary(role: str, service: str, symptom: str) -> None:
    for name, value, allowed in (("roll", role, ROLES), ("tjänst", service, SERVICES),
                                 ("symptom", symptom, SYMPTOMS)):
        if value not in allowed:
            raise QuestionRefused(
                f"okänd {name} {value[:40]!r}. Tillåtna värden: {', '.join(allowed)}"
            )


def symptom_fits(role: str, service: str, symptom: str) -> bool:
    """A symptom the public flow offers for the role and service, or one it offers for the role that
    belongs to no single other service (duplicate_account, say); siths_failed belongs to agency_eservice."""
    from .public.choices import SERVICE_SYMPTOMS, SYMPTOM_ROLES, symptoms_for

    if symptom in symptoms_for(role, service):
        return True
    owners = [name for name, symptoms in SERVICE_SYMPTOMS.items() if symptom in symptoms]
    return role in SYMPTOM_ROLES.get(symptom, {role}) and (len(owners) != 1 or owners[0] == service)


def check_combination(role: str, service: str, symptom: str) -> None:
    """A question that makes sense: a service the role uses and a symptom that fits it
    (portal/public/choices.py). Refused in Swedish, listing what is allowed."""
    from .public.choices import services_for

    services = services_for(role)
    if service not in services:
        raise QuestionRefused(f"rollen {role} frågar inte om tjänsten {service}. Tjänster för {role}: "
                              f"{', '.join(services)}")
    if not symptom_fits(role, service, symptom):
        allowed = [name for name in SYMPTOMS if symptom_fits(role, service, name)]
        raise QuestionRefused(f"symptomet {symptom} finns inte för rollen {role} i tjänsten {service}. "
                              f"Tillåtna symptom där: {', '.join(allowed)}")


def question(role: str, service: str, symptom: str, place: str, today: dt.date | None = None) -> Question:
    check_vocabulary(role, service, symptom)
    day, now = moment(today)
    return Question(role=role, service=service, symptom=symptom, place=place, today=day, now=now)


def identifier(text: str, today: dt.date) -> Identifier:
    try:
        return parse_identifier(text, today)
    except InvalidIdentifier as exc:
        raise QuestionRefused(f"ogiltig identifierare: {exc}") from None


def contact_for(kind: str, snap: Snapshot, *, use_fallback: bool = True) -> ContactInfo | None:
    """The contact of `kind` for the snapshot's place (routing rule 4)."""
    return contact_at(kind, school=snap.school.code if snap.school else None, organisation=snap.organisation.id,
                      service=snap.question.service, use_fallback=use_fallback)


def contact_at(kind: str, *, school: str | None, organisation: str | None, service: str,
               use_fallback: bool = True) -> ContactInfo | None:
    """The contact of `kind` for a school (None for an organisation's own service), organisation
    and service (routing rule 4); the staff inbox's pass-on resolves with it too."""
    return resolve_contact(
        kind,
        directory.contacts_applying(kind, school=school, organisation=organisation, service=service),
        school=school,
        organisation=organisation,
        service=service,
        fallback=current_app.config.get("PORTAL_FALLBACK_CONTACT") if use_fallback else None,
    )


def route_contact(diagnosis: Diagnosis, snap: Snapshot) -> ContactInfo | None:
    return None if diagnosis.route_kind is None else contact_for(diagnosis.route_kind, snap)


def run(role: str, service: str, symptom: str, place: str, identifier_text: str,
        today: dt.date | None = None) -> Outcome:
    """Diagnose one question against the directory. Sends nothing and stores nothing."""
    check_vocabulary(role, service, symptom)
    check_combination(role, service, symptom)
    q = question(role, service, symptom, place, today)
    return diagnose_question(q, identifier(identifier_text, q.today))


def diagnose_question(q: Question, ident: Identifier) -> Outcome:
    """The one diagnosis path: `portal diagnose` and the worker both come here."""
    try:
        snap = directory.snapshot(q, ident)
    except directory.UnknownPlace:
        if q.service in ORGANISATION_SERVICES:
            raise QuestionRefused(f"det finns ingen huvudman med id {q.place[:20]!r} i katalogen. För tjänsten "
                                  f"{q.service} anger --school huvudmannens id.") from None
        raise QuestionRefused(f"det finns ingen skola med skolenhetskoden {q.place[:20]!r} i katalogen. "
                              "Ange skolans åttasiffriga skolenhetskod.") from None
    result = diagnose(snap)
    return Outcome(snapshot=snap, diagnosis=result, contact=route_contact(result, snap))
