"""Generate a realistic directory of N persons in the import format, streamed to a file.

    python bench/generate.py N OUT.json [--seed S] [--today YYYY-MM-DD]

Writes OUT.json (valid against portal/schema/import.schema.json) and OUT.json.identifiers.txt: 1 000
questions, one a line, `role<TAB>service<TAB>symptom<TAB>place<TAB>identifier`, for a diagnose
benchmark to replay. Four in five name an identifier that exists (an e-mail address, username,
personnummer or HSA-id of a person holding that role at that place), drawn at random per role so that
every role is there (SAMPLE_QUOTAS); one in five name an identifier that matches nobody.

Proportions (see bench/README.md): about 55 % children (students with placements), 38 % guardians
(each child has one or two, siblings share them), 7 % staff; one school per about 400 persons, one
organisation per about 40 schools. Everything comes from one `random.Random(seed)`, so a seed always
gives the same file.

Memory stays flat: records are written as they are made, each list to its own temporary file, and the
lists are joined into OUT.json at the end. Only one school's people are held at a time, plus the list
of schools and organisations (N / 400 entries) and a counter per birth date for unique personnummer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

SECTIONS = (
    "organisations",
    "schools",
    "persons",
    "accounts",
    "roles",
    "placements",
    "guardianships",
    "groups",
    "contacts",
    "notices",
)
DEFAULT_TODAY = dt.date(2026, 11, 23)
SAMPLE_SIZE = 1000
PERSONS_PER_SCHOOL = 400
SCHOOLS_PER_ORGANISATION = 40

FIRST_F = (
    "Alice", "Alma", "Anna", "Astrid", "Camilla", "Ebba", "Elin", "Ella", "Elsa", "Emma", "Eva", "Frida",
    "Hanna", "Ida", "Ines", "Johanna", "Julia", "Karin", "Klara", "Lena", "Linnea", "Lisa", "Maja", "Malin",
    "Maria", "Moa", "Nora", "Olivia", "Sara", "Selma", "Sofia", "Stina", "Tove", "Vera", "Wilma", "Yasmin",
    "Amina", "Fatima", "Leila", "Aisha",
)  # fmt: skip
FIRST_M = (
    "Adam", "Ahmed", "Albin", "Alexander", "Anders", "Axel", "Carl", "Daniel", "Elias", "Emil", "Erik",
    "Filip", "Fredrik", "Gustav", "Hugo", "Isak", "Jakob", "Johan", "Jonas", "Karl", "Lars", "Leo", "Liam",
    "Lucas", "Magnus", "Mats", "Mikael", "Noah", "Oliver", "Olof", "Omar", "Oscar", "Per", "Peter",
    "Sebastian", "Simon", "Theo", "Tobias", "Viktor", "William", "Ali", "Hassan", "Mohammed",
)  # fmt: skip
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg",
    "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist", "Lindgren", "Berg", "Axelsson",
    "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson",
    "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson",
    "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Nordström", "Mårtensson", "Lundström", "Ali", "Mohammed", "Hassan", "Ahmed",
    "Haddad", "Yusuf", "Rahimi", "Nguyen", "Kowalski",
)  # fmt: skip
PLACE_HEADS = (
    "Björk", "Ek", "Lind", "Gran", "Tall", "Asp", "Rönn", "Hassel", "Sol", "Sjö", "Äng", "Berg", "Dal",
    "Löv", "Kull", "Strand", "Vik", "Ås", "Mo", "Näs", "Al", "Sand", "Fur", "Hag",
)  # fmt: skip
PLACE_TAILS = ("by", "stad", "köping", "sjö", "vik", "ås", "dal", "berga", "näs", "holm")
SCHOOL_TAILS = ("backen", "hagen", "dalen", "viken", "ängen", "höjden", "lunden", "parken", "gården", "skogen")
SUBJECTS = (
    "Svenska", "Matematik", "Engelska", "Biologi", "Fysik", "Kemi", "Teknik", "Historia", "Geografi",
    "Samhällskunskap", "Religionskunskap", "Bild", "Musik", "Slöjd", "Idrott och hälsa",
    "Hem- och konsumentkunskap", "Moderna språk",
)  # fmt: skip
GUARDIAN_DOMAINS = ("exempel.se", "example.se")
# school kind -> (ages of its students, grade of the youngest age)
SCHOOL_KINDS = {"F-6": (6, 12, 0), "7-9": (13, 15, 7), "F-9": (6, 15, 0), "gymnasium": (16, 19, 1)}
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", " ": "", "-": ""})


def luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d // 10 + d % 10
    return (10 - total % 10) % 10


def personnummer(born: dt.date, serial: int, coordination: bool = False) -> str:
    """12 digits; a samordningsnummer has 60 added to the day."""
    day = born.day + (60 if coordination else 0)
    ten = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial:03d}"
    return f"{born.year // 100:02d}{ten}{luhn(ten)}"


def slug(text: str) -> str:
    return text.lower().translate(_ASCII)


def school_year_start(today: dt.date) -> dt.date:
    return dt.date(today.year if (today.month, today.day) >= (8, 1) else today.year - 1, 8, 1)


class _Sections:
    """One temporary file per list; `assemble` joins them into one JSON document."""

    def __init__(self) -> None:
        self.files = {name: tempfile.TemporaryFile("w+", encoding="utf-8") for name in SECTIONS}  # noqa: SIM115 - closed in close()
        self.counts = dict.fromkeys(SECTIONS, 0)

    def add(self, section: str, record: dict[str, Any]) -> None:
        fh = self.files[section]
        if self.counts[section]:
            fh.write(",\n")
        fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        self.counts[section] += 1

    def assemble(self, fp: IO[str], exported_at: str) -> None:
        fp.write('{"format":1,\n"exported_at":' + json.dumps(exported_at))
        for name in SECTIONS:
            fh = self.files[name]
            fh.seek(0)
            fp.write(f',\n"{name}":[\n')
            shutil.copyfileobj(fh, fp, 1 << 20)
            fp.write("\n]")
        fp.write("}\n")

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


class _PersonnummerBook:
    """Unique personnummer by construction: a counter per birth date picks the serial."""

    def __init__(self) -> None:
        self.used: dict[tuple[dt.date, bool], int] = {}

    def new(self, born: dt.date, coordination: bool) -> str:
        key = (born, coordination)
        count = self.used.get(key, 0)
        self.used[key] = count + 1
        return personnummer(born, (100 + 7 * count) % 1000, coordination)


# How the existing identifiers of the sample split over the roles (the rest are missing ones).
SAMPLE_QUOTAS = {"guardian": 280, "student": 240, "teacher": 110, "mentor": 50, "exam_admin": 50,
                 "eservice_user": 45, "eservice_admin": 25}  # fmt: skip


class _Reservoir:
    """A uniform sample per role over a stream (algorithm R), with its own random source, so that
    every role is in the sample however rare it is in the directory."""

    def __init__(self, seed: int) -> None:
        self.k = sum(SAMPLE_QUOTAS.values())
        self.rng = random.Random(seed * 7919 + 1)
        self.items: dict[str, list[tuple[str, ...]]] = {role: [] for role in SAMPLE_QUOTAS}
        self.seen = dict.fromkeys(SAMPLE_QUOTAS, 0)

    def offer(self, question: tuple[str, ...]) -> None:
        role = question[0]
        items = self.items[role]
        self.seen[role] += 1
        if len(items) < self.k:
            items.append(question)
        else:
            j = self.rng.randrange(self.seen[role])
            if j < self.k:
                items[j] = question

    def chosen(self) -> list[tuple[str, ...]]:
        """Each role's quota; a role with too few persons leaves its share to the others."""
        taken = {role: min(quota, len(self.items[role])) for role, quota in SAMPLE_QUOTAS.items()}
        short = self.k - sum(taken.values())
        while short > 0:
            spare = [role for role in SAMPLE_QUOTAS if taken[role] < len(self.items[role])]
            if not spare:
                break
            for role in spare[:short]:
                taken[role] += 1
                short -= 1
        return [q for role in SAMPLE_QUOTAS for q in self.items[role][: taken[role]]]


