"""docs/CHECKS.md, "How a check reaches its outcome": rules 2 to 9, each on its own."""

from __future__ import annotations

import datetime as dt

import pytest

from checks import CATALOGUE, applicable
from checks.base import ADVICE, REMEDY
from checks.engine import default_route

from . import factories as f
from .test_checks_outcomes import CASES, expected_route

H = f.healthy
BY_ID = {c.id: c for c in CATALOGUE}

# Rule 3: "Checks about the person rather than the account (...) are evaluated when the identifier
# matches some person, and give skip when it matches nobody."
RULE3_PERSON_CHECKS = {
    "guardian.profile_at_new_unit",
    "guardian.duplicate_profiles",
    "teacher.assessment_registered",
    "teacher.role_at_school",
    "exam_admin.registered",
    "eservice.user_authorised",
    "eservice.single_role",
    "eservice.hsa_id",
}


# == rule 2: external account management ===========================================================
@pytest.mark.parametrize(
    ("org_setting", "school_setting", "external"),
    [
        ("external", None, True),
        ("external", "portal", False),
        ("portal", "external", True),
        ("portal", None, False),
        ("external", "external", True),
    ],
    ids=["org external, school silent", "org external, school portal", "org portal, school external",
         "org portal, school silent", "both external"],
)
def test_rule2_school_setting_overrides_organisation(org_setting: str, school_setting: str | None,
                                                      external: bool) -> None:
    snap = f.with_school(f.with_org(H(), account_management=org_setting), account_management=school_setting)
    diagnosis = f.run(snap)
    found = f.findings_by_id(diagnosis)
    assert found["school.account_management_external"].outcome == ("fail" if external else "pass")
    assert diagnosis.matched is not external
    if external:
        assert found["account.exists"].outcome == "skip"
        assert diagnosis.route_kind == "municipal_it"
        assert diagnosis.self_service is False
    else:
        assert found["account.exists"].outcome == "pass"
        assert diagnosis.self_service is True  # the healthy guardian gets a reset link


EXTERNAL_CASES = [
    ("guardian", "school_platform", "forgot_password"),
    ("guardian", "school_platform", "bankid_failed"),
    ("guardian", "learning_platform", "password_login_failed"),
    ("teacher", "learning_platform", "no_access_to_content"),
    ("mentor", "learning_platform", "forgot_password"),
    ("student", "learning_platform", "password_login_failed"),
]


@pytest.mark.parametrize("subject", ["account", "person without account", "nobody"])
@pytest.mark.parametrize(("role", "service", "symptom"), EXTERNAL_CASES, ids=["/".join(c) for c in EXTERNAL_CASES])
def test_rule2_external_skips_every_private_check(role: str, service: str, symptom: str, subject: str) -> None:
    snap = H(role=role, service=service, symptom=symptom)
    snap = {"account": snap, "person without account": f.without_account(snap), "nobody": f.unmatched(snap)}[subject]
    diagnosis = f.run(f.external(snap))
    private = [x for x in diagnosis.findings if x.visibility == "private"]
    assert private, "the case has private checks"
    assert {x.check: x.outcome for x in private} == {x.check: "skip" for x in private}
    assert all(x.route is None for x in private)
    assert f.findings_by_id(diagnosis)["account.exists"].outcome == "skip"
    assert diagnosis.matched is False
    assert diagnosis.self_service is False
    assert diagnosis.route_kind == "municipal_it"


def test_rule2_school_portal_in_external_organisation_is_looked_into() -> None:
    snap = f.with_school(f.external(H(symptom="password_login_failed")), account_management="portal")
    snap = f.with_account(snap, locked=True)
    diagnosis = f.run(snap)
    found = f.findings_by_id(diagnosis)
    assert found["school.account_management_external"].outcome == "pass"
    assert found["account.exists"].outcome == "pass"
    assert found["account.locked"].outcome == "fail"
    assert diagnosis.matched is True
    assert diagnosis.route_kind == "school_admin"


# == rule 3: no account matched ====================================================================
RULE3_COMBOS = [
    ("guardian", "school_platform", "bankid_failed"),
    ("guardian", "school_platform", "password_login_failed"),
    ("teacher", "assessment_portal", "account_inactive"),
    ("teacher", "learning_platform", "no_access_to_content"),
    ("mentor", "learning_platform", "forgot_password"),
    ("student", "learning_platform", "forgot_password"),
    ("exam_admin", "eservice_permissions", "lost_credentials"),
    ("eservice_user", "agency_eservice", "siths_failed"),
    ("eservice_admin", "agency_eservice", "admin_change"),
]


