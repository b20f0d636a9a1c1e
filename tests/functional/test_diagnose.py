"""`portal diagnose` as docs/contracts/README.md describes it: what an operator's script sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks import applicable

from .directory_builder import Directory, personnummer

TODAY = "2026-11-23"


@pytest.fixture
def load(runner, tmp_path: Path):
    def _load(directory: Directory) -> None:
        result = runner.invoke(args=["import", str(directory.write(tmp_path / "dir.json"))])
        assert result.exit_code == 0, result.output

    return _load


def diagnose(runner, *, role="guardian", service="school_platform", symptom="forgot_password",
             school="11111111", identifier="g1@exempel.se", today=TODAY, as_json=True):
    args = ["diagnose", "--role", role, "--service", service, "--symptom", symptom, "--school", school,
            "--identifier", identifier]
    if today:
        args += ["--today", today]
    if as_json:
        args.append("--json")
    return runner.invoke(args=args)


def diagnosis(runner, **kwargs) -> dict:
    result = diagnose(runner, **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outcomes(report: dict) -> dict[str, str]:
    return {f["check"]: f["outcome"] for f in report["findings"]}


def healthy_guardian() -> Directory:
    d = Directory()
    d.add_guardian("g1", child="c1")
    d.add_contact(kind="school_admin", name="Expeditionen", email="exp@exempel.se", school="11111111")
    return d


def test_json_has_exactly_the_contract_fields_and_every_applicable_check_in_catalogue_order(runner, load):
    load(healthy_guardian())
    report = diagnosis(runner)
    assert set(report) == {"role", "service", "symptom", "school", "matched", "findings", "route", "self_service"}
    assert (report["role"], report["service"], report["symptom"], report["school"]) == (
        "guardian", "school_platform", "forgot_password", "11111111")
    expected = [c.id for c in applicable("guardian", "school_platform", "forgot_password")]
    assert [f["check"] for f in report["findings"]] == expected
    for finding in report["findings"]:
        assert set(finding) == {"check", "outcome", "visibility", "route"}


def test_a_healthy_guardian_gets_a_reset_link_and_no_route(runner, load):
    load(healthy_guardian())
    report = diagnosis(runner)
    assert report["matched"] is True
    assert report["self_service"] is True
    assert report["route"] is None
    assert outcomes(report)["account.password_reset"] == "pass"


@pytest.mark.parametrize("identifier", ["G1@EXEMPEL.SE", "g1", "G1"])
def test_the_same_guardian_is_found_by_any_case_of_email_or_username(runner, load, identifier):
    load(healthy_guardian())
    assert diagnosis(runner, identifier=identifier)["matched"] is True


def test_a_personnummer_in_any_written_form_finds_the_person(runner, load):
    d = healthy_guardian()
    pnr = personnummer("19800101")
    d.data["persons"][0]["personnummer"] = pnr
    load(d)
    for typed in (pnr, pnr[2:], pnr[2:8] + "-" + pnr[8:], pnr[:8] + "-" + pnr[8:]):
        assert diagnosis(runner, identifier=typed)["matched"] is True, typed


def test_an_unknown_identifier_routes_to_the_school_admin_named_in_the_directory(runner, load):
    load(healthy_guardian())
    report = diagnosis(runner, identifier="nobody@exempel.se")
    assert report["matched"] is False
    assert report["self_service"] is False
    assert report["route"] == {"kind": "school_admin", "name": "Expeditionen", "email": "exp@exempel.se"}
    assert outcomes(report)["account.exists"] == "fail"
    assert outcomes(report)["account.active"] == "skip"


def test_the_first_failing_check_decides_the_route(runner, load):
    d = healthy_guardian()
    d.data["schools"][0]["guardian_login"] = False
    d.data["accounts"][0]["login_portals"] = ["other"]
    load(d)
    report = diagnosis(runner)
    assert outcomes(report)["school.guardian_login_enabled"] == "fail"
    assert outcomes(report)["account.login_portal"] == "fail"
    assert report["route"]["kind"] == "school_admin"
    assert report["self_service"] is False


def test_a_failing_finding_names_its_rows_contact_kind_and_others_name_none(runner, load):
    d = healthy_guardian()
    d.data["accounts"][0]["login_portals"] = ["other"]
    d.data["accounts"][0]["must_change_password"] = True
    load(d)
    report = diagnosis(runner, symptom="password_login_failed")
    routes = {f["check"]: f["route"] for f in report["findings"]}
    assert routes["account.login_portal"] == "municipal_it"
    assert outcomes(report)["account.must_change_password"] == "advice"
    assert routes["account.must_change_password"] is None
    assert routes["advice.autofill_old_password"] is None
    assert report["route"]["kind"] == "municipal_it"
    assert report["route"]["name"] is None  # no municipal IT contact in this directory


def test_external_account_management_skips_every_private_check(runner, load):
    d = healthy_guardian()
    d.data["organisations"][0]["account_management"] = "external"
    load(d)
    report = diagnosis(runner)
    assert report["matched"] is False
    assert report["route"]["kind"] == "municipal_it"
    private = [f for f in report["findings"] if f["visibility"] == "private"]
    assert private and all(f["outcome"] == "skip" for f in private)


def test_a_schools_own_setting_overrides_its_organisation(runner, load):
    d = healthy_guardian()
    d.data["organisations"][0]["account_management"] = "external"
    d.data["schools"][0]["account_management"] = "portal"
    load(d)
    assert diagnosis(runner)["matched"] is True


def test_today_fixes_the_school_year_for_assessment_access(runner, load):
    d = Directory()
    d.add_person(id="t1")
    d.add_role(person="t1", role="teacher")
    d.add_account(id="ap-t1", person="t1", service="assessment_portal", school="11111111",
                  activated_at="2026-08-01")
    load(d)
    kwargs = {"role": "teacher", "service": "assessment_portal", "symptom": "account_inactive",
              "identifier": "t1@exempel.se"}
    assert outcomes(diagnosis(runner, today="2027-07-31", **kwargs))["teacher.assessment_access_current"] == "pass"
    report = diagnosis(runner, today="2027-08-01", **kwargs)
    assert outcomes(report)["teacher.assessment_access_current"] == "fail"
    assert report["route"]["kind"] == "exam_admin"


def test_a_notice_is_active_at_noon_stockholm_on_the_given_day(runner, load):
    d = healthy_guardian()
    d.add_notice(id="n1", text="Störning", service="school_platform",
                 **{"from": "2026-11-23T10:00:00+01:00", "to": "2026-11-23T13:00:00+01:00"})
    load(d)
    assert outcomes(diagnosis(runner, today="2026-11-23"))["notice.active_disruption"] == "advice"
    assert outcomes(diagnosis(runner, today="2026-11-24"))["notice.active_disruption"] == "pass"


def test_agency_eservice_takes_an_organisation_as_its_place(runner, load):
    d = Directory()
    d.add_person(id="u1", hsa_id="SE2321000016-A1B2")
    d.add_role(person="u1", role="eservice_user", organisation="kommun")
    d.add_account(id="ae-u1", person="u1", service="agency_eservice", organisation="kommun")
    d.add_person(id="adm")
    d.add_role(person="adm", role="eservice_admin", organisation="kommun")
    d.add_contact(kind="eservice_admin", name="E-tjänstadmin", email="admin@exempel.se", organisation="kommun")
    load(d)
    report = diagnosis(runner, role="eservice_user", service="agency_eservice", symptom="siths_failed",
                       school="kommun", identifier="se2321000016-a1b2")
    assert report["matched"] is True
    assert report["school"] == "kommun"
    assert outcomes(report)["eservice.admin_appointed"] == "pass"
    assert report["route"] == {"kind": "eservice_admin", "name": "E-tjänstadmin", "email": "admin@exempel.se"}


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("role", "rektor", "guardian, teacher"),
        ("service", "skolplattformen", "school_platform"),
        ("symptom", "trasig", "forgot_password"),
    ],
)
def test_an_unknown_vocabulary_value_is_refused_with_the_allowed_values(runner, load, option, value, expected):
    load(healthy_guardian())
    result = diagnose(runner, **{option: value})
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_an_unknown_school_is_refused(runner, load):
    load(healthy_guardian())
    result = diagnose(runner, school="99999999")
    assert result.exit_code == 1
    assert "det finns ingen skola med skolenhetskoden '99999999' i katalogen" in result.stderr


@pytest.mark.parametrize("identifier", ["19800101-1235", "800230-1234", "", " ", "a\x00b", "x" * 10_000])
def test_an_impossible_identifier_is_refused_without_a_traceback(runner, load, identifier):
    load(healthy_guardian())
    result = diagnose(runner, identifier=identifier)
    assert result.exit_code == 1
    assert result.stderr.startswith("Fel:")
    assert "Traceback" not in result.stderr


def test_without_json_a_swedish_table_is_printed(runner, load):
    load(healthy_guardian())
    result = diagnose(runner, as_json=False, identifier="nobody@exempel.se")
    assert result.exit_code == 0
    assert "Det finns ett konto (account.exists)" in result.stdout
    assert "FEL" in result.stdout
    assert "Ärendet går till skoladministratör: Expeditionen <exp@exempel.se>" in result.stdout


def test_missing_options_are_a_usage_error(runner):
    result = runner.invoke(args=["diagnose", "--role", "guardian"])
    assert result.exit_code == 2


def test_a_ten_megabyte_identifier_is_refused_by_the_diagnosis_itself(app, load):
    from portal.diagnosis import QuestionRefused, run

    load(healthy_guardian())
    with app.app_context(), pytest.raises(QuestionRefused, match="för lång"):
        run("guardian", "school_platform", "forgot_password", "11111111", "a" * 10_000_000)


def test_the_fallback_contact_takes_a_route_no_directory_contact_covers(app, runner, load):
    load(healthy_guardian())
    app.config["PORTAL_FALLBACK_CONTACT"] = "IT-support <it@exempel.se>"
    report = diagnosis(runner, symptom="bankid_failed", identifier="nobody@exempel.se", role="teacher")
    assert report["route"] == {"kind": "school_admin", "name": "Expeditionen", "email": "exp@exempel.se"}
    report = diagnosis(runner, role="teacher", service="assessment_portal", symptom="account_inactive",
                       identifier="nobody@exempel.se")
    assert report["route"] == {"kind": "exam_admin", "name": "IT-support", "email": "it@exempel.se"}
