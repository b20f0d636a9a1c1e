"""A loader's refusal told in SS 12000's terms: which resource, which record (its id) and which field."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from ...importer.errors import ImportRefused
from ...models import Guardianship, Placement, Role

# `persons[2] (id "p-17").emails[1]: text`, as portal/importer/errors.py writes them
_LABEL = re.compile(r'^(?P<list>\w+)\[(?P<index>\d+)\](?: \((?:id|kod) (?P<key>"[^"]*"|\S+)\))?'
                    r'(?P<path>(?:\.\w+|\[\d+\])*): (?P<text>.*)$', re.DOTALL)
# the directory's field -> what SS 12000 calls it
FIELDS = {
    ("persons", "name"): "givenName/familyName", ("persons", "personnummer"): "civicNo.value",
    ("persons", "birth_date"): "birthDate", ("persons", "emails"): "emails",
    ("organisations", "name"): "displayName", ("organisations", "org_number"): "organisationNumber",
    ("schools", "code"): "schoolUnitCode", ("schools", "name"): "displayName",
    ("schools", "municipality"): "municipalityCode", ("groups", "name"): "displayName",
    ("groups", "members"): "groupMemberships", ("groups", "owners"): "ägare (activities, assignmentRole)",
    ("accounts", "username"): "eduPersonPrincipalNames", ("contacts", "email"): "emails",
    ("contacts", "name"): "displayName", ("placements", "start"): "enrolments.startDate",
    ("placements", "end"): "enrolments.endDate", ("guardianships", "guardian"): "responsibles",
}
# tables whose rows name the SS 12000 record they came from, for references checked after loading
_ROW_ORIGIN = {
    "guardianships": (Guardianship.__table__, "child_id", "persons"),
    "placements": (Placement.__table__, "student_id", "persons"),
    "roles": (Role.__table__, "person_id", "persons"),
}


def explain_refusal(message: str, origin: tuple[str, str], connection: Connection) -> ImportRefused:

    match = _LABEL.match(message)
    if match is None:
        return ImportRefused(message)
    list_name, path, text = match["list"], match["path"].lstrip("."), match["text"]
    text = text.replace("finns inte i filen", "finns inte i SS 12000-källan")
    head = path.split("[")[0].split(".")[0]
    field = FIELDS.get((list_name, head), head) + path[len(head):]
    resource, record_id = origin
    if text.endswith("finns inte i SS 12000-källan"):  # a reference, checked after everything was sent
        resource, record_id = _row_origin(list_name, int(match["index"]), match["key"], connection)
    if resource == "settings":
        return ImportRefused(f"Inställningsfilen, {record_id}{'.' + path if path else ''}: {text}")
    if not resource:
        return ImportRefused(message)
    return ImportRefused(f"/{resource}, id {record_id}, fältet {field or '(posten)'}: {text}")


def _row_origin(list_name: str, src: int, key: str | None, connection: Connection) -> tuple[str, str]:
    if list_name == "groups" and key:
        return "groups", key.strip('"')
    if list_name in _ROW_ORIGIN:
        table, column, resource = _ROW_ORIGIN[list_name]
        found = connection.execute(select(table.c[column]).where(table.c.src == src).limit(1)).scalar()
        if found is not None:
            return resource, str(found)
    return "", ""