def _rule3_params() -> list[object]:
    params = []
    for role, service, symptom in RULE3_COMBOS:
        for check in applicable(role, service, symptom):
            if check.visibility != "private":
                continue
            marks: list[object] = []
            params.append(pytest.param(role, service, symptom, check.id, marks=marks,
                                       id=f"{role}/{service}/{symptom}: {check.id}"))
    return params


@pytest.mark.parametrize(("role", "service", "symptom", "check_id"), _rule3_params())
def test_rule3_person_without_account(role: str, service: str, symptom: str, check_id: str) -> None:
    """The identifier matches a person who has no account of the asked kind here."""
    snap = f.without_account(H(role=role, service=service, symptom=symptom))
    outcome = f.outcome_of(snap, check_id)
    if check_id == "account.exists":
        assert outcome == "fail"
    elif check_id in RULE3_PERSON_CHECKS:
        assert outcome in ("pass", "fail"), "a person-level check is evaluated when a person matches"
    else:
        assert outcome == "skip"


@pytest.mark.parametrize(("role", "service", "symptom"), RULE3_COMBOS, ids=["/".join(c) for c in RULE3_COMBOS])
def test_rule3_nobody_matched(role: str, service: str, symptom: str) -> None:
    diagnosis = f.run(f.unmatched(H(role=role, service=service, symptom=symptom)))
    for x in diagnosis.findings:
        if x.visibility != "private":
            continue
        assert x.outcome == ("fail" if x.check == "account.exists" else "skip"), x.check
    assert diagnosis.matched is False
    assert diagnosis.self_service is False
    assert diagnosis.route_kind is not None


@pytest.mark.parametrize(
    ("check_id", "role", "service", "symptom", "change", "expected"),
    [
        ("guardian.profile_at_new_unit", "guardian", "school_platform", "forgot_password",
         "guardian role only at another school of the organisation", "fail"),
        ("guardian.profile_at_new_unit", "guardian", "school_platform", "forgot_password",
         "guardian role at another organisation's school", "pass"),
        ("guardian.duplicate_profiles", "guardian", "school_platform", "forgot_password",
         "a look-alike with the same personnummer", "fail"),
        ("teacher.assessment_registered", "teacher", "assessment_portal", "forgot_password",
         "no assessment-portal account", "fail"),
        ("teacher.role_at_school", "teacher", "learning_platform", "forgot_password",
         "teacher role archived", "fail"),
        ("exam_admin.registered", "exam_admin", "eservice_permissions", "forgot_password",
         "no permission-system account", "fail"),
        ("eservice.user_authorised", "eservice_user", "agency_eservice", "siths_failed",
         "user role archived", "fail"),
        ("eservice.single_role", "eservice_user", "agency_eservice", "siths_failed",
         "both roles", "fail"),
        ("eservice.hsa_id", "eservice_admin", "agency_eservice", "siths_failed", "no HSA-id", "fail"),
        ("eservice.hsa_id", "eservice_admin", "agency_eservice", "siths_failed", "HSA-id on record", "pass"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_rule3_person_level_checks_are_evaluated_without_account(
    check_id: str, role: str, service: str, symptom: str, change: str, expected: str
) -> None:
    snap = f.without_account(H(role=role, service=service, symptom=symptom))
    if change == "guardian role only at another school of the organisation":
        snap = f.with_roles(snap, f.role("guardian", school=f.OTHER_SCHOOL))
    elif change == "guardian role at another organisation's school":
        snap = f.with_roles(snap, f.role("guardian", school=f.OTHER_SCHOOL, organisation=f.OTHER_ORG_ID))
    elif change == "a look-alike with the same personnummer":
        snap = f.with_subject(snap, look_alikes=(f.person(id="p-2", emails=()),))
    elif change in ("teacher role archived", "user role archived"):
        snap = f.with_asked_role(snap, archived=True)
    elif change == "both roles":
        snap = f.with_roles(snap, f.role("eservice_user", school=None), f.role("eservice_admin", school=None))
    elif change == "no HSA-id":
        snap = f.with_person(snap, hsa_id=None)
    assert f.outcome_of(snap, "account.exists") == "fail"
    assert f.outcome_of(snap, check_id) == expected


# == rule 4: children ===============================================================================
def _adult_access(snap: f.Snapshot) -> str:
    return f.outcome_of(snap, "guardian.adult_student_access")


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2008, 3, 10), "fail"),  # 18 today, TODAY = 2026-03-10
        (dt.date(2008, 3, 11), "pass"),  # 18 tomorrow
        (dt.date(2008, 3, 9), "fail"),
        (dt.date(1990, 1, 1), "fail"),
        (dt.date(2016, 5, 4), "pass"),
    ],
    ids=["18th birthday today", "18th birthday tomorrow", "18 since yesterday", "long adult", "age 9"],
)
@pytest.mark.parametrize("source", ["birth_date", "personnummer", "samordningsnummer"])
def test_rule4_adult_from_18th_birthday(born: dt.date, expected: str, source: str) -> None:
    """Setting Automatic: an adult child gives fail, a child under 18 passes."""
    snap = H()
    if source == "birth_date":
        snap = f.with_child_person(snap, birth_date=born)
    else:
        snap = f.with_child_person(snap, birth_date=None,
                                   personnummer=f.pnr(born, coordination=source == "samordningsnummer"))
    assert _adult_access(snap) == expected


