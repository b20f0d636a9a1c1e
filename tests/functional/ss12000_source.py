"""A small SS 12000 source that exercises every row of the mapping table (docs/contracts/README.md)."""

from __future__ import annotations

from typing import Any

from .ss12000_fake import Fake


def pnr(first11: str) -> str:
    """A 12-digit personnummer with its Luhn check digit, from its first 11 digits."""
    digits = first11[2:]
    total = 0
    for position, ch in enumerate(digits):
        value = int(ch) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return first11 + str((10 - total % 10) % 10)


def ref(record_id: str) -> dict[str, str]:
    return {"id": record_id}


def person(pid: str, given: str, family: str, **extra: Any) -> dict[str, Any]:
    return {"id": pid, "givenName": given, "familyName": family, **extra}


def email(value: str, kind: str = "Privat") -> dict[str, str]:
    return {"value": value, "type": kind}


def build(fake: Fake) -> Fake:
    put = fake.put
    put("organisations", {"id": "h1", "displayName": "Exempelby kommun", "organisationType": "Huvudman",
                          "organisationNumber": "212000-0001", "address": {"streetAddress": "Gatan 1"},
                          "contactInfo": [{"infoType": "Support", "info": "it@exempelby.se"},
                                          {"infoType": "Publik", "info": "info@exempelby.se"},
                                          {"infoType": "Support", "info": "08-123 45"}]})
    put("organisations", {"id": "f1", "displayName": "Utbildningsförvaltningen", "organisationType": "Förvaltning",
                          "parentOrganisation": ref("h1")})
    put("organisations", {"id": "s1", "displayName": "Björkskolan", "organisationType": "Skolenhet",
                          "schoolUnitCode": "41253001", "municipalityCode": "1280", "parentOrganisation": ref("f1")})
    put("organisations", {"id": "s2", "displayName": "Ekskolan", "organisationType": "Skolenhet",
                          "schoolUnitCode": "41253002", "parentOrganisation": ref("h1")})
    put("organisations", {"id": "h2", "displayName": "Friskolan AB", "organisationType": "Huvudman"})
    put("organisations", {"id": "s3", "displayName": "Friskolan", "organisationType": "Skolenhet",
                          "schoolUnitCode": "58219001", "parentOrganisation": ref("h2")})

    put("persons", person("c1", "Alva", "Berg", middleName="Maria", civicNo={"value": pnr("20130101238")},
                          birthDate="2013-01-01", emails=[email("alva@skola.se", "Skola elev")],
                          eduPersonPrincipalNames=["alva@exempelby.se"], phoneNumbers=[{"value": "070"}],
                          photo="https://x/photo.jpg",
                          enrolments=[{"enroledAt": ref("s1"), "schoolType": "GR", "startDate": "2020-08-15"},
                                      {"enroledAt": ref("s2"), "schoolType": "GR", "startDate": "2020-08-15",
                                       "cancelled": True},
                                      {"enroledAt": ref("s3"), "schoolType": "GR", "startDate": "2019-08-15",
                                       "endDate": "2020-06-10"}],
                          responsibles=[{"person": ref("g1"), "relationType": "Vårdnadshavare"},
                                        {"person": ref("g2"), "relationType": "Annan ansvarig"}]))
    put("persons", person("c2", "Bo", "Ek", civicNo={"value": "20130101TF01"}, securityMarking="Sekretessmarkering",
                          personStatus="Utvandrad",
                          enrolments=[{"enroledAt": ref("s2"), "schoolType": "GR", "startDate": "2021-08-15"}],
                          responsibles=[{"person": ref("g1"), "relationType": "Vårdnadshavare"}]))
    put("persons", person("c3", "Cleo", "Norberg", civicNo={"value": "199901011234", "nationality": "NO"},
                          securityMarking="Skyddad folkbokföring",
                          enrolments=[{"enroledAt": ref("s1"), "schoolType": "GR", "startDate": "2022-08-15"}]))
    put("persons", person("g1", "Gun", "Berg", civicNo={"value": pnr("19800101238")},
                          emails=[email("g1@privat.se")]))
    put("persons", person("g2", "Gus", "Berg", emails=[email("g2@privat.se")]))
    put("persons", person("t1", "Tora", "Lund", emails=[email("tora@privat.se"), email("tora@bjork.se", "Skola personal")],
                          eduPersonPrincipalNames=["tora@exempelby.se"]))
    put("persons", person("r1", "Rut", "Rask", emails=[email("r1@privat.se"), email("rektor@bjork.se", "Skola personal")]))
    put("persons", person("a1", "Ada", "Ahl", emails=[email("ada@privat.se")]))
    put("persons", person("t2", "Tim", "Ros", emails=[email("tim@friskolan.se", "Skola personal")]))

    put("duties", {"id": "d-t1-s1", "person": ref("t1"), "dutyAt": ref("s1"), "dutyRole": "Lärare",
                   "startDate": "2020-01-01",
                   "assignmentRole": [{"group": ref("m1"), "assignmentRoleType": "Mentor", "startDate": "2020-01-01"}]})
    put("duties", {"id": "d-t1-s2", "person": ref("t1"), "dutyAt": ref("s2"), "dutyRole": "Speciallärare/specialpedagog",
                   "startDate": "2018-01-01", "endDate": "2019-06-30"})
    put("duties", {"id": "d-r1-s1", "person": ref("r1"), "dutyAt": ref("s1"), "dutyRole": "Rektor",
                   "startDate": "2020-01-01"})
    put("duties", {"id": "d-r1-s2", "person": ref("r1"), "dutyAt": ref("s2"), "dutyRole": "Rektor",
                   "startDate": "2010-01-01", "endDate": "2015-01-01"})
    put("duties", {"id": "d-a1-s2", "person": ref("a1"), "dutyAt": ref("s2"), "dutyRole": "Skoladministratör",
                   "startDate": "2020-01-01"})
    put("duties", {"id": "d-t2-s3", "person": ref("t2"), "dutyAt": ref("s3"), "dutyRole": "Förstelärare",
                   "startDate": "2020-01-01"})

    put("groups", {"id": "g-ma7a", "displayName": "Ma 7A", "groupType": "Undervisning", "organisation": ref("s1"),
                   "startDate": "2020-08-01",
                   "groupMemberships": [{"person": ref("c1"), "startDate": "2020-08-15"},
                                        {"person": ref("c3"), "startDate": "2020-08-15", "endDate": "2021-06-01"}]})
    put("groups", {"id": "m1", "displayName": "Mentor 7A", "groupType": "Mentor", "organisation": ref("s1"),
                   "startDate": "2020-08-01",
                   "groupMemberships": [{"person": ref("c1")}, {"person": ref("c3")}]})
    put("groups", {"id": "k1", "displayName": "7A", "groupType": "Klass", "organisation": ref("s1"),
                   "startDate": "2020-08-01", "groupMemberships": [{"person": ref("c1")}]})
    put("groups", {"id": "g-f1", "displayName": "Förvaltningsgrupp", "groupType": "Undervisning",
                   "organisation": ref("f1"), "startDate": "2020-08-01"})
    put("activities", {"id": "act1", "displayName": "Matematik 7A", "calendarEventsRequired": False,
                       "startDate": "2020-08-01", "organisation": ref("s1"), "groups": [ref("g-ma7a")],
                       "teachers": [{"duty": ref("d-t1-s1")}]})
    return fake
