"""`portal import FILE` (docs/contracts/README.md): what an operator sees.

A good file replaces the directory; a bad one gives exit 1, a Swedish message on stderr naming the
record (list and index, or id) and the field, and leaves the database exactly as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.importer import import_path
from portal.importer.fastcheck import compile_definition
from portal.importer.schema import LISTS, load_schema
from portal.models import (
    DIRECTORY_TABLES,
    Account,
    Contact,
    Group,
    GroupMember,
    GroupOwner,
    Guardianship,
    Notice,
    Organisation,
    Person,
    PersonEmail,
    Placement,
    PortalPassword,
    Role,
    School,
)

from .directory_builder import personnummer

ANNA_PNR = personnummer("19800101", "123")  # given in the file in its 10-digit form
BERTIL_SAMORDNING = personnummer("20150565", "234")  # born 2015-05-05; day + 60
CECILIA_PNR = personnummer("19750315", "246")
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


def directory(**lists: Any) -> dict[str, Any]:
    """A small valid directory using every list; keyword arguments replace whole top-level keys."""
    data: dict[str, Any] = {
        "format": 1,
        "exported_at": "2026-11-23T06:00:00+01:00",
        "organisations": [
            {"id": "kommun", "name": "Exempelby kommun", "org_number": "212000-0000"},
            {"id": "friskola-ab", "name": "Friskolan AB", "account_management": "external",
             "tenant": "friskolan.onmicrosoft.com", "eservice_agreement": True},
        ],
        "schools": [
            {"code": "12345678", "name": "Ekskolan", "organisation": "kommun", "guardian_login": True},
            {"code": "87654321", "name": "Björkskolan", "organisation": "friskola-ab", "municipality": "Exempelby"},
        ],
        "persons": [
            {"id": "anna", "name": "Anna Andersson", "personnummer": f"{ANNA_PNR[2:8]}-{ANNA_PNR[8:]}",
             "emails": ["Anna.Andersson@Exempel.se", "anna@hemma.se"]},
            {"id": "bertil", "name": "Bertil Andersson", "personnummer": BERTIL_SAMORDNING},
            {"id": "cecilia", "name": "Cecilia Berg", "personnummer": CECILIA_PNR, "birth_date": "1975-03-15",
             "hsa_id": "SE2321000016-abc1", "emails": ["cecilia.berg@ekskolan.se"]},
        ],
        "accounts": [
            {"id": "a-anna", "person": "anna", "service": "school_platform", "username": "Anna.A"},
            {"id": "a-cecilia", "person": "cecilia", "service": "assessment_portal", "school": "12345678",
             "login_portals": ["local", "other"], "activated_at": "2026-08-01", "password_hash": PASSWORD_HASH},
            {"id": "a-cecilia-e", "person": "cecilia", "service": "agency_eservice", "organisation": "kommun",
             "status": "inactive", "invited": False},
        ],
        "roles": [
            {"person": "anna", "role": "guardian", "school": "12345678"},
            {"person": "bertil", "role": "student", "school": "12345678", "licence": "student"},
            {"person": "cecilia", "role": "teacher", "school": "12345678", "subjects": ["Matematik", "Fysik"]},
            {"person": "cecilia", "role": "eservice_user", "organisation": "kommun", "archived": True},
        ],
        "placements": [{"student": "bertil", "school": "12345678", "start": "2024-08-15", "end": None}],
        "guardianships": [{"guardian": "anna", "child": "bertil"}],
        "groups": [{"id": "g1", "school": "12345678", "kind": "teaching", "name": "Ma 7A", "owners": ["cecilia"],
                    "members": ["bertil", "anna"], "course_plan": None}],
        "contacts": [
            {"id": "exp-ek", "kind": "school_admin", "name": "Expeditionen", "email": "Expedition@Ekskolan.se",
             "school": "12345678"},
            {"kind": "municipal_it", "name": "Kommunens IT", "email": "it@exempelby.se", "organisation": "kommun"},
        ],
        "notices": [
            {"id": "n1", "text": "Inloggningen är trög", "service": "school_platform",
             "from": "2026-11-23T10:00:00+01:00", "to": "2026-11-23T13:00:00Z"},
            {"id": "n2", "text": "Planerat underhåll", "from": "2026-12-01T08:00"},
        ],
    }
    data.update(lists)
    return data


def other_directory() -> dict[str, Any]:
    """A different, smaller valid directory: for checking that an import replaces everything."""
    return directory(
        persons=[{"id": "david", "name": "David Dahl"}],
        accounts=[{"id": "a-david", "person": "david", "service": "learning_platform"}],
        roles=[{"person": "david", "role": "teacher", "school": "87654321"}],
        placements=[], guardianships=[], groups=[], contacts=[], notices=[],
    )


def write(path: Path, content: dict[str, Any] | bytes | str) -> Path:
    if isinstance(content, dict):
        content = json.dumps(content, ensure_ascii=False)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def run_import(runner, path: Path | str, *args: str, **kwargs: Any):
    return runner.invoke(args=["import", *args, str(path)], **kwargs)


def dump(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table and of portal_passwords."""
    with app.app_context():
        return {
            model.__table__.name: sorted((tuple(row) for row in db.session.execute(select(model.__table__))), key=repr)
            for model in [*DIRECTORY_TABLES, PortalPassword]
        }