def test_rule4_birth_date_wins_over_personnummer() -> None:
    snap = f.with_child_person(H(), birth_date=dt.date(2016, 5, 4), personnummer=f.pnr("2000-01-01"))
    assert _adult_access(snap) == "pass"
    snap = f.with_child_person(H(), birth_date=dt.date(2000, 1, 1), personnummer=f.pnr("2016-05-04"))
    assert _adult_access(snap) == "fail"


@pytest.mark.parametrize(("setting", "expected"), [("automatic", "fail"), ("enabled", "pass"), ("disabled", "fail")])
def test_rule4_adult_child_passes_only_with_enabled(setting: str, expected: str) -> None:
    snap = f.with_placement(f.with_child_person(H(), birth_date=dt.date(2000, 1, 1)), adult_guardian_access=setting)
    assert _adult_access(snap) == expected


@pytest.mark.parametrize("setting", ["automatic", "enabled", "disabled"])
def test_rule4_child_under_18_passes_whatever_the_setting(setting: str) -> None:
    assert _adult_access(f.with_placement(H(), adult_guardian_access=setting)) == "pass"


CHILD_CHECKS = ["guardian.child_active", "guardian.child_end_date", "guardian.child_allows_guardian_login",
                "guardian.adult_student_access"]


def test_rule4_child_placed_elsewhere_only() -> None:
    found = f.outcomes(f.with_placement(H(), school=f.OTHER_SCHOOL))
    assert found["guardian.has_children"] == "pass"
    assert found["guardian.child_at_school"] == "fail"
    assert {c: found[c] for c in CHILD_CHECKS} == dict.fromkeys(CHILD_CHECKS, "skip")


def test_rule4_no_linked_children() -> None:
    found = f.outcomes(f.with_children(H()))
    assert found["guardian.has_children"] == "fail"
    assert found["guardian.child_at_school"] == "skip"
    assert {c: found[c] for c in CHILD_CHECKS} == dict.fromkeys(CHILD_CHECKS, "skip")


SECOND = "c-2"


def _two_children(first: dict[str, object], second: dict[str, object], *, second_born: dt.date | None = None,
                  second_school: str = f.SCHOOL) -> f.Snapshot:
    kids = (
        f.child(placements=(f.placement(**first),)),  # type: ignore[arg-type]
        f.child(id=SECOND, name="Olle Andersson", birth_date=second_born or dt.date(2012, 1, 1),
                placements=(f.placement(student_id=SECOND, school=second_school, **second),)),  # type: ignore[arg-type]
    )
    return f.with_children(H(), *kids)


@pytest.mark.parametrize(
    ("check_id", "failing", "passing"),
    [
        ("guardian.child_active", {"status": "inactive"}, {}),
        ("guardian.child_end_date", {"end": f.TODAY - dt.timedelta(days=30)}, {}),
        ("guardian.child_allows_guardian_login", {"guardians_may_log_in": False}, {}),
    ],
    ids=["active", "end date", "allows guardian login"],
)
def test_rule4_several_children_one_passes(check_id: str, failing: dict[str, object],
                                           passing: dict[str, object]) -> None:
    assert f.outcome_of(_two_children(failing, passing), check_id) == "pass"
    assert f.outcome_of(_two_children(failing, failing), check_id) == "fail"
    # a passing child elsewhere does not count: only children placed at this school are looked at
    assert f.outcome_of(_two_children(failing, passing, second_school=f.OTHER_SCHOOL), check_id) == "fail"


def test_rule4_several_children_one_minor_passes_adult_access() -> None:
    adult = f.child(birth_date=dt.date(2000, 1, 1))
    minor = f.child(id=SECOND, birth_date=dt.date(2014, 1, 1), placements=(f.placement(student_id=SECOND),))
    assert _adult_access(f.with_children(H(), adult, minor)) == "pass"
    assert _adult_access(f.with_children(H(), adult)) == "fail"


