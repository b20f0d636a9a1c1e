"""Turning one validated record into table rows (plain dicts with every column, for executemany).

Defaults are the schema's. Values are normalised as the rest of the portal expects to find them:
personnummer in 12 digits, HSA-id upper-cased, e-mail and username keys folded, times in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from checks.identifiers import (
    InvalidIdentifier,
    birth_date_of,
    fold,
    name_key,
    normalise_hsa_id,
    normalise_personnummer,
)

from ..search_key import search_key
from .errors import refused
from .schema import parse_date_time

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HSA_ID_MAX = 64  # persons.hsa_id is String(64); the schema sets no maximum

Add = Callable[[dict[str, Any]], None]


def today_in_stockholm() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def _fold(text: str) -> str:
    """checks.identifiers.fold, quick for the common all-ASCII text (where it is plain lower())."""
    return text.lower() if text.isascii() else fold(text)


def _email_key(address: str) -> str:
    """checks.identifiers.normalise_email, with the quick fold."""
    return _fold(address.strip())


def _date(value: str | None) -> dt.date | None:
    # already checked by the schema's "date" format
    return None if value is None else dt.date.fromisoformat(value)


class RowBuilder:
    """One method per list: `persons(record, index)` adds the rows of persons[index]."""

    def __init__(self, adders: dict[str, Add], today: dt.date) -> None:
        self.add = adders  # table name -> add(row)
        self.today = today

    def organisations(self, r: dict[str, Any], src: int) -> None:
        self.add["organisations"]({
            "id": r["id"], "src": src, "name": r["name"], "org_number": r.get("org_number"),
            "account_management": r.get("account_management", "portal"), "tenant": r.get("tenant"),
            "eservice_agreement": r.get("eservice_agreement", False),
        })

    def schools(self, r: dict[str, Any], src: int) -> None:
        name = r["name"]
        self.add["schools"]({
            "code": r["code"], "src": src, "name": name, "name_search": search_key(name),
            "organisation_id": r["organisation"], "municipality": r.get("municipality"),
            "guardian_login": r.get("guardian_login", False), "bankid_login": r.get("bankid_login", False),
            "account_management": r.get("account_management"), "tenant": r.get("tenant"),
        })

    def persons(self, r: dict[str, Any], src: int) -> None:
        person_id = r["id"]
        pnr = r.get("personnummer")
        if pnr is not None:
            try:
                pnr = normalise_personnummer(pnr, self.today)
            except InvalidIdentifier as exc:
                raise refused("persons", src, r, ["personnummer"], _personnummer_problem(pnr, exc)) from None
        birth = r.get("birth_date")
        hsa_id = r.get("hsa_id")
        if hsa_id is not None:
            hsa_id = normalise_hsa_id(hsa_id)
            if len(hsa_id) > HSA_ID_MAX:
                raise refused("persons", src, r, ["hsa_id"], f"får ha högst {HSA_ID_MAX} tecken")
        name = r["name"]
        self.add["persons"]({
            "id": person_id, "src": src, "name": name, "name_key": name_key(name), "personnummer": pnr,
            "temporary_personnummer": r.get("temporary_personnummer", False),
            "protected_identity": r.get("protected_identity", False),
            "birth_date": _date(birth) if birth is not None else birth_date_of(pnr) if pnr else None,
            "hsa_id": hsa_id, "tenant": r.get("tenant"),
        })
        add_email = self.add["person_emails"]
        for position, email in enumerate(r.get("emails", ())):
            add_email({"person_id": person_id, "position": position, "email": email,
                       "email_key": _email_key(email)})

    def accounts(self, r: dict[str, Any], src: int) -> None:
        username = r.get("username")
        self.add["accounts"]({
            "id": r["id"], "src": src, "person_id": r["person"], "service": r["service"],
            "username": username, "username_key": _fold(username) if username is not None else None,
            "school_code": r.get("school"), "organisation_id": r.get("organisation"),
            "status": r.get("status", "active"), "invited": r.get("invited", True),
            "login_allowed": r.get("login_allowed", True), "locked": r.get("locked", False),
            "must_change_password": r.get("must_change_password", False),
            "login_portals": r.get("login_portals", ["local"]), "activated_at": _date(r.get("activated_at")),
            "password_hash": r.get("password_hash"),
        })

    def roles(self, r: dict[str, Any], src: int) -> None:
        self.add["roles"]({
            "src": src, "person_id": r["person"], "role": r["role"], "school_code": r.get("school"),
            "organisation_id": r.get("organisation"), "archived": r.get("archived", False),
            "licence": r.get("licence"), "subjects": r.get("subjects", []),
        })

    def placements(self, r: dict[str, Any], src: int) -> None:
        self.add["placements"]({
            "src": src, "student_id": r["student"], "school_code": r["school"], "start": _date(r.get("start")),
            "end": _date(r.get("end")), "status": r.get("status", "active"),
            "guardians_may_log_in": r.get("guardians_may_log_in", True),
            "adult_guardian_access": r.get("adult_guardian_access", "automatic"),
        })

    def guardianships(self, r: dict[str, Any], src: int) -> None:
        self.add["guardianships"]({"src": src, "guardian_id": r["guardian"], "child_id": r["child"]})

    def groups(self, r: dict[str, Any], src: int) -> None:
        group_id = r["id"]
        self.add["groups"]({
            "id": group_id, "src": src, "school_code": r["school"], "kind": r["kind"], "name": r.get("name"),
            "connected": r.get("connected", True), "course_plan": r.get("course_plan"),
            "subject": r.get("subject"),
        })
        for table, key in (("group_owners", "owners"), ("group_members", "members")):
            add = self.add[table]
            for person_id in r.get(key, ()):
                add({"src": src, "group_id": group_id, "person_id": person_id})

    def contacts(self, r: dict[str, Any], src: int) -> None:
        email = r["email"]
        self.add["contacts"]({
            "src": src, "ext_id": r.get("id"), "kind": r["kind"], "name": r["name"], "email": email,
            "email_key": _email_key(email), "school_code": r.get("school"),
            "organisation_id": r.get("organisation"), "service": r.get("service"),
        })

    def notices(self, r: dict[str, Any], src: int) -> None:
        self.add["notices"]({
            "id": r["id"], "src": src, "text": r["text"], "service": r.get("service"),
            "school_code": r.get("school"), "organisation_id": r.get("organisation"),
            "starts_at": _instant(r, src, "from"), "ends_at": _instant(r, src, "to"),
        })


def _personnummer_problem(text: str, exc: InvalidIdentifier) -> str:
    if exc.reason != "check_digit":
        return "är inte ett giltigt personnummer eller samordningsnummer"
    digits = "".join(ch for ch in text if ch.isdigit())
    dates = [digits] if len(digits) == 12 else [century + digits for century in ("19", "20")]
    if all(birth_date_of(candidate) is None for candidate in dates):
        return "datumet i personnumret finns inte"
    return "kontrollsiffran stämmer inte"


def _instant(r: dict[str, Any], src: int, field: str) -> dt.datetime | None:
    """An aware datetime in UTC; a time without offset is Stockholm's."""
    text = r.get(field)
    if text is None:
        return None
    try:
        moment = parse_date_time(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=STOCKHOLM)
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise refused("notices", src, r, [field], "tidpunkten går inte att lagra (året ligger utanför 1–9999)") \
            from None

