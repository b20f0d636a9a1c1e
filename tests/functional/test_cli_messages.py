"""Every refusal of the `portal` command in Swedish, precise and listing what is allowed (issue 16, a new
user's first hour): a role and service that do not fit, a symptom the catalogue has not for them, an
unknown school, a bad date, and click's own usage errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.vocab import ROLES, SERVICES, SYMPTOMS

from .test_diagnose import diagnose, healthy_guardian


@pytest.fixture
def load(runner, tmp_path: Path):
    def _load(directory) -> None:
        assert runner.invoke(args=["import", str(directory.write(tmp_path / "dir.json"))]).exit_code == 0

    return _load


ENGLISH = ("Error:", "Usage:", "Missing", "No such", "Invalid value", "no such", "Try '")


def assert_swedish(result, exit_code: int) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("Fel: "), result.stderr
    for word in ENGLISH:
        assert word not in result.stderr, result.stderr
    assert "Traceback" not in result.output
    return result.stderr


def test_a_role_and_service_that_do_not_fit_are_refused_listing_the_roles_services(runner, load):
    load(healthy_guardian())
    message = assert_swedish(diagnose(runner, service="agency_eservice", symptom="siths_failed"), 1)
    assert "rollen guardian frågar inte om tjänsten agency_eservice. Tjänster för guardian: school_platform, " \
           "learning_platform" in message


def test_guardian_with_siths_failed_is_refused_listing_the_symptoms_that_fit(runner, load):
    load(healthy_guardian())
    message = assert_swedish(diagnose(runner, symptom="siths_failed"), 1)
    assert "symptomet siths_failed finns inte för rollen guardian i tjänsten school_platform" in message
    assert "Tillåtna symptom där: forgot_password, password_login_failed" in message
    assert "siths_failed," not in message.split("där:")[1]


def test_an_unknown_school_is_named_in_swedish_only(runner, load):
    load(healthy_guardian())
    message = assert_swedish(diagnose(runner, school="99999999"), 1)
    assert "det finns ingen skola med skolenhetskoden '99999999' i katalogen" in message


def test_an_unknown_organisation_says_what_school_means_for_that_service(runner, load):
    load(healthy_guardian())
    message = assert_swedish(diagnose(runner, role="eservice_user", service="agency_eservice", symptom="siths_failed",
                                      school="ingen"), 1)
    assert "det finns ingen huvudman med id 'ingen' i katalogen" in message


def test_a_date_that_is_not_a_date_is_refused_in_swedish(runner, load):
    load(healthy_guardian())
    result = runner.invoke(args=["diagnose", "--role", "guardian", "--service", "school_platform", "--symptom",
                                 "forgot_password", "--school", "11111111", "--identifier", "x", "--today", "igår"])
    assert "--today ska vara ett datum som 2026-11-23 (ÅÅÅÅ-MM-DD), inte 'igår'" in assert_swedish(result, 1)


@pytest.mark.parametrize(("args", "expected"), [
    (["diagnose", "--role", "guardian"], "--service saknas."),
    (["diagnose", "--bogus"], "det finns inget alternativ --bogus."),
    (["inget-kommando"], "det finns inget sådant kommando: inget-kommando."),
    (["import"], "argumentet FILE saknas."),
    (["worker", "--interval", "ofta"], "ogiltigt värde för --interval: ska vara ett tal."),
    (["diagnose", "--role"], "--role behöver ett värde."),
])
def test_wrong_usage_is_explained_in_swedish_with_exit_2(runner, args, expected):
    assert expected in assert_swedish(runner.invoke(args=args), 2)


def test_diagnose_help_lists_every_allowed_value(runner):
    result = runner.invoke(args=["diagnose", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for value in (*ROLES, *SERVICES, *SYMPTOMS):
        assert value in text