# == rule 5: dates ==================================================================================
@pytest.mark.parametrize(
    ("today", "activated_at", "expected"),
    [
        (dt.date(2026, 10, 1), dt.date(2026, 8, 1), "pass"),
        (dt.date(2026, 10, 1), dt.date(2026, 7, 31), "fail"),
        (dt.date(2026, 8, 1), dt.date(2026, 8, 1), "pass"),
        (dt.date(2026, 8, 1), dt.date(2026, 7, 31), "fail"),
        (dt.date(2026, 7, 31), dt.date(2025, 8, 1), "pass"),
        (dt.date(2026, 7, 31), dt.date(2025, 7, 31), "fail"),
        (dt.date(2026, 3, 10), dt.date(2025, 8, 1), "pass"),
        (dt.date(2026, 3, 10), dt.date(2025, 7, 31), "fail"),
        (dt.date(2026, 1, 1), dt.date(2025, 12, 31), "pass"),
    ],
    ids=["autumn, 1 Aug", "autumn, 31 Jul", "1 Aug itself", "1 Aug, day before", "31 Jul, last year's 1 Aug",
         "31 Jul, before last year's 1 Aug", "spring, previous 1 Aug", "spring, 31 Jul before", "New Year"],
)
def test_rule5_assessment_access_school_year(today: dt.date, activated_at: dt.date, expected: str) -> None:
    snap = f.with_account(f.with_today(H(role="teacher", service="assessment_portal"), today),
                          activated_at=activated_at)
    assert f.outcome_of(snap, "teacher.assessment_access_current") == expected


def test_rule5_no_activated_at_fails() -> None:
    snap = f.with_account(H(role="teacher", service="assessment_portal"), activated_at=None)
    assert f.outcome_of(snap, "teacher.assessment_access_current") == "fail"


@pytest.mark.parametrize(("days", "expected"), [(-1, "fail"), (0, "pass"), (1, "pass")],
                         ids=["ended yesterday", "ends today", "ends tomorrow"])
def test_rule5_placement_end_today_has_not_passed(days: int, expected: str) -> None:
    snap = f.with_placement(H(), end=f.TODAY + dt.timedelta(days=days))
    assert f.outcome_of(snap, "guardian.child_end_date") == expected


NOW = f.noon(f.TODAY)
SECOND_ = dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "expected"),
    [
        (NOW, None, "advice"),
        (NOW - SECOND_, NOW + SECOND_, "advice"),
        (NOW, NOW + SECOND_, "advice"),
        (NOW - dt.timedelta(days=1), NOW, "pass"),
        (NOW + SECOND_, None, "pass"),
        (NOW - dt.timedelta(days=3), NOW - SECOND_, "pass"),
        (NOW - dt.timedelta(days=400), None, "advice"),
    ],
    ids=["from now, no to", "around now", "from exactly now", "to exactly now is over", "from in a second",
         "ended a second ago", "no to, long ago"],
)
def test_rule5_notice_window(starts_at: dt.datetime, ends_at: dt.datetime | None, expected: str) -> None:
    snap = f.with_notices(H(), f.notice(starts_at=starts_at, ends_at=ends_at))
    assert f.outcome_of(snap, "notice.active_disruption") == expected


def test_rule5_notice_window_across_time_zones() -> None:
    """`now` is aware; a notice in UTC ending at the same instant is over."""
    utc_now = NOW.astimezone(dt.UTC)
    snap = f.with_notices(H(), f.notice(starts_at=utc_now - dt.timedelta(hours=1), ends_at=utc_now))
    assert f.outcome_of(snap, "notice.active_disruption") == "pass"


# == rule 6: tenant and licence =====================================================================
@pytest.mark.parametrize(
    ("school_tenant", "org_tenant", "person_tenant", "expected"),
    [
        ("skola.onmicrosoft.com", "kommun.onmicrosoft.com", "skola.onmicrosoft.com", "pass"),
        ("skola.onmicrosoft.com", "kommun.onmicrosoft.com", "kommun.onmicrosoft.com", "fail"),
        (None, "kommun.onmicrosoft.com", "kommun.onmicrosoft.com", "pass"),
        (None, "kommun.onmicrosoft.com", "skola.onmicrosoft.com", "fail"),
        (None, None, "kommun.onmicrosoft.com", "skip"),
        (None, None, None, "skip"),
        ("skola.onmicrosoft.com", None, None, "fail"),
        (None, "kommun.onmicrosoft.com", None, "fail"),
    ],
    ids=["school's own, match", "school's own overrides organisation's", "organisation's, match",
         "organisation's, other", "none anywhere", "none anywhere, person none", "person has none",
         "person has none, organisation's"],
)
@pytest.mark.parametrize("role", ["teacher", "mentor", "student"])
def test_rule6_tenant(role: str, school_tenant: str | None, org_tenant: str | None, person_tenant: str | None,
                      expected: str) -> None:
    snap = f.with_school(f.with_org(H(role=role), tenant=org_tenant), tenant=school_tenant)
    snap = f.with_person(snap, tenant=person_tenant)
    assert f.outcome_of(snap, "teacher.same_tenant") == expected


