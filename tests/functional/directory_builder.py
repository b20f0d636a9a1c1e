"""A small, valid import directory built in code, for functional tests.

`directory()` returns a dict in the import format with one organisation, one school and nothing
else; the `add_*` helpers take keyword-only fields and return the record they added.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(digits):
        v = int(ch) * (2 - i % 2)
        total += v - 9 if v > 9 else v
    return str((10 - total % 10) % 10)


def personnummer(birth: str, serial: str = "123") -> str:
    """12-digit personnummer for birth YYYYMMDD (add 60 to the day for a samordningsnummer)."""
    return birth + serial + luhn_digit(birth[2:] + serial)


class Directory:
    def __init__(self, *, org_id: str = "kommun", school: str = "11111111", **school_fields: Any) -> None:
        self.data: dict[str, Any] = {
            "format": 1,
            "organisations": [{"id": org_id, "name": "Exempelby kommun", "eservice_agreement": True}],
            "schools": [],
            "persons": [],
            "accounts": [],
            "roles": [],
            "placements": [],
            "guardianships": [],
            "groups": [],
            "contacts": [],
            "notices": [],
        }
        self.org_id = org_id
        self.school_code = school
        self.add_school(code=school, **school_fields)

    def _add(self, key: str, record: dict[str, Any]) -> dict[str, Any]:
        self.data[key].append({k: v for k, v in record.items() if v is not None})
        return self.data[key][-1]

    def add_organisation(self, *, id: str, name: str = "Huvudman", **fields: Any) -> dict[str, Any]:
        return self._add("organisations", {"id": id, "name": name, **fields})

    def add_school(self, *, code: str, name: str | None = None, organisation: str | None = None,
                   guardian_login: bool = True, **fields: Any) -> dict[str, Any]:
        return self._add("schools", {"code": code, "name": name or f"Skola {code}",
                                     "organisation": organisation or self.org_id,
                                     "guardian_login": guardian_login, **fields})

    def add_person(self, *, id: str, name: str | None = None, emails: list[str] | None = None,
                   **fields: Any) -> dict[str, Any]:
        return self._add("persons", {"id": id, "name": name or f"Person {id}",
                                     "emails": emails if emails is not None else [f"{id}@exempel.se"],
                                     **fields})

    def add_account(self, *, id: str, person: str, service: str, **fields: Any) -> dict[str, Any]:
        return self._add("accounts", {"id": id, "person": person, "service": service, **fields})

    def add_role(self, *, person: str, role: str, school: str | None = None, organisation: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        if school is None and organisation is None:
            school = self.school_code
        return self._add("roles", {"person": person, "role": role, "school": school,
                                   "organisation": organisation, **fields})

    def add_placement(self, *, student: str, school: str | None = None, **fields: Any) -> dict[str, Any]:
        return self._add("placements", {"student": student, "school": school or self.school_code, **fields})

    def add_guardianship(self, *, guardian: str, child: str) -> dict[str, Any]:
        return self._add("guardianships", {"guardian": guardian, "child": child})

    def add_group(self, *, id: str, kind: str, school: str | None = None, **fields: Any) -> dict[str, Any]:
        return self._add("groups", {"id": id, "kind": kind, "school": school or self.school_code, **fields})

    def add_contact(self, *, kind: str, name: str, email: str, **scope: Any) -> dict[str, Any]:
        return self._add("contacts", {"kind": kind, "name": name, "email": email, **scope})

    def add_notice(self, *, id: str, text: str, **fields: Any) -> dict[str, Any]:
        return self._add("notices", {"id": id, "text": text, **fields})

    # -- people in one call -------------------------------------------------------------------------
    def add_guardian(self, id: str, *, child: str | None = None, account: dict[str, Any] | None = None,
                     **person: Any) -> str:
        self.add_person(id=id, **person)
        self.add_role(person=id, role="guardian")
        self.add_account(id=f"acc-{id}", person=id, service="school_platform", username=id, **(account or {}))
        if child:
            self.add_person(id=child, emails=[], birth_date="2015-05-05")
            self.add_role(person=child, role="student")
            self.add_placement(student=child)
            self.add_guardianship(guardian=id, child=child)
        return id

    def write(self, path: Path) -> Path:
        from ..personal_data import remember

        remember(self.data)  # its personal details must never reach a log (tests/personal_data.py)
        path.write_text(json.dumps(self.data, ensure_ascii=False), encoding="utf-8")
        return path