@dataclass
class _Org:
    id: str
    name: str
    place: str
    kind: str  # "kommun" | "friskola"
    org_number: str
    tenant: str
    external: bool
    agreement: bool
    staff_domain: str
    pupil_domain: str
    schools: int = 0
    has_admin: bool = False
    admin_email: str | None = None
    exam_admin_email: str | None = None


@dataclass
class _School:
    code: str
    name: str
    org: _Org
    kind: str
    tenant: str | None  # own tenant override
    persons: int

    @property
    def effective_tenant(self) -> str:
        return self.tenant or self.org.tenant


@dataclass
class _Staff:
    pid: str
    kind: str
    email: str
    subjects: list[str] = field(default_factory=list)


class Generator:
    def __init__(self, n: int, seed: int = 0, today: dt.date = DEFAULT_TODAY) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        self.book = _PersonnummerBook()
        self.sample = _Reservoir(seed)
        self.out = _Sections()
        self.person_counter = 0
        self.year_start = school_year_start(today)

    # -- small helpers ----------------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def archived(self, p: float) -> dict[str, Any]:
        """`archived: true` with probability p, for a role record."""
        return {"archived": True} if self.chance(p) else {}

    def date_in_year(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def next_pid(self) -> tuple[str, int]:
        self.person_counter += 1
        return f"p{self.person_counter:07d}", self.person_counter

    def name(self, surname: str | None = None) -> str:
        first = self.rng.choice(FIRST_F if self.chance(0.5) else FIRST_M)
        return f"{first} {surname or self.rng.choice(SURNAMES)}"

    def account_flags(self, account: dict[str, Any], guardian: bool = False) -> None:
        rng = self.rng.random()
        if rng < 0.02:
            account["status"] = "inactive"
        if self.chance(0.003):
            account["locked"] = True
        if self.chance(0.01):
            account["must_change_password"] = True
        portals = self.rng.random()
        if portals < 0.02:
            account["login_portals"] = ["other"]
        elif portals < 0.07:
            account["login_portals"] = ["local", "other"]
        if guardian:
            if self.chance(0.02):
                account["invited"] = False
            if self.chance(0.01):
                account["login_allowed"] = False

    # -- organisations and schools -------------------------------------------------------------------------
    def plan(self) -> tuple[list[_Org], list[_School]]:
        n_schools = max(1, round(self.n / PERSONS_PER_SCHOOL))
        n_orgs = max(1, math.ceil(n_schools / SCHOOLS_PER_ORGANISATION))
        places = [h + t for t in PLACE_TAILS for h in PLACE_HEADS]
        self.rng.shuffle(places)
        orgs = []
        for i in range(n_orgs):
            place = places[i % len(places)] + ("" if i < len(places) else f" {i // len(places) + 1}")
            municipal = i == 0 or self.chance(0.75)
            oid = f"org{i + 1:03d}"
            if municipal:
                name, number = f"{place} kommun", f"212000-{1000 + i:04d}"
            else:
                name, number = f"Friskolan {place} AB", f"5569{i:02d}-{self.rng.randrange(10000):04d}"
            domain = slug(place)
            orgs.append(_Org(
                id=oid, name=name, place=place, kind="kommun" if municipal else "friskola", org_number=number,
                tenant=f"{domain}.onmicrosoft.com", external=not municipal and self.chance(0.6),
                agreement=municipal and self.chance(0.85), staff_domain=f"{domain}.exempel.se",
                pupil_domain=f"elev.{domain}.exempel.se",
            ))  # fmt: skip
        base, extra = divmod(self.n, n_schools)
        schools = []
        names_used: set[str] = set()
        for i in range(n_schools):
            org = orgs[i * n_orgs // n_schools]
            org.schools += 1
            kind = self.rng.choices(list(SCHOOL_KINDS), weights=(35, 20, 25, 20))[0]
            head, tail = self.rng.choice(PLACE_HEADS), self.rng.choice(SCHOOL_TAILS)
            name = f"{head}{tail}s {'gymnasium' if kind == 'gymnasium' else 'skola'}"
            if name in names_used:
                name = f"{name}, {org.place}"
            if name in names_used:
                name = f"{name} {i + 1}"
            names_used.add(name)
            code = f"{10000000 + (i * 7919 + self.seed * 104729) % 90000000:08d}"
            tenant = f"{slug(head + tail)}.onmicrosoft.com" if self.chance(0.05) else None
            schools.append(_School(code, name, org, kind, tenant, base + (1 if i < extra else 0)))
        return orgs, schools

    def write_places(self, orgs: list[_Org], schools: list[_School]) -> None:
        for org in orgs:
            self.out.add("organisations", {
                "id": org.id, "name": org.name, "org_number": org.org_number,
                "account_management": "external" if org.external else "portal", "tenant": org.tenant,
                "eservice_agreement": org.agreement,
            })  # fmt: skip
        for school in schools:
            record: dict[str, Any] = {
                "code": school.code, "name": school.name, "organisation": school.org.id,
                "municipality": school.org.place, "guardian_login": self.chance(0.95),
                "bankid_login": self.chance(0.8),
            }  # fmt: skip
            if not school.org.external and self.chance(0.03):
                record["account_management"] = "external"
            if school.tenant:
                record["tenant"] = school.tenant
            self.out.add("schools", record)

    # -- persons -------------------------------------------------------------------------------------------
    def person(self, pid: str, name: str, born: dt.date | None, emails: list[str], **extra: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"id": pid, "name": name}
        if born is not None:
            record["personnummer"] = self.book.new(born, self.chance(0.02))
        record.update({k: v for k, v in extra.items() if v is not None and v is not False})
        record["emails"] = emails
        self.out.add("persons", record)
        return record

    def account(self, pid: str, service: str, username: str, suffix: str = "", **extra: Any) -> dict[str, Any]:
        short = {"school_platform": "sp", "learning_platform": "lp", "assessment_portal": "ap",
                 "eservice_permissions": "bs", "agency_eservice": "et"}[service]  # fmt: skip
        record: dict[str, Any] = {"id": f"{pid}-{short}{suffix}", "person": pid, "service": service,
                                  "username": username}  # fmt: skip
        record.update(extra)
        return record

    def role(self, pid: str, name: str, *, school: str | None = None, organisation: str | None = None,
             **extra: Any) -> None:  # fmt: skip
        record: dict[str, Any] = {"person": pid, "role": name}
        if school is not None:
            record["school"] = school
        else:
            record["organisation"] = organisation
        record.update(extra)
        self.out.add("roles", record)

    def staff_tenant(self, school: _School) -> str | None:
        roll = self.rng.random()
        if roll < 0.01:
            return None
        if roll < 0.03:
            return school.org.tenant if school.tenant else "annan.onmicrosoft.com"
        return school.effective_tenant

    def populate(self, school: _School, first_in_org: bool) -> None:
        p = school.persons
        children = round(p * 0.55)
        guardian_slots = round(p * 0.38)
        lo, hi, first_grade = SCHOOL_KINDS[school.kind]
        # families: 1-4 children each; then one or two guardian slots per family
        families: list[int] = []
        left = children
        while left > 0:
            k = min(left, self.rng.choices((1, 2, 3, 4), weights=(20, 40, 30, 10))[0])
            families.append(k)
            left -= k
        per_family = [1 if i < guardian_slots else 0 for i in range(len(families))]
        extra = max(0, min(guardian_slots - sum(per_family), len(families)))
        for i in self.rng.sample(range(len(families)), extra):
            per_family[i] = 2
        staff_count = p - children - sum(per_family)

        staff = self.populate_staff(school, staff_count, first_in_org)
        classes: dict[int, list[str]] = {}
        for kids, slots in zip(families, per_family, strict=True):
            surname = self.rng.choice(SURNAMES)
            child_ids = []
            youngest = self.today.year - hi
            for _ in range(kids):
                age = self.rng.randint(lo, hi)
                born = self.date_in_year(self.today.year - age)
                youngest = max(youngest, born.year)
                pid = self.child(school, surname, born)
                child_ids.append(pid)
                grade = first_grade + (self.year_start.year - born.year - lo)
                classes.setdefault(grade, []).append(pid)
            guardians: list[dict[str, Any]] = []
            for slot in range(slots):
                if slot == 1 and self.chance(0.03):
                    guardians.append(self.duplicate_guardian(school, guardians[0]))
                else:
                    guardians.append(self.guardian(school, surname, youngest))
            for guardian in guardians:
                for cid in child_ids:
                    self.out.add("guardianships", {"guardian": guardian["id"], "child": cid})
        self.groups(school, classes, staff)

    def child(self, school: _School, surname: str, born: dt.date) -> str:
        pid, idx = self.next_pid()
        name = self.name(surname)
        first = slug(name.split()[0])
        user = f"{first}.{slug(surname)}.{idx}"
        emails = [f"{user}@{school.org.pupil_domain}"] if self.chance(0.97) else []
        self.person(pid, name, born, emails, tenant=school.effective_tenant,
                    protected_identity=self.chance(0.003))  # fmt: skip
        licence = "student" if self.chance(0.99) else "none"
        self.role(pid, "student", school=school.code, licence=licence)
        start = dt.date(self.year_start.year - self.rng.randint(0, 3), 8, 17)
        placement: dict[str, Any] = {"student": pid, "school": school.code, "start": start.isoformat()}
        roll = self.rng.random()
        if roll < 0.01:
            placement["status"] = "inactive"
        elif roll < 0.03:
            placement["end"] = (self.today - dt.timedelta(days=self.rng.randint(1, 200))).isoformat()
        if self.chance(0.01):
            placement["guardians_may_log_in"] = False
        placement["adult_guardian_access"] = self.rng.choices(("automatic", "enabled", "disabled"), (6, 3, 1))[0]
        self.out.add("placements", placement)
        for service in ("learning_platform", "school_platform"):
            acc = self.account(pid, service, user)
            self.account_flags(acc)
            self.out.add("accounts", acc)
        symptom = self.rng.choice(("forgot_password", "password_login_failed", "no_access_to_content"))
        self.sample.offer(("student", "learning_platform", symptom, school.code, user))
        return pid

    def guardian(self, school: _School, surname: str, youngest_child: int) -> dict[str, Any]:
        pid, idx = self.next_pid()
        if not self.chance(0.7):
            surname = self.rng.choice(SURNAMES)
        name = self.name(surname)
        born = self.date_in_year(youngest_child - self.rng.randint(22, 45))
        user = f"{slug(name.split()[0])}.{slug(surname)}.{idx}"
        roll = self.rng.random()
        emails = [f"{user}@{self.rng.choice(GUARDIAN_DOMAINS)}"]
        if roll < 0.10:
            emails.append(f"{user}.privat@{self.rng.choice(GUARDIAN_DOMAINS)}")
        elif roll < 0.12:
            emails = []
        record = self.person(pid, name, None if self.chance(0.01) else born, emails,
                             temporary_personnummer=self.chance(0.005),
                             protected_identity=self.chance(0.003))  # fmt: skip
        self.role(pid, "guardian", school=school.code, **self.archived(0.01))
        acc = self.account(pid, "school_platform", user)
        self.account_flags(acc, guardian=True)
        self.out.add("accounts", acc)
        symptom = self.rng.choice(("forgot_password", "password_login_failed", "bankid_failed",
                                   "no_access_to_content"))  # fmt: skip
        choices = [user, *emails] + ([record["personnummer"]] if "personnummer" in record else [])
        self.sample.offer(("guardian", "school_platform", symptom, school.code, self.rng.choice(choices)))
        return record

    def duplicate_guardian(self, school: _School, original: dict[str, Any]) -> dict[str, Any]:
        """A second record for the same guardian, as from the admission queue: the same personnummer,
        or the same name with other contact details."""
        pid, idx = self.next_pid()
        record: dict[str, Any] = {"id": pid, "name": original["name"]}
        if original.get("personnummer") and self.chance(0.5):
            record["personnummer"] = original["personnummer"]
        user = f"{slug(original['name'].split()[0])}.{idx}"
        record["emails"] = [f"{user}@{self.rng.choice(GUARDIAN_DOMAINS)}"]
        self.out.add("persons", record)
        self.role(pid, "guardian", school=school.code)
        self.out.add("accounts", self.account(pid, "school_platform", user))
        return record

    def populate_staff(self, school: _School, count: int, first_in_org: bool) -> list[_Staff]:
        kinds = ["rector", "school_admin", "exam_admin", "eservice_user"]
        if first_in_org or self.chance(0.1):
            kinds.append("eservice_admin")
        while len(kinds) < count:
            kinds.append("mentor" if self.chance(0.25) else "teacher")
        return [self.staff_member(school, kind) for kind in kinds[:count]]

    def staff_member(self, school: _School, kind: str) -> _Staff:
        org = school.org
        pid, idx = self.next_pid()
        name = self.name()
        first, last = (slug(x) for x in name.split(" ", 1))
        user = f"{first}.{last}.{idx}"
        email = f"{user}@{org.staff_domain}"
        hsa = None
        if kind.startswith("eservice") and self.chance(0.9 if kind == "eservice_admin" else 0.7):
            hsa = f"SE{org.org_number.replace('-', '')}-E{idx}"
        born = self.date_in_year(self.rng.randint(1958, 2000))
        self.person(pid, name, born, [email], hsa_id=hsa, tenant=self.staff_tenant(school))
        member = _Staff(pid, kind, email)
        accounts = [self.account(pid, "school_platform", user)]
        if kind in ("teacher", "mentor"):
            member.subjects = self.rng.sample(SUBJECTS, 2)
            licence = self.rng.choices(("teacher", "none", None), (98, 1, 1))[0]
            extra: dict[str, Any] = {"licence": licence} if licence else {}
            if self.chance(0.02):
                extra["archived"] = True
            self.role(pid, "teacher", school=school.code, subjects=member.subjects, **extra)
            if kind == "mentor":
                self.role(pid, "mentor", school=school.code, licence="teacher")
            accounts.append(self.account(pid, "learning_platform", user))
            roll = self.rng.random()
            ap: dict[str, Any] = {"school": school.code}
            if roll < 0.70:
                ap["activated_at"] = (self.year_start + dt.timedelta(days=self.rng.randint(0, 60))).isoformat()
            elif roll < 0.95:
                ap["activated_at"] = dt.date(self.year_start.year - 1, 8, self.rng.randint(5, 30)).isoformat()
            accounts.append(self.account(pid, "assessment_portal", user, **ap))
            if self.chance(0.01):
                accounts.append(self.account(pid, "assessment_portal", f"{user}b", suffix="2", **ap))
            service = "assessment_portal" if self.chance(0.5) else "learning_platform"
            role = "mentor" if kind == "mentor" and service == "learning_platform" else "teacher"
            symptom = self.rng.choice(("forgot_password", "password_login_failed", "account_inactive")
                                      if service == "assessment_portal"
                                      else ("forgot_password", "no_access_to_content"))  # fmt: skip
            self.sample.offer((role, service, symptom, school.code, self.rng.choice((user, email))))
        elif kind == "exam_admin":
            self.role(pid, "exam_admin", school=school.code)
            activated = self.year_start + dt.timedelta(days=self.rng.randint(0, 30))
            accounts.append(self.account(pid, "eservice_permissions", user, school=school.code,
                                         activated_at=activated.isoformat()))  # fmt: skip
            symptom = self.rng.choice(("lost_credentials", "account_inactive", "matrix_problem", "forgot_password"))
            self.sample.offer(("exam_admin", "eservice_permissions", symptom, school.code, user))
            if org.exam_admin_email is None:
                org.exam_admin_email = email
        elif kind in ("eservice_user", "eservice_admin"):
            self.role(pid, kind, organisation=org.id, **self.archived(0.03))
            if kind == "eservice_admin":
                org.has_admin = True
                org.admin_email = org.admin_email or email
                if self.chance(0.03):
                    self.role(pid, "eservice_user", organisation=org.id)
            accounts.append(self.account(pid, "agency_eservice", user, organisation=org.id))
            symptom = "siths_failed" if kind == "eservice_user" else self.rng.choice(
                ("siths_failed", "admin_change", "changes_not_visible"))  # fmt: skip
            self.sample.offer((kind, "agency_eservice", symptom, org.id, hsa or user))
        else:  # rector, school_admin
            self.role(pid, kind, school=school.code)
            accounts.append(self.account(pid, "learning_platform", user))
        for acc in accounts:
            self.account_flags(acc)
            self.out.add("accounts", acc)
        return member

    # -- groups and contacts -------------------------------------------------------------------------------
    def groups(self, school: _School, classes: dict[int, list[str]], staff: list[_Staff]) -> None:
        teachers = [s for s in staff if s.kind in ("teacher", "mentor")]
        mentors = [s for s in staff if s.kind == "mentor"] or teachers
        t_turn = m_turn = 0
        for grade in sorted(classes):
            pupils = classes[grade]
            for c in range(0, len(pupils), 25):
                members = [pid for pid in pupils[c : c + 25] if not self.chance(0.02)]
                label = f"{'F' if grade == 0 else grade}{'ABCDEFGHIJ'[min(c // 25, 9)]}"
                gid = f"{school.code}-{label}"
                owners: list[str] = []
                if mentors:
                    owners = [mentors[m_turn % len(mentors)].pid]
                    m_turn += 1
                self.out.add("groups", {"id": f"{gid}-mentor", "school": school.code, "kind": "mentor",
                                        "name": f"Mentorsgrupp {label}", "connected": self.chance(0.97),
                                        "owners": owners, "members": members})  # fmt: skip
                for _ in range(2):
                    if not teachers:
                        break
                    teacher = teachers[t_turn % len(teachers)]
                    t_turn += 1
                    subject = self.rng.choice(teacher.subjects)
                    plan = None if self.chance(0.05) else f"{subject}, {school.kind}"
                    self.out.add("groups", {
                        "id": f"{gid}-{slug(subject)}-{t_turn}", "school": school.code, "kind": "teaching",
                        "name": f"{label} {subject}", "connected": self.chance(0.97), "owners": [teacher.pid],
                        "members": members, "course_plan": plan, "subject": subject,
                    })  # fmt: skip
        for s in staff:
            if s.kind in ("school_admin", "rector"):
                title = "Rektor" if s.kind == "rector" else "Skoladministratör"
                self.out.add("contacts", {"kind": s.kind, "name": f"{title}, {school.name}", "email": s.email,
                                          "school": school.code})  # fmt: skip

    def finish(self, orgs: list[_Org], schools: list[_School]) -> None:
        for org in orgs:
            self.out.add("contacts", {"id": f"{org.id}-it", "kind": "municipal_it", "name": f"IT-support, {org.name}",
                                      "email": f"it-support@{org.staff_domain}", "organisation": org.id})  # fmt: skip
            if org.exam_admin_email:
                self.out.add("contacts", {"kind": "exam_admin", "name": f"Provadministratör, {org.name}",
                                          "email": org.exam_admin_email, "organisation": org.id})  # fmt: skip
            if org.admin_email:
                self.out.add("contacts", {"kind": "eservice_admin", "name": f"E-tjänstadministratör, {org.name}",
                                          "email": org.admin_email, "organisation": org.id})  # fmt: skip
        self.out.add("contacts", {"id": "agency-support", "kind": "agency_support",
                                  "name": "Myndighetens support för e-tjänsten", "email": "support@myndighet.example.se",
                                  "service": "agency_eservice"})  # fmt: skip
        self.out.add("contacts", {"id": "portal-support", "kind": "school_admin", "name": "Inloggningshjälpens support",
                                  "email": "support@inloggningshjalpen.exempel.se"})  # fmt: skip
        now = dt.datetime.combine(self.today, dt.time(7, 30), dt.timezone(dt.timedelta(hours=1)))
        self.out.add("notices", {"id": "drift-larplattform", "text": "Driftstörning i lärplattformen.",
                                 "service": "learning_platform",
                                 "from": (now - dt.timedelta(days=2)).isoformat()})  # fmt: skip
        self.out.add("notices", {"id": "drift-skolplattform", "text": "Skolplattformen gick inte att nå.",
                                 "service": "school_platform", "from": (now - dt.timedelta(days=40)).isoformat(),
                                 "to": (now - dt.timedelta(days=40, hours=-3)).isoformat()})  # fmt: skip
        self.out.add("notices", {"id": "underhall-behorighet", "text": "Planerat underhåll av behörighetssystemet.",
                                 "service": "eservice_permissions", "from": (now + dt.timedelta(days=30)).isoformat(),
                                 "to": (now + dt.timedelta(days=30, hours=12)).isoformat()})  # fmt: skip
        for i, school in enumerate(schools[::50]):
            self.out.add("notices", {"id": f"skola-{school.code}", "school": school.code,
                                     "text": f"{school.name}: inloggningen var stängd under lovet.",
                                     "from": (now - dt.timedelta(days=30 + i)).isoformat(),
                                     "to": (now - dt.timedelta(days=25 + i)).isoformat()})  # fmt: skip

    def missing_questions(self, count: int) -> Iterator[tuple[str, ...]]:
        """Questions like the sampled ones, but about identifiers nobody has."""
        rng = self.sample.rng
        templates = [q for items in self.sample.items.values() for q in items]
        templates = templates or [("guardian", "school_platform", "forgot_password", "00000000", "x")]
        for i in range(count):
            role, service, symptom, place, ident = rng.choice(templates)
            if "@" in ident:
                ident = f"saknas.{i}@example.se"
            elif ident.isdigit():  # a personnummer born 1931: nobody in the directory is that old
                ident = personnummer(dt.date(1931, 1, 1) + dt.timedelta(days=i % 365), 100 + i // 365)
            elif ident.upper().startswith("SE") and "-E" in ident:
                ident = f"SE0000000000-X{i}"
            else:
                ident = f"saknas.{i}"
            yield (role, service, symptom, place, ident)

    def run(self, fp: IO[str]) -> list[tuple[str, ...]]:
        try:
            orgs, schools = self.plan()
            self.write_places(orgs, schools)
            seen_orgs: set[str] = set()
            for school in schools:
                self.populate(school, school.org.id not in seen_orgs)
                seen_orgs.add(school.org.id)
            self.finish(orgs, schools)
            exported = dt.datetime.combine(self.today, dt.time(6, 0), dt.timezone(dt.timedelta(hours=1)))
            self.out.assemble(fp, exported.isoformat())
        finally:
            self.out.close()
        existing = self.sample.chosen()
        sample = existing + list(self.missing_questions(SAMPLE_SIZE - len(existing)))
        self.sample.rng.shuffle(sample)
        return sample


def generate(n: int, fp: IO[str], seed: int = 0, today: dt.date = DEFAULT_TODAY) -> list[tuple[str, ...]]:
    """Write a directory of n persons to the text file fp; return 1 000 sample questions
    (role, service, symptom, place, identifier), existing and missing identifiers mixed."""
    return Generator(n, seed, today).run(fp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of persons")
    parser.add_argument("out", help="the JSON file to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY,
                        help="the day the data is dated against (default %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with open(args.out, "w", encoding="utf-8", newline="\n") as fp:
        sample = generate(args.n, fp, args.seed, args.today)
    with open(args.out + ".identifiers.txt", "w", encoding="utf-8", newline="\n") as fh:
        for question in sample:
            fh.write("\t".join(question) + "\n")
    print(f"{args.n} persons -> {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