@pytest.mark.parametrize(
    ("role", "licence", "expected"),
    [
        ("teacher", "teacher", "pass"), ("teacher", "student", "fail"), ("teacher", None, "fail"),
        ("mentor", "teacher", "pass"), ("mentor", "student", "fail"), ("mentor", None, "fail"),
        ("student", "student", "pass"), ("student", "teacher", "fail"), ("student", None, "fail"),
    ],
)
def test_rule6_licence_by_role(role: str, licence: str | None, expected: str) -> None:
    snap = f.with_asked_role(H(role=role), licence=licence)
    assert f.outcome_of(snap, "teacher.license") == expected


def test_rule6_archived_role_licence_is_still_read() -> None:
    snap = f.with_asked_role(H(role="teacher"), archived=True)
    found = f.outcomes(snap)
    assert found["teacher.license"] == "pass"
    assert found["teacher.role_at_school"] == "fail"
    assert f.outcome_of(f.with_asked_role(snap, licence=None), "teacher.license") == "fail"


@pytest.mark.parametrize(("archived_licence", "current_licence", "expected"),
                         [("teacher", None, "fail"), (None, "teacher", "pass")],
                         ids=["current role has none", "current role has it"])
def test_rule9_several_roles_non_archived_read_first(archived_licence: str | None, current_licence: str | None,
                                                      expected: str) -> None:
    snap = f.with_roles(
        H(role="teacher"),
        f.role("teacher", archived=True, licence=archived_licence, subjects=(f.SUBJECT_CODE,)),
        f.role("teacher", archived=False, licence=current_licence, subjects=(f.SUBJECT_CODE,)),
    )
    found = f.outcomes(snap)
    assert found["teacher.license"] == expected
    assert found["account.role_archived"] == "pass"
    assert found["teacher.role_at_school"] == "pass"


def test_rule6_licence_role_at_another_school_does_not_count() -> None:
    snap = f.with_roles(H(role="teacher"), f.role("teacher", school=f.OTHER_SCHOOL, licence="teacher"))
    assert f.outcome_of(snap, "teacher.license") == "fail"


# == rule 7: the reset link =========================================================================
RESET = "account.password_reset"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("healthy", "pass"),
        ("account inactive", "skip"),
        ("account locked", "skip"),
        ("login portal other only", "skip"),
        ("login portals local and other", "pass"),
        ("no e-mail address", "skip"),
        ("no account", "skip"),
        ("nobody matched", "skip"),
        ("guardian login disabled at the school", "skip"),
        ("guardian not invited", "skip"),
        ("child's placement ended", "skip"),
        ("must change password (advice)", "pass"),
        ("active disruption notice (advice)", "pass"),
        ("typed the second address (advice)", "pass"),
        ("external accounts", "skip"),
    ],
)
def test_rule7_reset_link(change: str, expected: str) -> None:
    snap = H(symptom="password_login_failed")
    if change == "account inactive":
        snap = f.with_account(snap, status="inactive")
    elif change == "account locked":
        snap = f.with_account(snap, locked=True)
    elif change == "login portal other only":
        snap = f.with_account(snap, login_portals=("other",))
    elif change == "login portals local and other":
        snap = f.with_account(snap, login_portals=("other", "local"))
    elif change == "no e-mail address":
        snap = f.with_identifier(f.with_person(snap, emails=()), f.pnr_identifier())
    elif change == "no account":
        snap = f.without_account(snap)
    elif change == "nobody matched":
        snap = f.unmatched(snap)
    elif change == "guardian login disabled at the school":
        snap = f.with_school(snap, guardian_login=False)
    elif change == "guardian not invited":
        snap = f.with_account(snap, invited=False)
    elif change == "child's placement ended":
        snap = f.with_placement(snap, end=f.TODAY - dt.timedelta(days=1))
    elif change == "must change password (advice)":
        snap = f.with_account(snap, must_change_password=True)
    elif change == "active disruption notice (advice)":
        snap = f.with_notices(snap, f.notice())
    elif change == "typed the second address (advice)":
        snap = f.with_identifier(f.with_person(snap, emails=(f.SECOND_EMAIL, f.EMAIL)), f.email_identifier())
    elif change == "external accounts":
        snap = f.external(snap)
    diagnosis = f.run(snap)
    found = f.findings_by_id(diagnosis)
    assert found[RESET].outcome == expected
    assert found[RESET].route is None
    assert diagnosis.self_service is (expected == "pass")
    if expected == "pass":
        assert diagnosis.route_kind is None
        assert not [x for x in diagnosis.findings if x.outcome == "fail"]
    else:
        assert diagnosis.route_kind is not None