def rows(app: Flask, model: Any, *order: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(select(model).order_by(*order)))


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands DateTime(timezone=True) back naive; the importer stores UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def add_portal_password(app: Flask, account_id: str, password_hash: str = "set-in-portal") -> None:
    with app.app_context():
        db.session.add(PortalPassword(account_id=account_id, password_hash=password_hash,
                                      set_at=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)))
        db.session.commit()


def assert_refused(result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert message.startswith("Fel: "), message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "Traceback" not in result.output
    assert result.stdout == ""


# -- a good file -------------------------------------------------------------------------------------


def test_a_valid_file_imports_every_list(app, runner, tmp_path):
    result = run_import(runner, write(tmp_path / "katalog.json", directory()))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Katalogen inläst: 2 huvudmän, 2 skolor, 3 personer, 3 konton, 4 roller, 1 placering, "
        "1 vårdnadsförhållande, 1 grupp, 2 kontakter, 2 driftmeddelanden."
    )
    assert result.stderr == ""

    kommun, friskola = rows(app, Organisation, Organisation.src)
    assert (kommun.id, kommun.org_number, kommun.account_management, kommun.eservice_agreement) == (
        "kommun", "212000-0000", "portal", False)
    assert (friskola.account_management, friskola.tenant, friskola.eservice_agreement) == (
        "external", "friskolan.onmicrosoft.com", True)

    ek, bjork = rows(app, School, School.src)
    assert (ek.code, ek.name_search, ek.organisation_id, ek.guardian_login, ek.bankid_login) == (
        "12345678", "ekskolan", "kommun", True, False)
    assert (bjork.name_search, bjork.municipality, bjork.guardian_login) == ("bjorkskolan", "Exempelby", False)  # no case, no diacritics: the search key

    anna, bertil, cecilia = rows(app, Person, Person.src)
    assert (anna.personnummer, anna.birth_date) == (ANNA_PNR, dt.date(1980, 1, 1))
    assert (bertil.personnummer, bertil.birth_date) == (BERTIL_SAMORDNING, dt.date(2015, 5, 5))
    assert (cecilia.hsa_id, cecilia.birth_date, cecilia.protected_identity) == (
        "SE2321000016-ABC1", dt.date(1975, 3, 15), False)

    emails = [(e.person_id, e.position, e.email, e.email_key)
              for e in rows(app, PersonEmail, PersonEmail.person_id, PersonEmail.position)]
    assert emails == [
        ("anna", 0, "Anna.Andersson@Exempel.se", "anna.andersson@exempel.se"),
        ("anna", 1, "anna@hemma.se", "anna@hemma.se"),
        ("cecilia", 0, "cecilia.berg@ekskolan.se", "cecilia.berg@ekskolan.se"),
    ]

    a_anna, a_cecilia, a_eservice = rows(app, Account, Account.src)
    assert (a_anna.username, a_anna.username_key, a_anna.status, a_anna.invited, a_anna.login_allowed,
            a_anna.locked, a_anna.must_change_password, a_anna.login_portals, a_anna.password_hash) == (
        "Anna.A", "anna.a", "active", True, True, False, False, ["local"], None)
    assert (a_cecilia.school_code, a_cecilia.login_portals, a_cecilia.activated_at, a_cecilia.password_hash) == (
        "12345678", ["local", "other"], dt.date(2026, 8, 1), PASSWORD_HASH)
    assert (a_eservice.organisation_id, a_eservice.status, a_eservice.invited) == ("kommun", "inactive", False)

    roles = [(r.src, r.person_id, r.role, r.school_code, r.organisation_id, r.archived, r.licence, r.subjects)
             for r in rows(app, Role, Role.src)]
    assert roles == [
        (0, "anna", "guardian", "12345678", None, False, None, []),
        (1, "bertil", "student", "12345678", None, False, "student", []),
        (2, "cecilia", "teacher", "12345678", None, False, None, ["Matematik", "Fysik"]),
        (3, "cecilia", "eservice_user", None, "kommun", True, None, []),
    ]

    (placement,) = rows(app, Placement)
    assert (placement.student_id, placement.school_code, placement.start, placement.end, placement.status,
            placement.guardians_may_log_in, placement.adult_guardian_access) == (
        "bertil", "12345678", dt.date(2024, 8, 15), None, "active", True, "automatic")
    (guardianship,) = rows(app, Guardianship)
    assert (guardianship.guardian_id, guardianship.child_id) == ("anna", "bertil")

    (group,) = rows(app, Group)
    assert (group.id, group.school_code, group.kind, group.name, group.connected, group.course_plan) == (
        "g1", "12345678", "teaching", "Ma 7A", True, None)
    assert [(o.src, o.group_id, o.person_id) for o in rows(app, GroupOwner)] == [(0, "g1", "cecilia")]
    assert [(m.src, m.person_id) for m in rows(app, GroupMember, GroupMember.id)] == [(0, "bertil"), (0, "anna")]

    exp, it = rows(app, Contact, Contact.src)
    assert (exp.ext_id, exp.email, exp.email_key, exp.school_code) == (
        "exp-ek", "Expedition@Ekskolan.se", "expedition@ekskolan.se", "12345678")
    assert (it.ext_id, it.organisation_id, it.kind) == (None, "kommun", "municipal_it")

    n1, n2 = rows(app, Notice, Notice.src)
    assert as_utc(n1.starts_at) == dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    assert as_utc(n1.ends_at) == dt.datetime(2026, 11, 23, 13, tzinfo=dt.UTC)
    # no offset: Stockholm's time (UTC+1 in December)
    assert (as_utc(n2.starts_at), n2.ends_at) == (dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC), None)


