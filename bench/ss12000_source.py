"""A generated SS 12000 source of N persons, in the proportions of bench/generate.py: per school of about
400 persons 55 % children (each enrolled, one or two guardians, siblings sharing them), 38 % guardians,
7 % staff (a rector, an administrator, teachers, others); one Huvudman per 40 schools; per class of 25
children a class group, a mentor group (its mentor a teacher's assignmentRole) and two teaching groups
with an activity each. Records are SS 12000 v2.1 objects, as a register would hand them out."""

from __future__ import annotations

import random
from typing import Any

PER_SCHOOL = 400
SCHOOLS_PER_ORGANISATION = 40
GIVEN = ("Alma", "Anna", "Astrid", "Ebba", "Elsa", "Hugo", "Erik", "Liam", "Noah", "Oskar", "Sara", "Vera")
FAMILY = ("Andersson", "Berg", "Ek", "Holm", "Johansson", "Lund", "Nilsson", "Persson", "Sjöberg", "Åberg")
META = {"created": "2026-01-01T10:00:00Z", "modified": "2026-01-01T10:00:00Z"}


def _pnr(serial: int, year: int) -> str:
    first = f"{year}{(serial % 12) + 1:02d}{(serial // 12) % 28 + 1:02d}{(serial // 336) % 1000:03d}"
    total = 0
    for position, ch in enumerate(first[2:]):
        value = int(ch) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return first + str((10 - total % 10) % 10)


def _uuid(kind: int, number: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{number:012x}"


def generate(n: int, seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in ("organisations", "persons", "duties", "groups",
                                                                "activities")}
    schools = max(1, round(n / PER_SCHOOL))
    serial = 0

    def person(kind: int, year: int, extra: dict[str, Any]) -> dict[str, Any]:
        nonlocal serial
        serial += 1
        given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
        record = {"id": _uuid(kind, serial), "meta": META, "givenName": given, "familyName": family,
                  "civicNo": {"value": _pnr(serial, year)}, "sex": "Okänt",
                  "addresses": [{"type": "Folkbokföring", "streetAddress": "Storgatan 1", "postalCode": "12345",
                                 "locality": "Exempelby"}],
                  "phoneNumbers": [{"value": "070-123 45 67", "type": "Mobil"}], **extra}
        out["persons"].append(record)
        return record

    made = 0
    for s in range(schools):
        if s % SCHOOLS_PER_ORGANISATION == 0:
            owner = _uuid(1, s)
            out["organisations"].append({"id": owner, "meta": META, "displayName": f"Kommun {s}",
                                         "organisationType": "Huvudman", "organisationNumber": "212000-0001",
                                         "contactInfo": [{"infoType": "Support", "info": f"it{s}@kommun.exempel.se"}]})
        school = _uuid(2, s)
        out["organisations"].append({"id": school, "meta": META, "displayName": f"Skola {s}",
                                     "organisationType": "Skolenhet", "schoolUnitCode": f"{41000000 + s:08d}",
                                     "municipalityCode": "1280", "parentOrganisation": {"id": owner}})
        size = min(PER_SCHOOL, n - made) if s < schools - 1 else n - made
        made += size
        children, guardians = round(size * 0.55), round(size * 0.38)
        staff = size - children - guardians
        guardian_ids = [person(3, 1985, {"emails": [{"value": f"v{serial + 1}@privat.exempel.se", "type": "Privat"}]})["id"]
                        for _ in range(guardians)]
        staff_ids = [person(4, 1975, {"emails": [{"value": f"p{serial + 1}@skola.exempel.se", "type": "Skola personal"}],
                                      "eduPersonPrincipalNames": [f"p{serial + 1}@exempel.se"]})["id"]
                     for _ in range(staff)]
        duties = []
        for index, staff_id in enumerate(staff_ids):
            role = "Rektor" if index == 0 else "Skoladministratör" if index == 1 else \
                "Fritidspedagog" if index % 7 == 6 else "Lärare"
            duties.append({"id": _uuid(5, serial * 100 + index), "meta": META, "person": {"id": staff_id},
                           "dutyAt": {"id": school}, "dutyRole": role, "startDate": "2020-08-01"})
        teachers = [d for d in duties if d["dutyRole"] == "Lärare"] or duties
        child_ids = []
        for c in range(children):
            family_guardians = guardian_ids[(c * 2) % max(1, guardians): (c * 2) % max(1, guardians) + rnd.choice((1, 2))]
            child = person(6, 2013, {
                "emails": [{"value": f"e{serial + 1}@elev.exempel.se", "type": "Skola elev"}],
                "eduPersonPrincipalNames": [f"e{serial + 1}@exempel.se"],
                "enrolments": [{"enroledAt": {"id": school}, "schoolType": "GR", "schoolYear": 7,
                                "startDate": "2020-08-15"}],
                "responsibles": [{"person": {"id": g}, "relationType": "Vårdnadshavare"} for g in family_guardians]})
            child_ids.append(child["id"])
        for k, start in enumerate(range(0, len(child_ids), 25)):
            members = [{"person": {"id": c}, "startDate": "2020-08-15"} for c in child_ids[start:start + 25]]
            base = _uuid(7, serial * 100 + k * 4)
            mentor = teachers[k % len(teachers)]
            mentor.setdefault("assignmentRole", []).append(
                {"group": {"id": base + "m"}, "assignmentRoleType": "Mentor", "startDate": "2020-08-15"})
            for suffix, kind in (("k", "Klass"), ("m", "Mentor"), ("a", "Undervisning"), ("b", "Undervisning")):
                out["groups"].append({"id": base + suffix, "meta": META, "displayName": f"7{k}{suffix}",
                                      "groupType": kind, "organisation": {"id": school}, "startDate": "2020-08-01",
                                      "groupMemberships": members})
                if kind == "Undervisning":
                    out["activities"].append({"id": base + suffix + "-act", "meta": META, "displayName": "Matematik",
                                              "calendarEventsRequired": False, "startDate": "2020-08-01",
                                              "organisation": {"id": school}, "groups": [{"id": base + suffix}],
                                              "teachers": [{"duty": {"id": rnd.choice(teachers)["id"]}}]})
        out["duties"].extend(duties)
    return out
