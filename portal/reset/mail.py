"""The context of two messages: `personal_findings` (the worker's row to the matched account's first
registered address) and `password_changed` (written by the reset page's transaction).

personal_findings: the case's failing and advice findings in catalogue order, each with the check's
own Swedish text for the person (checks.BY_ID[...].texts.user), who takes the case from here (the
routed contact kind in plain words, and the contact's name: the reader is the verified owner of the
address), and where the case is self-served the reset link, made now: delivery renders a message
once, when it first claims it, so the link's 30 minutes start then.

password_changed: when (Stockholm time), for which service, and what to do if it was not them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_datetime
from sqlalchemy import select

from checks import BY_ID, resolve_contact
from checks.i18n import N_

from .. import directory, tokens
from ..diagnosis import STOCKHOLM
from ..extensions import db
from ..mail import context_builder, link
from ..models import Case, CaseFinding, OutboxMessage
from ..public.choices import SERVICE_NAMES
from .links import PURPOSE, make_link

# the contact kinds of CHECKS.md in plain words, for "who will help"
KIND_WORDS = {
    "school_admin": N_("skolans administratör"),
    "rector": N_("rektorn"),
    "exam_admin": N_("skolans provadministratör"),
    "municipal_it": N_("huvudmannens IT-support"),
    "eservice_admin": N_("kommunens administratör för e-tjänsten"),
    "agency_support": N_("myndighetens support"),
}
# a contact's name that already says their kind ("Malin Ek, rektor Björkhagaskolan") is not followed by it again
KIND_STEMS = {"school_admin": ("administratör",), "rector": ("rektor",),
              "exam_admin": ("provadministratör",), "municipal_it": ("it-", "support", "servicedesk"),
              "eservice_admin": ("administratör",), "agency_support": ("support",)}


def names_kind(kind: str | None, name: str | None) -> bool:
    """Whether a contact's name already says what kind of contact they are."""
    folded = (name or "").casefold()
    return any(stem in folded for stem in KIND_STEMS.get(kind or "", ()))


# shown on screen already, or told by the reset paragraph itself
NOT_LISTED = {"notice.active_disruption", "account.password_reset"}


def findings_texts(case_id: int) -> list[str]:
    """The person's texts of the case's failing and advice findings, in catalogue order."""
    rows = db.session.execute(
        select(CaseFinding.check, CaseFinding.outcome, CaseFinding.visibility)
        .where(CaseFinding.case_id == case_id, CaseFinding.outcome.in_(("fail", "advice")))
        .order_by(CaseFinding.position)
    ).all()
    if any(r.outcome == "fail" and r.visibility == "public" for r in rows):
        # a setting that stops everyone (no agreement, guardian login off) explains the failure: advice
        # that assumes a login could work ("try another computer") would contradict it
        rows = [r for r in rows if r.outcome == "fail"]
    return [BY_ID[r.check].texts.user for r in rows if r.check in BY_ID and r.check not in NOT_LISTED]


@context_builder("personal_findings")
def personal_findings(message: OutboxMessage) -> dict[str, Any]:
    stored = message.context or {}
    case = db.session.get(Case, message.case_id) if message.case_id is not None else None
    reset = bool(stored.get("reset"))
    reset_link = None
    if reset and case is not None and isinstance(stored.get("account"), str):
        reset_link = make_link(str(stored["account"]), case)
    return {
        "findings": findings_texts(case.id) if case is not None else [],
        "reset": reset,
        "reset_link": reset_link,
        "reset_text": BY_ID["account.password_reset"].texts.user,
        "minutes": tokens.lifetime(PURPOSE) // 60,
        "helper": KIND_WORDS.get(case.route_kind or "") if case is not None and not case.self_service else None,
        "helper_name": case.route_name if case is not None and not case.self_service else None,
        "helper_named": case is not None and names_kind(case.route_kind, case.route_name),
        "start_link": link("/"),
    }


# how a moment is written in each language ("1 december 2026 kl. 14.52", "1 December 2026 at 14:52"); the
# other languages: the day, the month's name in the language (Babel's), the year and the time
WHEN = {"sv": "d MMMM y 'kl.' HH.mm", "en": "d MMMM y 'at' HH:mm"}
WHEN_OTHER = "d MMMM y, HH:mm"


@context_builder("password_changed")
def password_changed(message: OutboxMessage) -> dict[str, Any]:
    stored = message.context or {}
    locale = str(stored.get("locale") or "sv")
    changed = dt.datetime.fromisoformat(str(stored["changed_at"]))
    case = db.session.get(Case, message.case_id) if message.case_id is not None else None
    contact = None
    if case is not None:
        contact = resolve_contact("school_admin", directory.contacts_for("school_admin"), school=case.place,
                                  organisation=case.organisation_id, service=case.service)
    return {
        "when": format_datetime(changed, WHEN.get(locale, WHEN_OTHER), tzinfo=STOCKHOLM, locale=locale),
        "service_name": SERVICE_NAMES.get(str(stored.get("service", "")), ""),
        "contact": contact,
        "start_link": link("/"),
    }