def test_an_import_replaces_the_whole_directory(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path / "first.json", directory())).exit_code == 0

    result = run_import(runner, write(tmp_path / "second.json", other_directory()))

    assert result.exit_code == 0, result.output
    assert [p.id for p in rows(app, Person)] == ["david"]
    assert [a.id for a in rows(app, Account)] == ["a-david"]
    for model in (PersonEmail, Placement, Guardianship, Group, GroupOwner, GroupMember, Contact, Notice):
        assert rows(app, model) == [], model.__tablename__


def test_the_lists_may_come_in_any_order(app, runner, tmp_path):
    data = directory()
    reordered = {key: data[key] for key in reversed(list(data))}  # accounts before persons, format last
    assert list(reordered)[0] == "notices"

    result = run_import(runner, write(tmp_path / "reordered.json", reordered))

    assert result.exit_code == 0, result.output
    assert [p.id for p in rows(app, Person, Person.src)] == ["anna", "bertil", "cecilia"]
    assert [a.person_id for a in rows(app, Account, Account.src)] == ["anna", "cecilia", "cecilia"]


def test_standard_input_is_read_when_the_file_is_a_dash(app, runner):
    result = runner.invoke(args=["import", "-"], input=json.dumps(directory()).encode("utf-8"))

    assert result.exit_code == 0, result.output
    assert "3 personer" in result.stdout
    assert len(rows(app, Person)) == 3


def test_a_byte_order_mark_and_optional_lists_left_out_are_fine(app, runner, tmp_path):
    data = directory()
    for key in ("placements", "guardianships", "groups", "contacts", "notices", "exported_at"):
        del data[key]
    data["roles"] = data["roles"][:3]

    result = run_import(runner, write(tmp_path / "bom.json", b"\xef\xbb\xbf" + json.dumps(data).encode()))

    assert result.exit_code == 0, result.output
    assert "0 placeringar" in result.stdout