@pytest.mark.parametrize("role", ["guardian", "teacher", "student", "mentor"])
@pytest.mark.parametrize("symptom", ["forgot_password", "password_login_failed"])
def test_rule7_reset_for_every_resettable_role(role: str, symptom: str) -> None:
    for service in ("school_platform", "learning_platform"):
        diagnosis = f.run(H(role=role, service=service, symptom=symptom))
        assert f.findings_by_id(diagnosis)[RESET].outcome == "pass", service
        assert diagnosis.self_service is True
        assert diagnosis.route_kind is None


# == rule 8: finding routes =========================================================================
@pytest.mark.parametrize(
    ("role", "service", "expected"),
    [
        ("guardian", "school_platform", "school_admin"),
        ("student", "learning_platform", "school_admin"),
        ("mentor", "learning_platform", "school_admin"),
        ("teacher", "assessment_portal", "exam_admin"),
        ("teacher", "learning_platform", "school_admin"),
        ("teacher", "school_platform", "school_admin"),
        ("exam_admin", "eservice_permissions", "rector"),
        ("eservice_user", "agency_eservice", "eservice_admin"),
        ("eservice_admin", "agency_eservice", "agency_support"),
    ],
)
def test_rule8_role_default_rows_resolve_the_route(role: str, service: str, expected: str) -> None:
    snap = f.with_account(H(role=role, service=service, symptom="new_rector"), status="inactive")
    diagnosis = f.run(snap)
    finding = f.findings_by_id(diagnosis)["account.active"]
    assert (finding.outcome, finding.route) == ("fail", expected)
    assert diagnosis.route_kind == expected


def test_rule8_advice_and_non_fail_findings_have_no_route() -> None:
    snap = f.with_notices(f.with_account(H(symptom="password_login_failed"), must_change_password=True), f.notice())
    for x in f.run(snap).findings:
        assert x.route is None, x
    snap = H(role="exam_admin", symptom="cannot_delete_account")
    found = f.findings_by_id(f.run(snap))
    assert found["advice.only_rector_deletes"].route == "rector"
    assert all(x.route is None for x in found.values() if x.outcome != "fail")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule8_every_finding_of_every_case(case: object) -> None:
    snap = case.snapshot  # type: ignore[attr-defined]
    q = snap.question
    diagnosis = f.run(snap)
    for x in diagnosis.findings:
        check = BY_ID[x.check]
        assert x.route == expected_route(check, x.outcome, q.role, q.service), x
        if check.on_fail in (ADVICE, REMEDY):
            assert x.outcome != "fail" or check.on_fail != ADVICE, "an advice row never fails"
    assert (diagnosis.route_kind is None) is diagnosis.self_service
    assert [x.check for x in diagnosis.findings] == [c.id for c in applicable(q.role, q.service, q.symptom)]


# == rule 9: particular rows ========================================================================
EA = {"role": "exam_admin", "service": "eservice_permissions"}


@pytest.mark.parametrize(
    ("symptom", "change", "expected"),
    [
        ("lost_credentials", "matched", "fail"),
        ("forgot_password", "matched", "fail"),
        ("forgot_password", "person without account", "skip"),
        ("lost_credentials", "nobody", "skip"),
    ],
)
def test_rule9_credentials_from_rector(symptom: str, change: str, expected: str) -> None:
    snap = H(**EA, symptom=symptom)
    snap = {"matched": snap, "person without account": f.without_account(snap), "nobody": f.unmatched(snap)}[change]
    diagnosis = f.run(snap)
    assert f.findings_by_id(diagnosis)["exam_admin.credentials_from_rector"].outcome == expected
    assert diagnosis.route_kind == "rector"
    assert diagnosis.self_service is False


