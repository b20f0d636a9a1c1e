"""Turning one validated record into table rows: tuples in the order of COLUMNS, each value already in
the form the database driver takes (dates, JSON and, on SQLite, booleans converted as SQLAlchemy's
column types would), so they go to executemany as they are.

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

MEMO_SIZE = 4096  # converted values kept per column

Add = Callable[[tuple[Any, ...]], None]
# The driver's form of a value of table.column, or None when the value goes as it is.
Processor = Callable[[Any], Any]
ProcessorOf = Callable[[str, str], Processor | None]

# The columns of each table's rows, in the order of the tuples RowBuilder makes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": ("id", "src", "name", "org_number", "account_management", "tenant", "eservice_agreement"),
    "schools": ("code", "src", "name", "name_search", "organisation_id", "municipality", "guardian_login",
                "bankid_login", "account_management", "tenant"),
    "persons": ("id", "src", "name", "name_key", "personnummer", "temporary_personnummer", "protected_identity",
                "birth_date", "hsa_id", "tenant"),
    "person_emails": ("person_id", "position", "email", "email_key"),
    "accounts": ("id", "src", "person_id", "service", "username", "username_key", "school_code", "organisation_id",
                 "status", "invited", "login_allowed", "locked", "must_change_password", "login_portals",
                 "activated_at", "password_hash"),
    "roles": ("src", "person_id", "role", "school_code", "organisation_id", "archived", "licence", "subjects"),
    "placements": ("src", "student_id", "school_code", "start", "end", "status", "guardians_may_log_in",
                   "adult_guardian_access"),
    "guardianships": ("src", "guardian_id", "child_id"),
    "groups": ("id", "src", "school_code", "kind", "name", "connected", "course_plan", "subject"),
    "group_owners": ("src", "group_id", "person_id"),
    "group_members": ("src", "group_id", "person_id"),
    "contacts": ("src", "ext_id", "kind", "name", "email", "email_key", "school_code", "organisation_id", "service"),
    "notices": ("id", "src", "text", "service", "school_code", "organisation_id", "starts_at", "ends_at", "origin"),
}


def today_in_stockholm() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def _fold(text: str) -> str:
    """checks.identifiers.fold, quick for the common all-ASCII text (where it is plain lower())."""
    return text.lower() if text.isascii() else fold(text)


def _email_key(address: str) -> str:
    """checks.identifiers.normalise_email, with the quick fold."""
    return _fold(address.strip())


def remembering(process: Processor) -> Processor:
    """`process` with its answers for the most common values kept (login_portals, subjects: lists)."""
    memo: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        key = (list, *value) if type(value) is list else value
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return process(value)
        result = process(value)
        if len(memo) < MEMO_SIZE:
            memo[key] = result
        return result

    return run


def _remembering_scalars(process: Processor) -> Processor:
    """`remembering` for hashable values (dates, their texts), where a value not kept is common too."""
    memo: dict[Any, Any] = {}
    look_up = memo.get
    missing = object()

    def run(value: Any) -> Any:
        result = look_up(value, missing)
        if result is missing:
            result = process(value)
            if len(memo) < MEMO_SIZE:
                memo[value] = result
        return result

    return run


def _same(value: Any) -> Any:
    return value


def _same_or(process: Processor | None, value: Any) -> Any:
    return value if process is None else process(value)


def _dates(process: Processor | None) -> Processor:
    """A "date" text of the file (already checked by the schema's format), or None, as the driver takes it."""
    def convert(value: str | None) -> Any:
        if value is None:
            return None
        date = dt.date.fromisoformat(value)
        return date if process is None else process(date)

    return _remembering_scalars(convert)


def _booleans(process: Processor | None) -> Processor:
    """A bool as the driver takes it: looked up, not called (0 and 1 on SQLite, as SQLAlchemy sends them)."""
    return {False: process(False), True: process(True)}.__getitem__ if process else {False: False, True: True}.__getitem__


class RowBuilder:
    """One method per list: `persons(record, index)` adds the rows of persons[index]."""

    def __init__(self, adders: dict[str, Add], today: dt.date, processor: ProcessorOf) -> None:
        self.add = adders  # table name -> add(row)
        self.today = today
        # every column of a type is converted alike: one column of each type is asked
        self.bit = _booleans(processor("persons", "protected_identity"))
        day = processor("persons", "birth_date")
        self.date = _dates(day)  # a date in the file
        # the birth date in a personnummer (its first eight digits), as the driver takes it
        self.born = _remembering_scalars(lambda head: _same_or(day, birth_date_of(head)))
        json = processor("accounts", "login_portals")
        self.json = remembering(json) if json else _same
        self.instant = processor("notices", "starts_at") or _same

    def organisations(self, r: dict[str, Any], src: int) -> None:
        self.add["organisations"]((
            r["id"], src, r["name"], r.get("org_number"), r.get("account_management", "portal"), r.get("tenant"),
            self.bit(r.get("eservice_agreement", False)),
        ))

    def schools(self, r: dict[str, Any], src: int) -> None:
        name = r["name"]
        bit = self.bit
        self.add["schools"]((
            r["code"], src, name, search_key(name), r["organisation"], r.get("municipality"),
            bit(r.get("guardian_login", False)), bit(r.get("bankid_login", False)), r.get("account_management"),
            r.get("tenant"),
        ))

    def persons(self, r: dict[str, Any], src: int) -> None:
        person_id = r["id"]
        get = r.get
        pnr = get("personnummer")
        if pnr is not None:
            try:
                pnr = normalise_personnummer(pnr, self.today)
            except InvalidIdentifier as exc:
                raise refused("persons", src, r, ["personnummer"], _personnummer_problem(pnr, exc)) from None
        birth = get("birth_date")
        hsa_id = get("hsa_id")
        if hsa_id is not None:
            hsa_id = normalise_hsa_id(hsa_id)
            if len(hsa_id) > HSA_ID_MAX:
                raise refused("persons", src, r, ["hsa_id"], f"får ha högst {HSA_ID_MAX} tecken")
        name = r["name"]
        bit = self.bit
        self.add["persons"]((
            person_id, src, name, name_key(name), pnr, bit(get("temporary_personnummer", False)),
            bit(get("protected_identity", False)),
            self.date(birth) if birth is not None else self.born(pnr[:8]) if pnr else None,
            hsa_id, get("tenant"),
        ))
        emails = get("emails")
        if emails:
            add_email = self.add["person_emails"]
            for position, email in enumerate(emails):
                add_email((person_id, position, email, _email_key(email)))

    def accounts(self, r: dict[str, Any], src: int) -> None:
        get = r.get
        username = get("username")
        bit = self.bit
        self.add["accounts"]((
            r["id"], src, r["person"], r["service"], username, _fold(username) if username is not None else None,
            get("school"), get("organisation"), get("status", "active"), bit(get("invited", True)),
            bit(get("login_allowed", True)), bit(get("locked", False)), bit(get("must_change_password", False)),
            self.json(get("login_portals", _LOCAL)), self.date(get("activated_at")), get("password_hash"),
        ))

    def roles(self, r: dict[str, Any], src: int) -> None:
        get = r.get
        self.add["roles"]((
            src, r["person"], r["role"], get("school"), get("organisation"), self.bit(get("archived", False)),
            get("licence"), self.json(get("subjects", _NONE)),
        ))

    def placements(self, r: dict[str, Any], src: int) -> None:
        get = r.get
        date = self.date
        self.add["placements"]((
            src, r["student"], r["school"], date(get("start")), date(get("end")), get("status", "active"),
            self.bit(get("guardians_may_log_in", True)), get("adult_guardian_access", "automatic"),
        ))

    def guardianships(self, r: dict[str, Any], src: int) -> None:
        self.add["guardianships"]((src, r["guardian"], r["child"]))

    def groups(self, r: dict[str, Any], src: int) -> None:
        group_id = r["id"]
        get = r.get
        self.add["groups"]((
            group_id, src, r["school"], r["kind"], get("name"), self.bit(get("connected", True)), get("course_plan"),
            get("subject"),
        ))
        for table, key in (("group_owners", "owners"), ("group_members", "members")):
            people = get(key)
            if people:
                add = self.add[table]
                for person_id in people:
                    add((src, group_id, person_id))

    def contacts(self, r: dict[str, Any], src: int) -> None:
        email = r["email"]
        get = r.get
        self.add["contacts"]((
            src, get("id"), r["kind"], r["name"], email, _email_key(email), get("school"), get("organisation"),
            get("service"),
        ))

    def notices(self, r: dict[str, Any], src: int) -> None:
        instant = self.instant
        self.add["notices"]((
            r["id"], src, r["text"], r.get("service"), r.get("school"), r.get("organisation"),
            instant(_instant(r, src, "from")), instant(_instant(r, src, "to")), "file",
        ))


_LOCAL = ["local"]  # the defaults of login_portals and subjects (never changed: only converted)
_NONE: list[str] = []


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