def test_a_samordningsnummer_and_a_shared_personnummer_are_accepted(app, runner, tmp_path):
    twins = [
        {"id": "p1", "name": "Sara Samordning", "personnummer": personnummer("19900172", "385")},
        {"id": "p2", "name": "Sara Samordning", "personnummer": CECILIA_PNR},
        {"id": "p3", "name": "Sara S", "personnummer": CECILIA_PNR[2:]},
    ]
    data = directory(persons=twins, accounts=[], roles=[], placements=[], guardianships=[], groups=[])

    result = run_import(runner, write(tmp_path / "twins.json", data))

    assert result.exit_code == 0, result.output
    p1, p2, p3 = rows(app, Person, Person.src)
    assert p1.birth_date == dt.date(1990, 1, 12)
    assert p2.personnummer == p3.personnummer == CECILIA_PNR


def test_format_may_be_written_as_a_decimal_one(app, runner, tmp_path):
    text = json.dumps(directory()).replace('"format": 1', '"format": 1.0')
    result = run_import(runner, write(tmp_path / "decimal.json", text))
    assert result.exit_code == 0, result.output


# -- passwords set through the portal ---------------------------------------------------------------


def test_a_portal_password_survives_unless_the_file_has_a_hash_for_the_account(app, runner, tmp_path):
    assert run_import(runner, write(tmp_path / "first.json", directory())).exit_code == 0
    add_portal_password(app, "a-anna")  # the file has no password_hash for a-anna
    add_portal_password(app, "a-cecilia")  # ... but has one for a-cecilia
    add_portal_password(app, "gone-account")  # not in the file at all

    result = run_import(runner, write(tmp_path / "again.json", directory()))

    assert result.exit_code == 0, result.output
    assert "1 lösenord som satts i portalen ersattes av lösenordet i filen" in result.stdout
    kept = {(p.account_id, p.password_hash) for p in rows(app, PortalPassword)}
    assert kept == {("a-anna", "set-in-portal"), ("gone-account", "set-in-portal")}
    assert {a.id: a.password_hash for a in rows(app, Account)}["a-cecilia"] == PASSWORD_HASH


# -- progress -----------------------------------------------------------------------------------------


def test_progress_is_drawn_on_stderr_only_when_asked(app, runner, tmp_path):
    path = write(tmp_path / "katalog.json", directory())

    quiet = run_import(runner, path, "--no-progress")
    shown = run_import(runner, path, "--progress")
    piped = runner.invoke(args=["import", "--progress", "-"], input=path.read_bytes())

    assert quiet.exit_code == shown.exit_code == piped.exit_code == 0
    assert quiet.stderr == ""
    assert "Läser in katalogen [" in shown.stderr and "100 %" in shown.stderr
    assert shown.stderr.endswith("\n")
    assert "Läser in katalogen: 21 poster" in piped.stderr  # no size to compare with: a count
    assert shown.stdout == quiet.stdout


def test_a_refusal_after_the_progress_bar_starts_on_a_line_of_its_own(app, runner, tmp_path):
    data = directory()
    data["roles"][1]["school"] = "99999999"
    result = run_import(runner, write(tmp_path / "bad.json", data), "--progress")
    assert result.exit_code == 1
    assert "\nFel: roles[1].school: skolan 99999999 finns inte i filen\n" in result.stderr


# -- bad files: exit 1, the record and field named, the database untouched ----------------------------


def changed(change: Callable[[dict[str, Any]], Any]) -> Callable[[], bytes]:
    def content() -> bytes:
        data = directory()
        change(data)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    return content


def raw(text: bytes) -> Callable[[], bytes]:
    return lambda: text


GOOD = json.dumps(directory()).encode("utf-8")