@pytest.mark.parametrize(
    ("personnummer", "marker", "expected"),
    [("set", True, "fail"), (None, True, "fail"), ("set", False, "pass"), (None, False, "pass")],
    ids=["marker with personnummer", "marker without personnummer", "no marker", "no marker, no personnummer"],
)
def test_rule9_bankid_temporary_personnummer_looks_at_the_marker_alone(personnummer: str | None, marker: bool,
                                                                       expected: str) -> None:
    snap = f.with_person(H(symptom="bankid_failed"), temporary_personnummer=marker,
                         personnummer=f.pnr("1985-04-12") if personnummer else None)
    assert f.outcome_of(snap, "guardian.bankid_temporary_personnummer") == expected


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([{"archived": False}], "pass"),
        ([{"archived": True}], "fail"),
        ([{"archived": True}, {"archived": False}], "pass"),
        ([{"archived": False, "school": f.OTHER_SCHOOL}], "fail"),
    ],
    ids=["current", "archived", "archived and current", "current at another school"],
)
def test_rule9_role_at_school_wants_a_current_teacher_role(roles: list[dict[str, object]], expected: str) -> None:
    snap = f.without_account(H(role="teacher"))
    snap = f.with_roles(snap, *(f.role("teacher", licence="teacher", **r) for r in roles))  # type: ignore[arg-type]
    assert f.outcome_of(snap, "teacher.role_at_school") == expected


ME = frozenset({f.PERSON_ID})
OTHER = frozenset({"p-9"})


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([{}], "pass"),
        ([{"course_plan": None}, {"id": "g-2"}], "pass"),
        ([{"course_plan": None}], "fail"),
        ([{"subject": "SV"}], "fail"),
        ([{"subject": None}], "fail"),
        ([{"course_plan": None}, {"id": "g-2", "subject": "SV"}], "fail"),
        ([{"connected": False}], "skip"),
        ([{"school": f.OTHER_SCHOOL}], "skip"),
        ([{"owners": OTHER, "members": ME}], "skip"),
        ([{"kind": "mentor"}], "skip"),
        ([], "skip"),
    ],
    ids=["plan and subject", "one of two groups", "no course plan", "subject not the teacher's", "no subject",
         "neither of two groups", "group not connected", "group at another school", "member, not owner",
         "mentor group only", "no groups"],
)
def test_rule9_course_plan_for_assessments(groups: list[dict[str, object]], expected: str) -> None:
    snap = H(role="teacher", symptom="no_access_to_content")
    snap = f.with_groups(snap, *(f.group(**{"owners": ME, **g}) for g in groups))  # type: ignore[arg-type]
    found = f.outcomes(snap)
    assert found["teacher.course_plan_for_assessments"] == expected
    assert found["teacher.group_owner"] == ("fail" if expected == "skip" else "pass")


def test_rule9_course_plan_subject_comes_from_the_teacher_role_at_this_school() -> None:
    snap = H(role="teacher", symptom="no_access_to_content")
    snap = f.with_roles(snap, f.role("teacher", licence="teacher", subjects=("SV",)),
                        f.role("teacher", school=f.OTHER_SCHOOL, licence="teacher", subjects=(f.SUBJECT_CODE,)))
    assert f.outcome_of(snap, "teacher.course_plan_for_assessments") == "fail"


TAP = {"role": "teacher", "service": "assessment_portal"}
TWIN = "p-2"


def _twin_snapshot(*, twin_pnr: str | None = None, twin_school: str = f.SCHOOL, listed: bool = True) -> f.Snapshot:
    snap = H(**TAP)
    me = snap.subject.person  # type: ignore[union-attr]
    twin = f.person(id=TWIN, name="Anna Andersson", personnummer=twin_pnr or me.personnummer, emails=())
    twin_account = f.account(id="a-2", person_id=TWIN, service="assessment_portal", place=twin_school)
    return f.with_subject(
        snap,
        service_accounts=(*snap.subject.service_accounts, twin_account),  # type: ignore[union-attr]
        look_alikes=(twin,) if listed else (),
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "fail"),
        ({"twin_school": f.OTHER_SCHOOL}, "pass"),
        ({"twin_pnr": f.pnr("1990-02-02")}, "pass"),
    ],
    ids=["shared personnummer, same school", "shared personnummer, other school", "other personnummer"],
)
def test_rule9_duplicate_registration_across_persons(kwargs: dict[str, object], expected: str) -> None:
    outcome = f.outcome_of(_twin_snapshot(**kwargs), "teacher.duplicate_registration")  # type: ignore[arg-type]
    assert outcome == expected


def test_rule9_duplicate_registration_account_at_other_school_of_same_person() -> None:
    snap = H(**TAP)
    other = f.account(id="a-2", service="assessment_portal", place=f.OTHER_SCHOOL)
    snap = f.with_subject(snap, service_accounts=(*snap.subject.service_accounts, other))  # type: ignore[union-attr]
    assert f.outcome_of(snap, "teacher.duplicate_registration") == "pass"


