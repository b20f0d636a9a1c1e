"""SS 12000 → the import format, row by row as docs/contracts/README.md's table says.

The mapping reads the mirror resource by resource in id order and sends each record as soon as it is
made; it keeps only what joins need: the organisations, which duty belongs to whom, the teachers
and mentors of each group, each guardian's schools and each staff member's roles. Persons are read
a second time only for guardians who still lack an account, instead of being held."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from checks.identifiers import InvalidIdentifier, normalise_personnummer

from .client import SourceFailed

# (list, record, where it came from: (resource, SS 12000 id))
Emit = Callable[[str, dict[str, Any], tuple[str, str]], None]
Read = Callable[[str], Iterator[tuple[str, dict[str, Any]]]]
ReadSome = Callable[[str, list[str]], Iterator[tuple[str, dict[str, Any]]]]

TEACHER_DUTIES = {"Lärare", "Förstelärare", "Förskollärare", "Speciallärare/specialpedagog"}
CONTACT_DUTIES = {"Rektor": "rector", "Skoladministratör": "school_admin"}
GROUP_KINDS = {"Undervisning": "teaching", "Mentor": "mentor"}
PROTECTED = {"Sekretessmarkering", "Skyddad folkbokföring"}
INACTIVE = {"Utvandrad", "Avliden"}
ACCOUNT_ROLES = ("guardian", "student", "teacher", "mentor")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _ended(end: Any, today: dt.date) -> bool:
    day = _date(end)
    return day is not None and day < today


def _current(item: dict[str, Any], today: dt.date) -> bool:
    start = _date(item.get("startDate"))
    return (start is None or start <= today) and not _ended(item.get("endDate"), today)


def _unique(values: Iterable[str | None]) -> list[str]:
    return [value for value in dict.fromkeys(values) if value]


class Mapper:
    """One pass over the mirror: `run(read, emit)`."""

    def __init__(self, services: tuple[str, ...], today: dt.date) -> None:
        self.services = services
        self.today = today
        self.schools: dict[str, str] = {}  # organisation id of a school unit -> schoolUnitCode
        self.group_schools: dict[str, str] = {}  # group id -> school code
        self.teachers: dict[tuple[str, str], bool] = {}  # (person, school) -> archived
        self.mentors: dict[tuple[str, str], bool] = {}
        self.staff: set[str] = set()  # persons with a teacher or mentor role
        self.guardian_schools: dict[str, tuple[str, ...]] = {}  # guardian -> their children's schools
        self.contact_duties: list[tuple[str, str, str, str]] = []  # (kind, school, person, duty id)

    def run(self, read: Read, read_some: ReadSome, emit: Emit) -> None:
        self.organisations(read("organisations"), emit)
        group_duties = self.activities(read("activities"))
        duty_persons, group_mentors = self.duties(read("duties"), {d for ds in group_duties.values() for d in ds})
        self.groups(read("groups"), emit, group_duties, duty_persons, group_mentors)
        del group_duties, duty_persons, group_mentors
        self.persons(read("persons"), emit)
        self.roles(emit)
        waiting = sorted(person for person, schools in self.guardian_schools.items()
                         if schools and person not in self.staff)
        self.guardian_accounts(read_some("persons", waiting), emit)

    # -- organisations, schools, the municipality's IT support --------------------------------------

    def organisations(self, records: Iterator[tuple[str, dict[str, Any]]], emit: Emit) -> None:
        organisations = dict(records)  # few: the tree is needed whole
        for org_id, org in organisations.items():
            code = org.get("schoolUnitCode")
            if isinstance(code, str) and code:
                self.schools[org_id] = code
        for org_id, org in organisations.items():
            origin = ("organisations", org_id)
            if org.get("organisationType") == "Huvudman":
                record = {"id": org_id, "name": _text(org.get("displayName"))}
                if org.get("organisationNumber") is not None:
                    record["org_number"] = org["organisationNumber"]
                emit("organisations", record, origin)
                for info in org.get("support", []):
                    if isinstance(info, str) and _EMAIL.fullmatch(info.strip()):
                        emit("contacts", {"kind": "municipal_it", "name": record["name"],
                                          "email": info.strip(), "organisation": org_id}, origin)
        for org_id, code in self.schools.items():
            org = organisations[org_id]
            owner = self._owner(org_id, organisations)
            if owner is None:
                raise SourceFailed(f"/organisations, id {org_id}: skolenheten {code} har ingen organisation av "
                                   "typen Huvudman uppåt i parentOrganisation.")
            record = {"code": code, "name": _text(org.get("displayName")), "organisation": owner}
            if org.get("municipalityCode") is not None:
                record["municipality"] = org["municipalityCode"]
            emit("schools", record, ("organisations", org_id))

    @staticmethod
    def _owner(org_id: str, organisations: dict[str, dict[str, Any]]) -> str | None:
        seen: set[str] = set()
        current: str | None = organisations[org_id].get("parent")
        while current is not None and current not in seen and current in organisations:
            seen.add(current)
            if organisations[current].get("organisationType") == "Huvudman":
                return current
            current = organisations[current].get("parent")
        return None

    # -- activities, duties, groups ----------------------------------------------------------------

    @staticmethod
    def activities(records: Iterator[tuple[str, dict[str, Any]]]) -> dict[str, list[str]]:
        """group id -> the duties teaching it."""
        group_duties: dict[str, list[str]] = {}
        for _, activity in records:
            teachers = [duty for duty in activity.get("teachers", []) if duty]
            for group in activity.get("groups", []):
                if group:
                    group_duties.setdefault(group, []).extend(teachers)
        return group_duties

    def duties(self, records: Iterator[tuple[str, dict[str, Any]]],
               teaching: set[str]) -> tuple[dict[str, str], dict[str, list[tuple[str, bool]]]]:
        duty_persons: dict[str, str] = {}
        group_mentors: dict[str, list[tuple[str, bool]]] = {}
        for duty_id, duty in records:
            person, role = duty.get("person"), duty.get("dutyRole")
            if not person:
                continue
            school = self.schools.get(duty.get("at") or "")
            ended = _ended(duty.get("endDate"), self.today)
            if role in TEACHER_DUTIES:
                if duty_id in teaching:
                    duty_persons[duty_id] = person
                if school is not None:
                    key = (person, school)
                    self.teachers[key] = self.teachers.get(key, True) and ended
            elif role in CONTACT_DUTIES and school is not None and not ended:
                self.contact_duties.append((CONTACT_DUTIES[role], school, person, duty_id))
            for assignment in duty.get("assignments", []):
                if assignment.get("assignmentRoleType") == "Mentor" and assignment.get("group"):
                    group_mentors.setdefault(assignment["group"], []).append(
                        (person, ended or _ended(assignment.get("endDate"), self.today)))
        return duty_persons, group_mentors

    def groups(self, records: Iterator[tuple[str, dict[str, Any]]], emit: Emit, group_duties: dict[str, list[str]],
               duty_persons: dict[str, str], group_mentors: dict[str, list[tuple[str, bool]]]) -> None:
        for group_id, group in records:
            school = self.schools.get(group.get("organisation") or "")
            if school is None:
                continue
            for person, archived in group_mentors.get(group_id, []):
                key = (person, school)
                self.mentors[key] = self.mentors.get(key, True) and archived
            kind = GROUP_KINDS.get(group.get("groupType", ""))
            if kind is None:
                continue
            if kind == "teaching":
                owners = _unique(duty_persons.get(duty) for duty in group_duties.get(group_id, []))
            else:
                owners = _unique(person for person, archived in group_mentors.get(group_id, []) if not archived)
            members = _unique(m.get("person") for m in group.get("members", []) if _current(m, self.today))
            emit("groups", {"id": group_id, "school": school, "kind": kind, "name": _text(group.get("displayName")),
                            "owners": owners, "members": members}, ("groups", group_id))
        self.staff = {person for person, _ in self.teachers} | {person for person, _ in self.mentors}

    # -- persons, placements, guardianships, accounts ----------------------------------------------

    def persons(self, records: Iterator[tuple[str, dict[str, Any]]], emit: Emit) -> None:
        contacts: dict[str, list[tuple[str, str, str]]] = {}
        for kind, school, holder, duty_id in self.contact_duties:
            contacts.setdefault(holder, []).append((kind, school, duty_id))
        for person_id, person in records:
            origin = ("persons", person_id)
            record = self.person(person_id, person)
            emit("persons", record, origin)
            schools: list[str] = []
            for enrolment in person.get("enrolments", []):
                at = self.schools.get(enrolment.get("at") or "")
                if at is None or enrolment.get("cancelled") is True:
                    continue
                school = at
                placement = {"student": person_id, "school": school}
                for field, name in (("start", "startDate"), ("end", "endDate")):
                    if enrolment.get(name) is not None:
                        placement[field] = enrolment[name]
                emit("placements", placement, origin)
                schools.append(school)
            schools = _unique(schools)
            for school in schools:
                emit("roles", {"person": person_id, "role": "student", "school": school, "licence": "student"}, origin)
            for guardian in _unique(r.get("person") for r in person.get("responsibles", [])
                                    if r.get("type") == "Vårdnadshavare"):
                emit("guardianships", {"guardian": guardian, "child": person_id}, origin)
                known = self.guardian_schools.get(guardian, ())
                self.guardian_schools[guardian] = known + tuple(s for s in schools if s not in known)
            if schools or person_id in self.staff:
                self.accounts(person_id, person, emit)
            for kind, school, duty_id in contacts.get(person_id, []):
                email = self.contact_email(person)
                if email is not None:
                    emit("contacts", {"kind": kind, "name": record["name"], "email": email, "school": school},
                         ("duties", duty_id))

    def person(self, person_id: str, person: dict[str, Any]) -> dict[str, Any]:
        names = (_text(person.get(part)) for part in ("givenName", "middleName", "familyName"))
        record: dict[str, Any] = {"id": person_id, "name": " ".join(" ".join(names).split())}
        civic = person.get("civicNo")
        if isinstance(civic, dict) and civic.get("nationality", "SE") in (None, "SE"):
            value = civic.get("value")
            try:
                normalise_personnummer(_text(value), self.today)
                record["personnummer"] = value
            except InvalidIdentifier:
                record["temporary_personnummer"] = True
        if person.get("securityMarking") in PROTECTED:
            record["protected_identity"] = True
        if person.get("birthDate") is not None:
            record["birth_date"] = person["birthDate"]
        emails = [e.get("value") for e in person.get("emails", [])]
        if emails:
            record["emails"] = emails
        return record

    @staticmethod
    def contact_email(person: dict[str, Any]) -> str | None:
        emails = [e for e in person.get("emails", []) if isinstance(e.get("value"), str)]
        for email in emails:
            if email.get("type") == "Skola personal":
                return str(email["value"])
        return str(emails[0]["value"]) if emails else None

    def accounts(self, person_id: str, person: dict[str, Any], emit: Emit) -> None:
        principal = [name for name in person.get("eduPersonPrincipalNames", []) if isinstance(name, str) and name]
        emails = [e.get("value") for e in person.get("emails", []) if isinstance(e.get("value"), str)]
        username = (principal or emails or [person_id])[0]
        for service in self.services:
            account = {"id": f"ss12000:{service}:{person_id}", "person": person_id, "service": service,
                       "username": username}
            if person.get("personStatus") in INACTIVE:
                account["status"] = "inactive"
            emit("accounts", account, ("persons", person_id))

    def roles(self, emit: Emit) -> None:
        for (person, school), archived in sorted(self.teachers.items()):
            emit("roles", {"person": person, "role": "teacher", "school": school, "licence": "teacher",
                           "archived": archived}, ("persons", person))
        for (person, school), archived in sorted(self.mentors.items()):
            emit("roles", {"person": person, "role": "mentor", "school": school, "licence": "teacher",
                           "archived": archived}, ("persons", person))
        for guardian, schools in sorted(self.guardian_schools.items()):
            for school in schools:
                emit("roles", {"person": guardian, "role": "guardian", "school": school}, ("persons", guardian))

    def guardian_accounts(self, records: Iterator[tuple[str, dict[str, Any]]], emit: Emit) -> None:
        """Accounts of guardians who hold no other account role (their children may come after them)."""
        for person_id, person in records:
            if not self.guardian_schools.get(person_id) or person_id in self.staff:
                continue
            if any(self.schools.get(e.get("at") or "") and e.get("cancelled") is not True
                   for e in person.get("enrolments", [])):
                continue  # a student: the account was made with the person
            self.accounts(person_id, person, emit)
