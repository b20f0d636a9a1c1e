"""Context builders of the messages the worker writes to a typed address or to a contact:
`no_account`, `public_guidance` and `contact_notification` (PRODUCT.md step 6, "Cases and contacts").

Each adds what its templates show beyond the stored context: the school's (or organisation's) name,
the service asked about, and for a contact the link to the case in the staff inbox. Never a finding.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .. import directory
from ..extensions import db
from ..models import Case, OutboxMessage
from ..public.choices import SERVICE_NAMES
from . import context_builder


def _case(message: OutboxMessage) -> Case | None:
    return db.session.get(Case, message.case_id) if message.case_id is not None else None


def _place(case: Case | None) -> dict[str, Any]:
    """The school's and its organisation's names (empty when the place has gone since)."""
    if case is None:
        return {"place_name": None, "organisation_name": None, "service": None, "service_name": None,
                "start_path": "/"}
    found = {"service": case.service, "service_name": SERVICE_NAMES.get(case.service),
             # the start page prefilled with the same question (never an identifier: contracts)
             "start_path": "/?" + urlencode({"role": case.role, "service": case.service, "school": case.place}),
             "place_name": None, "organisation_name": None}
    try:
        organisation, school = directory.place(case.service, case.place)
    except directory.UnknownPlace:
        return found
    return {**found, "place_name": school.name if school else organisation.name,
            "organisation_name": organisation.name}


@context_builder("no_account")
def no_account(message: OutboxMessage) -> dict[str, Any]:
    case = _case(message)
    # the school is told when the case went to a contact (the worker notifies them in the same run)
    told = case is not None and not case.self_service and case.route_email is not None
    return {**_place(case), "school_told": told}


@context_builder("public_guidance")
def public_guidance(message: OutboxMessage) -> dict[str, Any]:
    case = _case(message)
    context = _place(case)
    support = case is not None and case.route_kind == "municipal_it" and case.route_email
    context["support_name"] = case.route_name if support and case else None
    context["support_email"] = case.route_email if support and case else None
    return context


@context_builder("contact_notification")
def contact_notification(message: OutboxMessage) -> dict[str, Any]:
    stored = message.context or {}
    reference = str(stored.get("reference") or "")
    # a case passed on: who passed it and their reason (written by a contact for a contact)
    return {**_place(_case(message)), "case_path": f"/inkorg/arenden/{reference}",
            "passed_by": str(stored.get("passed_by") or ""), "reason": str(stored.get("reason") or "")}
