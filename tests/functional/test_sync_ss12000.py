"""`portal sync ss12000` against a fake SS 12000 server over real HTTP (tests/functional/ss12000_fake.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, select

from portal.extensions import db
from portal.models import DIRECTORY_TABLES

from .ss12000_fake import Fake, serve
from .ss12000_source import build, pnr


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    with serve(build(Fake())) as server:
        monkeypatch.setenv("PORTAL_SS12000_URL", server.url)
        monkeypatch.setenv("PORTAL_SS12000_PAGE_SIZE", "2")
        yield server


def sync(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["sync", "ss12000", *args])


def dumped(runner: Any, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "dump.json"
    result = sync(runner, "--dump", str(out), *args)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def directory(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every directory row without the generated id and the source index."""
    with app.app_context():
        out = {}
        for model in DIRECTORY_TABLES:
            table = model.__table__
            # the generated integer ids and the source index differ between two loads; text ids do not
            columns = [c for c in table.c if c.name != "src" and not (c.name == "id" and isinstance(c.type, Integer))]
            out[table.name] = sorted((tuple(row) for row in db.session.execute(select(*columns))), key=repr)
        return out


def assert_refused(result: Any, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Fel: "), result.stderr
    for part in expected:
        assert part in result.stderr, f"{part!r} not in {result.stderr!r}"
    assert "Traceback" not in result.output
    assert result.stdout == ""


def by(records: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


# -- the mapping table, row by row -----------------------------------------------------------------


def test_organisations_and_schools_come_from_huvudman_and_school_units(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert out["format"] == 1
    assert out["organisations"] == [{"id": "h1", "name": "Exempelby kommun", "org_number": "212000-0001"},
                                    {"id": "h2", "name": "Friskolan AB"}]
    assert sorted(out["schools"], key=lambda s: s["code"]) == [
        {"code": "41253001", "name": "Björkskolan", "organisation": "h1", "municipality": "1280"},  # via f1
        {"code": "41253002", "name": "Ekskolan", "organisation": "h1"},
        {"code": "58219001", "name": "Friskolan", "organisation": "h2"}]


def test_a_support_address_is_the_municipality_it_contact(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert by(out["contacts"], kind="municipal_it") == [
        {"kind": "municipal_it", "name": "Exempelby kommun", "email": "it@exempelby.se", "organisation": "h1"}]


def test_persons_names_personnummer_protection_birth_date_and_emails(app, runner, fake, tmp_path):
    persons = {p["id"]: p for p in dumped(runner, tmp_path)["persons"]}
    assert persons["c1"] == {"id": "c1", "name": "Alva Maria Berg", "personnummer": pnr("20130101238"),
                             "birth_date": "2013-01-01", "emails": ["alva@skola.se"]}
    assert persons["c2"] == {"id": "c2", "name": "Bo Ek", "temporary_personnummer": True, "protected_identity": True}
    assert persons["c3"] == {"id": "c3", "name": "Cleo Norberg", "protected_identity": True}  # Norwegian: neither
    assert persons["t1"]["emails"] == ["tora@privat.se", "tora@bjork.se"]
    # nothing else of the source is kept: no phone number, photo or address
    assert "070" not in json.dumps(persons) and "photo" not in json.dumps(persons)


def test_enrolments_become_placements_and_student_roles(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert by(out["placements"], student="c1") == [
        {"student": "c1", "school": "41253001", "start": "2020-08-15"},
        {"student": "c1", "school": "58219001", "start": "2019-08-15", "end": "2020-06-10"}]  # cancelled one left out
    assert by(out["roles"], person="c1") == [
        {"person": "c1", "role": "student", "school": "41253001", "licence": "student"},
        {"person": "c1", "role": "student", "school": "58219001", "licence": "student"}]


def test_vardnadshavare_are_guardians_at_every_school_of_their_children(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert sorted((g["guardian"], g["child"]) for g in out["guardianships"]) == [("g1", "c1"), ("g1", "c2")]
    assert sorted(r["school"] for r in by(out["roles"], person="g1", role="guardian")) == [
        "41253001", "41253002", "58219001"]
    assert by(out["roles"], person="g2") == []  # "Annan ansvarig" is no guardianship
    assert by(out["accounts"], person="g2") == []


def test_teacher_duties_are_teacher_roles_archived_when_ended(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert sorted((r["person"], r["school"], r["archived"]) for r in by(out["roles"], role="teacher")) == [
        ("t1", "41253001", False), ("t1", "41253002", True), ("t2", "58219001", False)]
    assert all(r["licence"] == "teacher" for r in by(out["roles"], role="teacher"))


def test_rector_and_administrator_duties_are_contacts_with_the_school_address(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert sorted(out["contacts"], key=lambda c: c["kind"]) == sorted([
        {"kind": "municipal_it", "name": "Exempelby kommun", "email": "it@exempelby.se", "organisation": "h1"},
        {"kind": "rector", "name": "Rut Rask", "email": "rektor@bjork.se", "school": "41253001"},
        {"kind": "school_admin", "name": "Ada Ahl", "email": "ada@privat.se", "school": "41253002"},
    ], key=lambda c: c["kind"])  # the rector's ended duty at 41253002 is no contact


def test_mentor_assignments_and_groups(app, runner, fake, tmp_path):
    out = dumped(runner, tmp_path)
    assert by(out["roles"], role="mentor") == [
        {"person": "t1", "role": "mentor", "school": "41253001", "licence": "teacher", "archived": False}]
    assert sorted(out["groups"], key=lambda g: g["id"]) == [
        {"id": "g-ma7a", "school": "41253001", "kind": "teaching", "name": "Ma 7A", "owners": ["t1"],
         "members": ["c1"]},  # c3's membership has ended
        {"id": "m1", "school": "41253001", "kind": "mentor", "name": "Mentor 7A", "owners": ["t1"],
         "members": ["c1", "c3"]}]  # no class group, no group of a non-school


def test_accounts_for_every_person_with_an_account_role(app, runner, fake, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_SERVICES", "school_platform,learning_platform")
    accounts = {a["id"]: a for a in dumped(runner, tmp_path)["accounts"]}
    holders = sorted({a["person"] for a in accounts.values()})
    assert holders == ["c1", "c2", "c3", "g1", "t1", "t2"]  # not g2, r1, a1
    assert accounts["ss12000:school_platform:c1"] == {"id": "ss12000:school_platform:c1", "person": "c1",
                                                      "service": "school_platform", "username": "alva@exempelby.se"}
    assert accounts["ss12000:learning_platform:g1"]["username"] == "g1@privat.se"  # no ePPN: first e-mail
    assert accounts["ss12000:school_platform:c3"]["username"] == "c3"  # neither: the person id
    assert accounts["ss12000:school_platform:c2"]["status"] == "inactive"  # Utvandrad
    assert len(accounts) == 12


def test_a_sync_loads_what_the_dump_holds_through_the_same_loader(app, runner, fake, tmp_path):
    out = tmp_path / "dump.json"
    assert sync(runner, "--dump", str(out)).exit_code == 0
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Katalogen synkroniserad från SS 12000 (hela källan lästes): 2 huvudmän, "
                                    "3 skolor, 9 personer,")
    synced = directory(app)
    assert runner.invoke(args=["import", str(out)]).exit_code == 0
    assert directory(app) == synced
    assert len(synced["persons"]) == 9


# -- the settings file -----------------------------------------------------------------------------


def test_settings_replace_named_fields_add_records_and_leave_out_incomplete_ones(app, runner, fake, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({
        "organisations": [{"id": "h1", "account_management": "external", "tenant": "exempelby.se"},
                          {"id": "h9", "name": "Ny huvudman"}],
        "schools": [{"code": "41253001", "guardian_login": True, "bankid_login": True},
                    {"code": "99999999", "guardian_login": True}],  # left SS 12000: no name, no organisation
        "persons": [{"id": "g1", "emails": ["gun@ny.se"]}, {"id": "x1", "name": "Extra Person"}],
        "accounts": [{"id": "ss12000:school_platform:c1", "locked": True, "login_portals": ["other"]},
                     {"id": "lp-x1", "person": "x1", "service": "learning_platform"}],
        "groups": [{"id": "m1", "name": "Mentorsgrupp"}, {"id": "g-x", "school": "41253001", "kind": "teaching"}],
        "roles": [{"person": "t1", "role": "teacher", "school": "41253001", "subjects": ["MA"]},
                  {"person": "x1", "role": "exam_admin", "school": "41253001"}],
        "placements": [{"student": "x1", "school": "41253002"}],
        "guardianships": [{"guardian": "g2", "child": "c3"}],
        "contacts": [{"kind": "exam_admin", "name": "Provsamordnare", "email": "prov@exempelby.se",
                      "school": "41253001"}],
        "notices": [{"id": "n1", "text": "Driftstörning", "service": "school_platform", "from": "2026-11-01T08:00"}],
    }), encoding="utf-8")
    out = dumped(runner, tmp_path, "--settings", str(settings))
    assert by(out["organisations"], id="h1") == [{"id": "h1", "name": "Exempelby kommun", "org_number": "212000-0001",
                                                  "account_management": "external", "tenant": "exempelby.se"}]
    assert by(out["organisations"], id="h9") == [{"id": "h9", "name": "Ny huvudman"}]
    assert by(out["schools"], code="41253001")[0]["guardian_login"] is True
    assert by(out["schools"], code="99999999") == []
    assert by(out["persons"], id="g1")[0]["emails"] == ["gun@ny.se"]
    assert by(out["persons"], id="x1") == [{"id": "x1", "name": "Extra Person"}]
    c1 = by(out["accounts"], id="ss12000:school_platform:c1")[0]
    assert (c1["locked"], c1["login_portals"], c1["username"]) == (True, ["other"], "alva@exempelby.se")
    assert by(out["accounts"], id="lp-x1") == [{"id": "lp-x1", "person": "x1", "service": "learning_platform"}]
    assert by(out["groups"], id="m1")[0]["name"] == "Mentorsgrupp"
    assert by(out["groups"], id="m1")[0]["members"] == ["c1", "c3"]
    assert by(out["groups"], id="g-x") == [{"id": "g-x", "school": "41253001", "kind": "teaching"}]
    assert by(out["roles"], person="t1", role="teacher", school="41253001")[0]["subjects"] == ["MA"]
    assert len(by(out["roles"], person="t1", role="teacher", school="41253001")) == 1
    assert by(out["roles"], person="x1") == [{"person": "x1", "role": "exam_admin", "school": "41253001"}]
    assert {"student": "x1", "school": "41253002"} in out["placements"]
    assert {"guardian": "g2", "child": "c3"} in out["guardianships"]
    assert by(out["contacts"], kind="exam_admin")[0]["email"] == "prov@exempelby.se"
    assert out["notices"] == [{"id": "n1", "text": "Driftstörning", "service": "school_platform", "from": "2026-11-01T08:00"}]

    result = sync(runner, "--settings", str(settings))
    assert result.exit_code == 0, result.output
    assert "Inställningsfilen ändrade 1 huvudman, 1 skola, 1 person, 1 konto, 1 roll, 1 grupp" in result.stdout
    assert "lade till 1 huvudman, 1 person, 1 konto, 1 roll, 1 placering, 1 vårdnadsförhållande, 1 grupp, " \
           "1 kontakt, 1 driftmeddelande" in result.stdout
    assert "schools 99999999 (saknar fältet name)" in result.stdout


def test_a_settings_file_that_is_not_json_is_refused(app, runner, fake, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text("{", encoding="utf-8")
    assert_refused(sync(runner, "--settings", str(settings)), "Inställningsfilen", "inte giltig JSON")


# -- what a person sees ----------------------------------------------------------------------------


def test_a_terminal_sees_pages_and_records_per_resource_and_a_pipe_sees_nothing(app, runner, fake):
    import io

    from portal.sources.ss12000 import read_config, run_sync
    from portal.sources.ss12000.progress import SyncProgress

    screen = io.StringIO()
    with app.app_context():
        run_sync(read_config(), progress=SyncProgress(stream=screen, enabled=True))
    drawn = screen.getvalue()
    for line in ("Hämtar /organisations (organisationer): 3 sidor, 6 poster\n",
                 "Hämtar /persons (personer): 5 sidor, 9 poster\n",
                 "Hämtar /duties (tjänstgöringar): 3 sidor, 6 poster\n",
                 "Hämtar /groups (grupper): 2 sidor, 4 poster\n",
                 "Hämtar /activities (aktiviteter): 1 sida, 1 post\n"):
        assert line in drawn
    assert "Läser in katalogen: " in drawn
    result = sync(runner)  # the test runner's stderr is no terminal
    assert result.exit_code == 0 and result.stderr == ""


def test_every_page_is_read_with_limit_and_page_token(app, runner, fake, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_PAGE_SIZE", "3")
    assert sync(runner).exit_code == 0
    persons = fake.requests_to("persons")
    assert len(persons) == 3  # 9 persons, 3 a page; the last answer has no pageToken
    assert all(query["limit"] == ["3"] for query in persons)
    assert "pageToken" not in persons[0] and all("pageToken" in query for query in persons[1:])
    assert {path for path, _, _ in fake.log} == {"/organisations", "/persons", "/duties", "/groups", "/activities"}