@pytest.mark.parametrize(
    ("user", "admin", "expected"),
    [
        ({}, {}, "fail"),
        ({"archived": True}, {}, "pass"),
        ({}, {"archived": True}, "pass"),
        ({"organisation": f.OTHER_ORG_ID}, {}, "pass"),
        (None, {}, "pass"),
    ],
    ids=["both current", "user role archived", "admin role archived", "user role in another organisation",
         "admin only"],
)
@pytest.mark.parametrize("role", ["eservice_user", "eservice_admin"])
def test_rule9_single_role(role: str, user: dict[str, object] | None, admin: dict[str, object],
                           expected: str) -> None:
    roles = [f.role("eservice_admin", school=None, **admin)]  # type: ignore[arg-type]
    if user is not None:
        roles.append(f.role("eservice_user", school=None, **user))  # type: ignore[arg-type]
    snap = f.with_roles(H(role=role), *roles)
    assert f.outcome_of(snap, "eservice.single_role") == expected


@pytest.mark.parametrize(("appointed", "expected"), [(True, "pass"), (False, "fail")])
def test_rule9_admin_appointed(appointed: bool, expected: str) -> None:
    diagnosis = f.run(f.with_org(H(role="eservice_user"), has_eservice_admin=appointed))
    assert f.findings_by_id(diagnosis)["eservice.admin_appointed"].outcome == expected
    if not appointed:
        assert diagnosis.route_kind == "agency_support"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({}, "advice"),
        ({"service": "school_platform"}, "advice"),
        ({"service": "learning_platform"}, "pass"),
        ({"school": f.SCHOOL}, "advice"),
        ({"school": f.OTHER_SCHOOL}, "pass"),
        ({"organisation": f.ORG_ID}, "advice"),
        ({"organisation": f.OTHER_ORG_ID}, "pass"),
        ({"service": "school_platform", "school": f.SCHOOL, "organisation": f.ORG_ID}, "advice"),
        ({"service": "learning_platform", "school": f.SCHOOL}, "pass"),
        ({"service": "school_platform", "school": f.OTHER_SCHOOL}, "pass"),
        ({"school": f.SCHOOL, "organisation": f.OTHER_ORG_ID}, "pass"),
    ],
    ids=["names none", "this service", "another service", "this school", "another school", "this organisation",
         "another organisation", "service, school and organisation", "this school, another service",
         "this service, another school", "this school, another organisation"],
)
def test_rule9_notice_scope_school(scope: dict[str, str], expected: str) -> None:
    snap = f.with_notices(H(), f.notice(**scope))
    assert f.outcome_of(snap, "notice.active_disruption") == expected


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({}, "advice"),
        ({"service": "agency_eservice"}, "advice"),
        ({"organisation": f.ORG_ID}, "advice"),
        ({"organisation": f.OTHER_ORG_ID}, "pass"),
        ({"school": f.SCHOOL}, "pass"),
        ({"service": "school_platform"}, "pass"),
    ],
    ids=["names none", "this service", "this organisation", "another organisation", "a school",
         "another service"],
)
def test_rule9_notice_scope_agency_eservice(scope: dict[str, str], expected: str) -> None:
    snap = f.with_notices(H(role="eservice_user"), f.notice(**scope))
    assert f.outcome_of(snap, "notice.active_disruption") == expected


def test_rule9_notice_is_public_and_evaluated_for_unmatched_cases() -> None:
    for snap in (f.unmatched(H()), f.external(H()), f.unmatched(H(role="eservice_admin"))):
        finding = f.findings_by_id(f.run(f.with_notices(snap, f.notice())))["notice.active_disruption"]
        assert (finding.outcome, finding.visibility, finding.route) == ("advice", "public", None)


def test_rule9_one_of_several_notices_applies() -> None:
    snap = f.with_notices(H(), f.notice(id="n-1", school=f.OTHER_SCHOOL), f.notice(id="n-2", service="school_platform"))
    assert f.outcome_of(snap, "notice.active_disruption") == "advice"


def test_rule3_duplicate_registration_skips_without_account() -> None:
    snap = f.without_account(H(role="teacher", service="assessment_portal"))
    assert f.outcome_of(snap, "teacher.duplicate_registration") == "skip"


def test_default_route_function_for_every_role_and_service() -> None:
    from checks.vocab import ROLES, SERVICES

    expected = {"guardian": "school_admin", "student": "school_admin", "mentor": "school_admin",
                "exam_admin": "rector", "eservice_user": "eservice_admin", "eservice_admin": "agency_support"}
    for r in ROLES:
        for s in SERVICES:
            want = ("exam_admin" if s == "assessment_portal" else "school_admin") if r == "teacher" else expected[r]
            assert default_route(r, s) == want, (r, s)

