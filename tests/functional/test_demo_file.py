"""The shipped demo directory is valid, complete and consistent with its README.

Plain checks over the file itself: no app, no database. That `portal diagnose` gives what the README
table promises is verified against the importer and check engine elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from checks.identifiers import InvalidIdentifier, normalise_personnummer
from checks.vocab import CONTACT_KINDS, ROLES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "portal" / "demo" / "demo.json"
README = ROOT / "portal" / "demo" / "README.md"
SCHEMA = ROOT / "portal" / "schema" / "import.schema.json"
# The day the README's table is stated for.
DEMO_TODAY = dt.date(2026, 11, 23)
DEMO_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
EXAMPLE_DOMAINS = ("exempel.se", "example.se")


@pytest.fixture(scope="module")
def demo() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_the_demo_file_is_valid_against_the_import_schema(demo, schema):
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(demo), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


def test_the_demo_file_is_pretty_printed_with_two_spaces(demo):
    text = DEMO.read_text(encoding="utf-8")
    assert text == json.dumps(demo, indent=2, ensure_ascii=False) + "\n"


def test_every_date_and_timestamp_parses_and_timestamps_carry_an_offset(demo):
    # FormatChecker leaves date-time unchecked without an optional package; check it here.
    stamps = [demo["exported_at"]]
    for notice in demo["notices"]:
        stamps.append(notice["from"])
        if notice.get("to"):
            stamps.append(notice["to"])
    for stamp in stamps:
        assert dt.datetime.fromisoformat(stamp).tzinfo is not None, stamp
    dates = [a["activated_at"] for a in demo["accounts"] if "activated_at" in a]
    dates += [p[k] for p in demo["placements"] for k in ("start", "end") if p.get(k)]
    dates += [p["birth_date"] for p in demo["persons"] if "birth_date" in p]
    for value in dates:
        dt.date.fromisoformat(value)


def test_every_personnummer_passes_the_portals_own_check(demo):
    numbers = [p["personnummer"] for p in demo["persons"] if "personnummer" in p]
    assert numbers
    for number in numbers:
        try:
            assert normalise_personnummer(number, DEMO_TODAY) == number
        except InvalidIdentifier as exc:  # pragma: no cover - shows which one
            pytest.fail(f"{number}: {exc}")


def test_there_is_a_samordningsnummer_and_exactly_one_shared_personnummer(demo):
    numbers = [p["personnummer"] for p in demo["persons"] if "personnummer" in p]
    assert any(int(n[6:8]) > 60 for n in numbers), "no samordningsnummer (day + 60)"
    shared = [n for n, count in Counter(numbers).items() if count > 1]
    assert len(shared) == 1, shared


def test_ids_and_school_codes_are_unique(demo):
    for key, field in [
        ("organisations", "id"),
        ("schools", "code"),
        ("persons", "id"),
        ("accounts", "id"),
        ("groups", "id"),
        ("contacts", "id"),
        ("notices", "id"),
    ]:
        values = [record[field] for record in demo[key] if field in record]
        duplicates = [v for v, count in Counter(values).items() if count > 1]
        assert not duplicates, f"{key}: {duplicates}"


def test_usernames_are_unique_per_service(demo):
    for service in SERVICES:
        names = [
            a["username"].casefold() for a in demo["accounts"] if a["service"] == service and "username" in a
        ]
        duplicates = [v for v, count in Counter(names).items() if count > 1]
        assert not duplicates, f"{service}: {duplicates}"


def test_every_reference_points_to_an_existing_record(demo):
    organisations = {o["id"] for o in demo["organisations"]}
    schools = {s["code"] for s in demo["schools"]}
    persons = {p["id"] for p in demo["persons"]}
    missing: list[str] = []

    def want(value: str | None, known: set[str], where: str) -> None:
        if value is not None and value not in known:
            missing.append(f"{where}: {value}")

    for i, s in enumerate(demo["schools"]):
        want(s["organisation"], organisations, f"schools[{i}].organisation")
    for i, a in enumerate(demo["accounts"]):
        want(a["person"], persons, f"accounts[{i}].person")
        want(a.get("school"), schools, f"accounts[{i}].school")
        want(a.get("organisation"), organisations, f"accounts[{i}].organisation")
    for i, r in enumerate(demo["roles"]):
        want(r["person"], persons, f"roles[{i}].person")
        want(r.get("school"), schools, f"roles[{i}].school")
        want(r.get("organisation"), organisations, f"roles[{i}].organisation")
    for i, p in enumerate(demo["placements"]):
        want(p["student"], persons, f"placements[{i}].student")
        want(p["school"], schools, f"placements[{i}].school")
    for i, g in enumerate(demo["guardianships"]):
        want(g["guardian"], persons, f"guardianships[{i}].guardian")
        want(g["child"], persons, f"guardianships[{i}].child")
    for i, g in enumerate(demo["groups"]):
        want(g["school"], schools, f"groups[{i}].school")
        for pid in g.get("owners", []) + g.get("members", []):
            want(pid, persons, f"groups[{i}]")
    for key in ("contacts", "notices"):
        for i, c in enumerate(demo[key]):
            want(c.get("school"), schools, f"{key}[{i}].school")
            want(c.get("organisation"), organisations, f"{key}[{i}].organisation")
    assert not missing, missing


def test_every_role_of_the_vocabulary_and_the_staff_roles_are_held(demo, schema):
    all_roles = set(schema["$defs"]["role_name"]["enum"])
    assert set(ROLES) <= all_roles
    held = {r["role"] for r in demo["roles"] if not r.get("archived")}
    assert held == all_roles, all_roles - held


def test_accounts_carry_the_place_their_service_registers_at(demo):
    for a in demo["accounts"]:
        if a["service"] in ("assessment_portal", "eservice_permissions"):
            assert "school" in a and "organisation" not in a, a["id"]
        elif a["service"] == "agency_eservice":
            assert "organisation" in a and "school" not in a, a["id"]
        else:
            assert "school" not in a and "organisation" not in a, a["id"]


def test_guardians_and_children_hold_their_roles_and_children_are_placed(demo):
    roles = {(r["person"], r["role"]) for r in demo["roles"]}
    placed = {p["student"] for p in demo["placements"]}
    for g in demo["guardianships"]:
        assert (g["guardian"], "guardian") in roles, g
        assert (g["child"], "student") in roles, g
        assert g["child"] in placed, g


def test_every_contact_kind_and_every_contact_scope_appears(demo):
    kinds = {c["kind"] for c in demo["contacts"]}
    assert kinds == set(CONTACT_KINDS), set(CONTACT_KINDS) - kinds
    scopes = Counter(
        "school"
        if "school" in c
        else "organisation"
        if "organisation" in c
        else "service"
        if "service" in c
        else "portal"
        for c in demo["contacts"]
    )
    assert set(scopes) == {"school", "organisation", "service", "portal"}, scopes
    assert any(
        c["kind"] == "agency_support" and c.get("service") == "agency_eservice" for c in demo["contacts"]
    )


def test_there_is_an_active_an_expired_and_a_future_notice(demo):
    states = set()
    for n in demo["notices"]:
        start = dt.datetime.fromisoformat(n["from"])
        end = dt.datetime.fromisoformat(n["to"]) if n.get("to") else None
        if start > DEMO_NOW:
            states.add("future")
        elif end is not None and end <= DEMO_NOW:
            states.add("expired")
        else:
            states.add("active")
            assert end is None and n.get("service"), n["id"]
    assert states == {"active", "expired", "future"}


def test_the_settings_that_matter_all_occur(demo):
    orgs = {o["id"]: o for o in demo["organisations"]}
    assert {o.get("account_management", "portal") for o in orgs.values()} == {"portal", "external"}
    no_agreement = [o["id"] for o in orgs.values() if not o.get("eservice_agreement")]
    current_admins = {
        r["organisation"] for r in demo["roles"] if r["role"] == "eservice_admin" and not r.get("archived")
    }
    assert any(
        org not in current_admins and orgs[org].get("account_management", "portal") == "portal"
        for org in no_agreement
    ), "no municipality without agreement and administrator"
    schools = demo["schools"]
    assert {s.get("guardian_login", False) for s in schools} == {True, False}
    assert {s.get("bankid_login", False) for s in schools} == {True, False}
    assert any(
        s.get("account_management") == "external"
        and orgs[s["organisation"]].get("account_management", "portal") == "portal"
        for s in schools
    )
    assert any("tenant" in s for s in schools)


def test_only_example_mail_domains_are_used(demo):
    addresses = [e for p in demo["persons"] for e in p.get("emails", [])]
    addresses += [c["email"] for c in demo["contacts"]]
    for address in addresses:
        domain = address.rpartition("@")[2]
        assert domain.endswith(EXAMPLE_DOMAINS), address


def _readme_rows() -> list[list[str]]:
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0].isdigit():
            rows.append(cells)
    return rows


def test_every_identifier_in_the_readme_table_exists_in_the_file(demo):
    rows = _readme_rows()
    assert len(rows) >= 25
    emails = {e.casefold() for p in demo["persons"] for e in p.get("emails", [])}
    numbers = {p["personnummer"] for p in demo["persons"] if "personnummer" in p}
    hsa_ids = {p["hsa_id"].upper() for p in demo["persons"] if "hsa_id" in p}
    usernames = {(a["service"], a["username"].casefold()) for a in demo["accounts"] if "username" in a}
    schools = {s["code"] for s in demo["schools"]} | {o["id"] for o in demo["organisations"]}
    for number, role, service, _symptom, place, identifier, shows, _route in rows:
        assert role in ROLES and service in SERVICES, number
        assert place in schools, number
        ident = identifier.strip("`")
        if "matches nobody" in shows:
            assert ident.casefold() not in emails, number
        elif "@" in ident:
            assert ident.casefold() in emails, (number, ident)
        elif re.fullmatch(r"\d{8}-\d{4}", ident):
            assert normalise_personnummer(ident, DEMO_TODAY) in numbers, (number, ident)
        elif ident.upper().startswith("SE"):
            assert ident.upper() in hsa_ids, (number, ident)
        else:
            assert (service, ident.casefold()) in usernames, (number, ident)


def test_the_example_in_the_operators_guide_is_a_valid_import_file(schema):
    text = (ROOT / "docs" / "import-example.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S)
    assert block, "no JSON example in docs/import-example.md"
    example = json.loads(block.group(1))
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(example))
    assert not errors, [e.message for e in errors]
    for person in example["persons"]:
        if "personnummer" in person:
            normalise_personnummer(person["personnummer"], DEMO_TODAY)
