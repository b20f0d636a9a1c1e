"""SS 12000 records in the database instead of in memory: each fetched page is reduced to the fields
the mapping reads (data minimisation: no address, phone number, photo or anything else is stored)
and written under the run's id; the run is then laid over the mirror (the source as of the last
successful sync) inside the transaction that replaces the directory, so a failed sync leaves both
as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ...models import Ss12000Record
from .client import SourceFailed

MIRROR = "mirror"
RESOURCES = ("organisations", "persons", "duties", "groups", "activities")
READ_BATCH = 2000

_records = Ss12000Record.__table__


def _id(value: Any) -> str | None:
    """The id of an object reference ({"id": ...}), or None."""
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def _list(value: Any) -> list[Any]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _pick(record: dict[str, Any], *names: str) -> dict[str, Any]:
    """The named fields that hold a text or a boolean (a value of another type is as good as absent)."""
    return {name: record[name] for name in names if isinstance(record.get(name), str | bool)}


def _organisation(r: dict[str, Any]) -> dict[str, Any]:
    out = _pick(r, "displayName", "organisationType", "organisationNumber", "schoolUnitCode", "municipalityCode")
    out["parent"] = _id(r.get("parentOrganisation"))
    out["support"] = [c.get("info") for c in _list(r.get("contactInfo")) if c.get("infoType") == "Support"]
    return out


def _person(r: dict[str, Any]) -> dict[str, Any]:
    out = _pick(r, "givenName", "middleName", "familyName", "securityMarking", "birthDate", "personStatus")
    principal = r.get("eduPersonPrincipalNames")
    if isinstance(principal, list):
        out["eduPersonPrincipalNames"] = [name for name in principal if isinstance(name, str)]
    civic = r.get("civicNo")
    if isinstance(civic, dict):
        out["civicNo"] = _pick(civic, "value", "nationality")
    out["emails"] = [_pick(e, "value", "type") for e in _list(r.get("emails"))]
    out["enrolments"] = [{"at": _id(e.get("enroledAt")), **_pick(e, "startDate", "endDate", "cancelled")}
                         for e in _list(r.get("enrolments"))]
    out["responsibles"] = [{"person": _id(e.get("person")), "type": e.get("relationType")}
                           for e in _list(r.get("responsibles"))]
    return out


def _duty(r: dict[str, Any]) -> dict[str, Any]:
    out = _pick(r, "dutyRole", "endDate")
    out["person"], out["at"] = _id(r.get("person")), _id(r.get("dutyAt"))
    out["assignments"] = [{"group": _id(a.get("group")), **_pick(a, "assignmentRoleType", "endDate")}
                          for a in _list(r.get("assignmentRole"))]
    return out


def _group(r: dict[str, Any]) -> dict[str, Any]:
    out = _pick(r, "displayName", "groupType")
    out["organisation"] = _id(r.get("organisation"))
    out["members"] = [{"person": _id(m.get("person")), **_pick(m, "startDate", "endDate")}
                      for m in _list(r.get("groupMemberships"))]
    return out


def _activity(r: dict[str, Any]) -> dict[str, Any]:
    return {"groups": [_id(g) for g in _list(r.get("groups"))],
            "teachers": [_id(t.get("duty")) for t in _list(r.get("teachers"))]}


REDUCE = {"organisations": _organisation, "persons": _person, "duties": _duty, "groups": _group,
          "activities": _activity}


def reduce_page(resource: str, page: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, compact JSON of the fields the mapping reads) for each record of one page."""
    data = page.get("data")
    if not isinstance(data, list):
        raise SourceFailed(f"/{resource} svarade med data som inte är en lista.")
    rows = []
    reduce = REDUCE[resource]
    for position, record in enumerate(data):
        record_id = record.get("id") if isinstance(record, dict) else None
        if not isinstance(record_id, str) or not 0 < len(record_id) <= 128:
            raise SourceFailed(f"/{resource}: post {position + 1} på en sida saknar ett giltigt id.")
        rows.append((record_id, json.dumps(reduce(record), ensure_ascii=False, separators=(",", ":"))))
    return rows


class Stage:
    """One run's rows. Pages are written in transactions of their own (they commit as they come, so
    the fetch holds no lock on the directory); `discard` removes them."""

    def __init__(self, engine: Engine, run: str) -> None:
        self.engine = engine
        self.run = run

    def write(self, resource: str, rows: list[tuple[str, str | None]]) -> None:
        """Stage one page; a record the run already holds (a deletion, then a change) is replaced."""
        if not rows:
            return
        unique = dict(rows)
        values = [{"run": self.run, "resource": resource, "id": record_id, "body": body}
                  for record_id, body in unique.items()]
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(_records), values)
            return
        except IntegrityError:
            pass
        ids = list(unique)
        with self.engine.begin() as connection:
            for start in range(0, len(ids), 500):
                connection.execute(delete(_records).where(
                    _records.c.run == self.run, _records.c.resource == resource,
                    _records.c.id.in_(ids[start:start + 500])))
            connection.execute(insert(_records), values)

    def forget(self, resource: str) -> None:
        """Drop what this run fetched of one resource (it is read again from its first page)."""
        with self.engine.begin() as connection:
            connection.execute(delete(_records).where(_records.c.run == self.run, _records.c.resource == resource))

    def discard(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_records).where(_records.c.run == self.run))


def discard_abandoned(engine: Engine) -> None:
    """Rows of runs that died half-way (only called while holding the sync's lease)."""
    with engine.begin() as connection:
        connection.execute(delete(_records).where(_records.c.run != MIRROR))


def apply(connection: Connection, run: str, *, full: bool) -> None:
    """Lay the run over the mirror (inside the caller's transaction)."""
    if full:
        connection.execute(delete(_records).where(_records.c.run == MIRROR))
    else:
        staged = aliased(_records)
        connection.execute(delete(_records).where(_records.c.run == MIRROR, exists().where(and_(
            staged.c.run == run, staged.c.resource == _records.c.resource, staged.c.id == _records.c.id))))
        connection.execute(delete(_records).where(_records.c.run == run, _records.c.body.is_(None)))
    connection.execute(update(_records).where(_records.c.run == run).values(run=MIRROR))


def has_mirror(connection: Connection) -> bool:
    return connection.execute(select(_records.c.id).where(_records.c.run == MIRROR).limit(1)).first() is not None


def read(connection: Connection, resource: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The mirror's records of one resource in id order, a batch at a time (no cursor stays open)."""
    last = ""
    while True:
        batch = connection.execute(
            select(_records.c.id, _records.c.body)
            .where(_records.c.run == MIRROR, _records.c.resource == resource, _records.c.id > last)
            .order_by(_records.c.id).limit(READ_BATCH)).all()
        for record_id, body in batch:
            yield record_id, json.loads(body)
        if len(batch) < READ_BATCH:
            return
        last = batch[-1][0]


def read_some(connection: Connection, resource: str, ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The mirror's records of one resource with these ids (in the order given, missing ones left out)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found: dict[str, str] = {row[0]: row[1] for row in connection.execute(
            select(_records.c.id, _records.c.body)
            .where(_records.c.run == MIRROR, _records.c.resource == resource, _records.c.id.in_(chunk)))}
        for record_id in chunk:
            if record_id in found:
                yield record_id, json.loads(found[record_id])