BAD_FILES = [
    pytest.param(changed(lambda d: d["roles"][1].update(school="99999999")),
                 ["roles[1].school: skolan 99999999 finns inte i filen"], id="role-to-missing-school"),
    pytest.param(changed(lambda d: d["accounts"][0].update(person="nobody")),
                 ['accounts[0] (id "a-anna").person: personen "nobody" finns inte i filen'],
                 id="account-to-missing-person"),
    pytest.param(changed(lambda d: d["schools"][1].update(organisation="landstinget")),
                 ['schools[1] (kod "87654321").organisation: organisationen "landstinget" finns inte i filen'],
                 id="school-to-missing-organisation"),
    pytest.param(changed(lambda d: d["groups"][0]["members"].append("nobody")),
                 ['groups[0] (id "g1").members: personen "nobody" finns inte i filen'], id="group-member-missing"),
    pytest.param(changed(lambda d: d["guardianships"].append({"guardian": "anna", "child": "nobody"})),
                 ['guardianships[1].child: personen "nobody" finns inte i filen'], id="guardianship-to-missing"),
    pytest.param(changed(lambda d: d["persons"][0].update(personnummer=ANNA_PNR[:-1] + str((int(ANNA_PNR[-1]) + 1) % 10))),
                 ['persons[0] (id "anna").personnummer: kontrollsiffran stämmer inte'], id="check-digit"),
    pytest.param(changed(lambda d: d["persons"][1].update(personnummer="201513011234")),
                 ['persons[1] (id "bertil").personnummer: datumet i personnumret finns inte'], id="pnr-date"),
    pytest.param(changed(lambda d: d["schools"].append({"code": "12345678", "name": "Kopia", "organisation": "kommun"})),
                 ['schools[2] (kod "12345678").code: skolenhetskoden 12345678 finns redan i schools[0]'],
                 id="duplicate-school-code"),
    pytest.param(changed(lambda d: d["persons"].append({"id": "anna", "name": "Anna igen"})),
                 ['persons[3] (id "anna").id: id "anna" finns redan i persons[0]'], id="duplicate-person-id"),
    pytest.param(changed(lambda d: d["contacts"].append({"id": "exp-ek", "kind": "rector", "name": "R",
                                                         "email": "r@ekskolan.se"})),
                 ['contacts[2] (id "exp-ek").id: id "exp-ek" finns redan i contacts[0]'], id="duplicate-contact-id"),
    pytest.param(changed(lambda d: d["persons"][1].pop("name")),
                 ['persons[1] (id "bertil"): saknar fältet name'], id="missing-field"),
    pytest.param(changed(lambda d: d["persons"][0].update(protected_identity="ja")),
                 ['persons[0] (id "anna").protected_identity: ska vara true eller false, inte texten "ja"'],
                 id="wrong-type"),
    pytest.param(changed(lambda d: d["persons"][2].update(nickname="Cissi")),
                 ['persons[2] (id "cecilia").nickname: okänt fält'], id="unknown-field"),
    pytest.param(changed(lambda d: d["accounts"][0].update(service="teams")),
                 ['accounts[0] (id "a-anna").service: har ett ogiltigt värde "teams" (tillåtna värden: school_platform'],
                 id="unknown-service"),
    pytest.param(changed(lambda d: d["schools"][0].update(code="1234")),
                 ['schools[0] (kod "1234").code: ska vara en skolenhetskod med åtta siffror, inte "1234"'],
                 id="school-code-pattern"),
    pytest.param(changed(lambda d: d["persons"][1].update(birth_date="2015-02-30")),
                 ['persons[1] (id "bertil").birth_date: är inte ett giltigt datum: "2015-02-30"'], id="bad-date"),
    pytest.param(changed(lambda d: d["persons"][0]["emails"].append("anna.exempel.se")),
                 ['persons[0] (id "anna").emails[2]: är inte en giltig e-postadress: "anna.exempel.se"'],
                 id="bad-email"),
    # an address mail could not reach and a guardian could not type on the public form (a "--" label that is
    # not valid Punycode): the import judges addresses as the form does
    pytest.param(changed(lambda d: d["persons"][0]["emails"].append("anna@ab--cd.se")),
                 ['persons[0] (id "anna").emails[2]: är inte en giltig e-postadress: "anna@ab--cd.se"'],
                 id="email-with-a-double-hyphen-label"),
    pytest.param(changed(lambda d: d["contacts"][0].update(email="it@xn--zz.se")),
                 ['contacts[0] (id "exp-ek").email: är inte en giltig e-postadress: "it@xn--zz.se"'],
                 id="contact-email-bad-punycode"),
    pytest.param(changed(lambda d: d["notices"][0].update({"from": "i morgon"})),
                 ['notices[0] (id "n1").from: är inte en giltig tidpunkt: "i morgon"'], id="bad-date-time"),
    pytest.param(changed(lambda d: d["notices"][0].update({"to": "9999-12-31T23:30:00-01:00"})),
                 ['notices[0] (id "n1").to: tidpunkten går inte att lagra'], id="date-time-out-of-range"),
    pytest.param(changed(lambda d: d["placements"][0].update(end=20250101)),
                 ["placements[0].end: ska vara en text eller null, inte talet 20250101"], id="date-or-null"),
    pytest.param(changed(lambda d: d["roles"][0].update(organisation="kommun")),
                 ["roles[0]: får bara ha ett av fälten school och organisation"], id="role-school-and-org"),
    pytest.param(changed(lambda d: d["roles"][0].pop("school")),
                 ["roles[0]: saknar fältet school eller organisation"], id="role-without-place"),
    pytest.param(changed(lambda d: d["persons"][2].update(hsa_id="SE2321000016-" + "A" * 60)),
                 ['persons[2] (id "cecilia").hsa_id: får ha högst 64 tecken'], id="hsa-id-too-long"),
    pytest.param(changed(lambda d: d["persons"][0].update(name="Anna\u0000")),
                 ['persons[0] (id "anna").name: innehåller tecknet NUL'], id="nul-in-a-string"),
    pytest.param(changed(lambda d: d["persons"].insert(1, "bertil")),
                 ['persons[1]: ska vara ett objekt, inte texten "bertil"'], id="record-not-an-object"),
    pytest.param(changed(lambda d: d.update(people=[])),
                 ["people: okänt fält på översta nivån"], id="unknown-top-level-field"),
    pytest.param(changed(lambda d: d.pop("roles")), ["Filen saknar fältet roles."], id="missing-list"),
    pytest.param(changed(lambda d: d.update(persons={"anna": {}})),
                 ["persons: ska vara en lista, inte ett objekt"], id="list-is-an-object"),
    pytest.param(changed(lambda d: d.update(format="1")), ['format: ska vara 1, inte "1"'], id="format-text"),
    pytest.param(changed(lambda d: d.update(format=2)), ["format: ska vara 1, inte 2"], id="format-2"),
    pytest.param(raw(GOOD.replace(b'"format": 1', b'"format": 1.5')), ["format: ska vara 1, inte 1.5"],
                 id="format-1.5"),
    pytest.param(changed(lambda d: d.update(exported_at="igår")), ["exported_at: är inte en giltig tidpunkt"],
                 id="bad-exported-at"),
    pytest.param(raw(GOOD[: len(GOOD) // 2]),
                 ["Filen är inte giltig JSON: filen tar slut för tidigt; den verkar vara avkortad (rad 1, kolumn "],
                 id="truncated"),
    pytest.param(raw(b'{\n  "format": 1,\n  "organisations": [,]\n}'),
                 ["Filen är inte giltig JSON: ett tecken som inte hör hemma där (rad 3, kolumn 21, byte 37)."], id="malformed"),
    pytest.param(raw(GOOD + b" x"), ["Filen är inte giltig JSON: det finns mer text efter JSON-objektets slut"],
                 id="trailing-text"),
    pytest.param(raw(b'{"format": 1, "persons": [], "persons": []}'), ["persons: fältet finns två gånger i filen"],
                 id="repeated-key"),
    pytest.param(raw(b"id;namn\nanna;Anna Andersson\n"), ["är inte JSON (rad 1, kolumn 1, byte 0)"], id="not-json"),
    pytest.param(raw(b"PK\x03\x04\x14\x00\x06\x00"), ["är inte JSON"], id="binary"),
    pytest.param(raw(GOOD.replace(b"Ekskolan", b"Eksk\xf6lan")), ["tecken som inte är UTF-8"], id="latin-1"),
    pytest.param(raw(b"[]"), ["Filen ska innehålla ett JSON-objekt ({ … }) på översta nivån, inte en lista."],
                 id="top-level-list"),
    pytest.param(raw(b""), ["är tom."], id="empty"),
    pytest.param(raw(b"  \n"), ["är tom."], id="blank"),
    pytest.param(None, ["finns inte."], id="missing-file"),
]


@pytest.mark.parametrize(("content", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_and_changes_nothing(app, runner, tmp_path, content, expected):
    assert run_import(runner, write(tmp_path / "good.json", directory())).exit_code == 0
    add_portal_password(app, "a-anna")
    before = dump(app)
    path = tmp_path / "bad.json"
    if content is not None:
        write(path, content())

    result = run_import(runner, path)

    assert_refused(result, *expected)
    assert dump(app) == before


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param(changed(lambda d: d["persons"].append({"id": "bertil", "name": "B"})),
                 'persons[3] (id "bertil").id: id "bertil" finns redan i persons[1]', id="duplicate"),
    pytest.param(raw(b'{"format": 1,\n "persons": [{"id": "p1"'),
                 "Filen är inte giltig JSON: filen tar slut för tidigt; den verkar vara avkortad (rad 2, kolumn 25, "
                 "byte 38).", id="truncated"),
    pytest.param(raw(b""), "Standardinmatningen (stdin) är tom.", id="empty"),
])
def test_a_bad_file_on_standard_input_is_named_as_well(app, runner, content, expected):
    result = runner.invoke(args=["import", "-"], input=content())
    assert_refused(result, expected)


def test_a_duplicate_far_apart_in_a_large_list_is_named(app, runner, tmp_path):
    persons = [{"id": f"p{i}", "name": f"Person {i}"} for i in range(5000)]
    persons[4321]["id"] = "p17"
    data = directory(persons=persons, accounts=[], roles=[], placements=[], guardianships=[], groups=[])

    result = run_import(runner, write(tmp_path / "large.json", data))

    assert_refused(result, 'persons[4321] (id "p17").id: id "p17" finns redan i persons[17]')
    assert rows(app, Person) == []


def test_the_first_bad_reference_by_index_is_named(app, runner, tmp_path):
    data = directory()
    data["roles"] = [{"person": f"x{i}", "role": "student", "school": "12345678"} for i in range(3)] + data["roles"]
    data["roles"][0]["person"] = "anna"

    result = run_import(runner, write(tmp_path / "refs.json", data))

    assert_refused(result, 'roles[1].person: personen "x1" finns inte i filen')


# -- the quick schema check never lets through what jsonschema refuses ---------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["", "x", "12345678", "1234567", "2026-02-30", "2026-01-01", "2026-01-01T08:00:00Z",
                       "a@b", "ab", "SE2321000016-A1", "teacher", "local", "other", "p 1", "kommun",
                       "a\ud800b", "Åsa", "x" * 10_001, "x" * 65, "2026-01-01T08:00:00", "191212121212"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_quick_check_accepts_only_what_jsonschema_accepts(data):
    schema = load_schema()
    list_name = data.draw(st.sampled_from(sorted(LISTS)))
    record = copy.deepcopy(data.draw(st.sampled_from(directory().get(list_name) or [{}])))
    properties = list(schema.document["$defs"][LISTS[list_name]]["properties"])
    for _ in range(data.draw(st.integers(0, 3))):
        key = data.draw(st.sampled_from([*properties, "extra"]))
        if data.draw(st.booleans()):
            record.pop(key, None)
        else:
            record[key] = data.draw(_json)
    quick = schema.fast[list_name](record)
    if quick:
        assert not list(schema.records[list_name].iter_errors(record)), record
    # the generated check answers as the closures it was written from, and for this schema it is exact:
    # it refuses just what the full check (jsonschema, then the limits on every text) refuses
    assert quick == compile_definition(schema.document, LISTS[list_name], schema.format_checker)(record), record
    assert quick == (schema.record_error(list_name, record) is None), record


def test_the_quick_check_passes_every_record_of_a_good_file():
    schema = load_schema()
    assert schema.top.is_valid(directory())  # the factory's file is valid, formats included
    for list_name, records in directory().items():
        for record in records if list_name in LISTS else []:
            assert schema.fast[list_name](record), (list_name, record)


# -- large files stream -------------------------------------------------------------------------------


def _big(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"format": 1, "organisations": [{"id": "k", "name": "K"}], '
                  '"schools": [{"code": "12345678", "name": "S", "organisation": "k"}], "persons": [')
        out.write(",".join(json.dumps({"id": f"p{i}", "name": f"Person {i}", "emails": [f"p{i}@exempel.se"]})
                           for i in range(n)))
        out.write('], "accounts": [')
        out.write(",".join(json.dumps({"id": f"a{i}", "person": f"p{i}", "service": "school_platform",
                                       "username": f"P{i}"}) for i in range(n)))
        out.write('], "roles": [')
        out.write(",".join(json.dumps({"person": f"p{i}", "role": "student", "school": "12345678"})
                           for i in range(n)))
        out.write("]}")
    return path


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_records(app, tmp_path):
    peaks = []
    for n in (100, 2_500, 7_500):  # the first only warms up (schema, compiled statements)
        path = _big(tmp_path / f"big-{n}.json", n)
        with app.app_context():
            tracemalloc.start()
            try:
                result = import_path(str(path))
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
        assert result.persons == n and result.total_rows() == 1 + 1 + 4 * n
    assert peaks[2] < peaks[1] * 1.15, peaks  # three times the records, about the same peak
