"""Every row of the catalogue reaches each outcome the contract allows it (docs/CHECKS.md).

One table: each case names the check, the one change made to a healthy snapshot, and the outcome
that check must give. A meta-test then demands, for every check in `checks.CATALOGUE`, the
outcomes its kind of row can reach, so a new check without cases fails the suite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from checks import CATALOGUE
from checks.base import ADVICE, DEFAULT, REMEDY, Check
from checks.engine import default_route
from checks.snapshot import Snapshot
from checks.vocab import SYMPTOMS

from . import factories as f

H = f.healthy
YESTERDAY = f.TODAY - dt.timedelta(days=1)


@dataclass(frozen=True)
class Case:
    check: str
    outcome: str
    change: str
    snapshot: Snapshot

    @property
    def id(self) -> str:
        return f"{self.check} -> {self.outcome} ({self.change})"


def reachable(check: Check) -> set[str]:
    """The outcomes the contract lets this row reach ("How a check reaches its outcome")."""
    if check.id == "exam_admin.credentials_from_rector":  # rule 9: fail when matched, else skip
        return {"fail", "skip"}
    if check.id.startswith("advice."):  # rule 1: rows with no data behind them
        return {"advice"} if check.on_fail == ADVICE else {"fail"}
    if check.on_fail == ADVICE:  # rule 1: advice rows that look at data
        return {"advice", "pass"} | ({"skip"} if check.visibility == "private" else set())
    if check.on_fail == REMEDY:  # rule 7: a reset link is sent, or not
        return {"pass", "skip"}
    if check.visibility == "public":  # settings of the school, organisation or service
        return {"pass", "fail"}
    return {"pass", "fail", "skip"}


def expected_route(check: Check, outcome: str, role: str, service: str) -> str | None:
    """Rule 8: the kind the row names for a fail (role default resolved), else null."""
    if outcome != "fail" or check.on_fail in (ADVICE, REMEDY):
        return None
    return default_route(role, service) if check.on_fail == DEFAULT else check.on_fail


# -- the table ----------------------------------------------------------------------------------
G = {"role": "guardian", "service": "school_platform"}
GB = {**G, "symptom": "bankid_failed"}
GP = {**G, "symptom": "password_login_failed"}
TAP = {"role": "teacher", "service": "assessment_portal"}
TLP = {"role": "teacher", "service": "learning_platform"}
TLPC = {**TLP, "symptom": "no_access_to_content"}
EA = {"role": "exam_admin", "service": "eservice_permissions"}
EU = {"role": "eservice_user", "service": "agency_eservice"}
EAD = {"role": "eservice_admin", "service": "agency_eservice"}

ADULT = dt.date(2008, 1, 2)  # 18 on TODAY (2026-03-10)

CASES: list[Case] = [
    # -- the school and its organisation --
    Case("notice.active_disruption", "pass", "no notice", H(**G)),
    Case("notice.active_disruption", "advice", "an active notice", f.with_notices(H(**G), f.notice())),
    Case("notice.active_disruption", "advice", "active notice, nobody matched",
         f.with_notices(f.unmatched(H(**EU)), f.notice())),
    Case("school.account_management_external", "pass", "portal-managed", H(**G)),
    Case("school.account_management_external", "fail", "school external",
         f.with_school(H(**G), account_management="external")),
    Case("school.account_management_external", "fail", "organisation external, learning platform",
         f.external(H(**TLP))),
    Case("school.guardian_login_enabled", "pass", "setting on", H(**G)),
    Case("school.guardian_login_enabled", "fail", "setting off", f.with_school(H(**G), guardian_login=False)),
    Case("school.bankid_login_enabled", "pass", "BankID on", H(**GB)),
    Case("school.bankid_login_enabled", "fail", "BankID off", f.with_school(H(**GB), bankid_login=False)),
    Case("school.bankid_login_enabled", "fail", "teacher wants BankID, off",
         f.with_school(H(role="teacher", service="school_platform", symptom="wants_bankid"), bankid_login=False)),
    Case("eservice.agreement", "pass", "agreement signed", H(**EU)),
    Case("eservice.agreement", "fail", "no agreement", f.with_org(H(**EU), eservice_agreement=False)),
    Case("eservice.admin_appointed", "pass", "an administrator", H(**EAD)),
    Case("eservice.admin_appointed", "fail", "no administrator", f.with_org(H(**EU), has_eservice_admin=False)),
    # -- every account --
    Case("account.exists", "pass", "account matched", H(**G)),
    Case("account.exists", "fail", "person without account", f.without_account(H(**G))),
    Case("account.exists", "fail", "nobody matched", f.unmatched(H(**TAP))),
    Case("account.exists", "skip", "external accounts", f.external(H(**G))),
    Case("account.active", "pass", "status active", H(**G)),
    Case("account.active", "fail", "status inactive", f.with_account(H(**G), status="inactive")),
    Case("account.active", "skip", "no account", f.without_account(H(**G))),
    Case("account.locked", "pass", "not locked", H(**G)),
    Case("account.locked", "fail", "locked", f.with_account(H(**G), locked=True)),
    Case("account.locked", "skip", "nobody matched", f.unmatched(H(**G))),
    Case("account.role_archived", "pass", "role current", H(**TLP)),
    Case("account.role_archived", "fail", "only role archived", f.with_asked_role(H(**TLP), archived=True)),
    Case("account.role_archived", "skip", "no account", f.without_account(H(**TLP))),
    Case("account.login_portal", "pass", "local login", H(**G)),
    Case("account.login_portal", "fail", "other system only", f.with_account(H(**G), login_portals=("other",))),
    Case("account.login_portal", "skip", "no account", f.without_account(H(**GP))),
    Case("account.must_change_password", "pass", "flag clear", H(**GP)),
    Case("account.must_change_password", "advice", "flag set", f.with_account(H(**GP), must_change_password=True)),
    Case("account.must_change_password", "skip", "no account", f.without_account(H(**GP))),
    Case("account.email_registered", "pass", "one address", H(**G)),
    Case("account.email_registered", "fail", "no address",
         f.with_identifier(f.with_person(H(**G), emails=()), f.pnr_identifier())),
    Case("account.email_registered", "skip", "no account", f.without_account(H(**G))),
    Case("account.password_reset", "pass", "healthy account, forgot password", H(**G)),
    Case("account.password_reset", "pass", "healthy student, password login failed",
         H(role="student", symptom="password_login_failed")),
    Case("account.password_reset", "skip", "account locked", f.with_account(H(**G), locked=True)),
    Case("account.password_reset", "skip", "no account", f.without_account(H(**G))),
    # -- guardians --
    Case("guardian.invited", "pass", "invited", H(**G)),
    Case("guardian.invited", "fail", "not invited", f.with_account(H(**G), invited=False)),
    Case("guardian.invited", "skip", "no account", f.without_account(H(**G))),
    Case("guardian.login_allowed", "pass", "allowed", H(**G)),
    Case("guardian.login_allowed", "fail", "not allowed", f.with_account(H(**G), login_allowed=False)),
    Case("guardian.login_allowed", "skip", "no account", f.without_account(H(**G))),
    Case("guardian.has_children", "pass", "one child", H(**G)),
    Case("guardian.has_children", "fail", "no children", f.with_children(H(**G))),
    Case("guardian.has_children", "skip", "no account", f.without_account(H(**G))),
    Case("guardian.child_at_school", "pass", "child here", H(**G)),
    Case("guardian.child_at_school", "fail", "child placed elsewhere only",
         f.with_placement(H(**G), school=f.OTHER_SCHOOL)),
    Case("guardian.child_at_school", "skip", "no children", f.with_children(H(**G))),
    Case("guardian.child_active", "pass", "placement active", H(**G)),
    Case("guardian.child_active", "fail", "placement inactive", f.with_placement(H(**G), status="inactive")),
    Case("guardian.child_active", "skip", "child elsewhere only", f.with_placement(H(**G), school=f.OTHER_SCHOOL)),
    Case("guardian.child_end_date", "pass", "no end", H(**G)),
    Case("guardian.child_end_date", "fail", "ended yesterday", f.with_placement(H(**G), end=YESTERDAY)),
    Case("guardian.child_end_date", "skip", "no children", f.with_children(H(**G))),
    Case("guardian.child_allows_guardian_login", "pass", "allowed", H(**G)),
    Case("guardian.child_allows_guardian_login", "fail", "not allowed",
         f.with_placement(H(**G), guardians_may_log_in=False)),
    Case("guardian.child_allows_guardian_login", "skip", "child elsewhere only",
         f.with_placement(H(**G), school=f.OTHER_SCHOOL)),
    Case("guardian.adult_student_access", "pass", "child under 18", H(**G)),
    Case("guardian.adult_student_access", "pass", "adult child, Enabled",
         f.with_placement(f.with_child_person(H(**G), birth_date=ADULT), adult_guardian_access="enabled")),
    Case("guardian.adult_student_access", "fail", "adult child, Automatic",
         f.with_child_person(H(**G), birth_date=ADULT)),
    Case("guardian.adult_student_access", "fail", "adult child, Disabled",
         f.with_placement(f.with_child_person(H(**G), birth_date=ADULT), adult_guardian_access="disabled")),
    Case("guardian.adult_student_access", "skip", "child elsewhere only",
         f.with_placement(H(**G), school=f.OTHER_SCHOOL)),
    Case("guardian.bankid_personnummer", "pass", "personnummer on record", H(**GB)),
    Case("guardian.bankid_personnummer", "fail", "no personnummer",
         f.with_person(H(**GB), personnummer=None)),
    Case("guardian.bankid_personnummer", "skip", "no account", f.without_account(H(**GB))),
    Case("guardian.bankid_temporary_personnummer", "pass", "marker clear", H(**GB)),
    Case("guardian.bankid_temporary_personnummer", "fail", "marker set",
         f.with_person(H(**GB), temporary_personnummer=True)),
    Case("guardian.bankid_temporary_personnummer", "skip", "no account", f.without_account(H(**GB))),
    Case("guardian.email_is_primary", "pass", "typed the first address", H(**GP)),
    Case("guardian.email_is_primary", "advice", "typed the second address",
         f.with_identifier(f.with_person(H(**GP), emails=(f.EMAIL, f.SECOND_EMAIL)),
                           f.email_identifier(f.SECOND_EMAIL))),
    Case("guardian.email_is_primary", "skip", "identifier is a personnummer",
         f.with_identifier(H(**GP), f.pnr_identifier())),
    Case("guardian.email_is_primary", "skip", "no account", f.without_account(H(**GP))),
    Case("guardian.profile_at_new_unit", "pass", "profile here", H(**G)),
    Case("guardian.profile_at_new_unit", "fail", "profile only at another unit of the organisation",
         f.with_roles(f.without_account(H(**G)), f.role("guardian", school=f.OTHER_SCHOOL))),
    Case("guardian.profile_at_new_unit", "skip", "nobody matched", f.unmatched(H(**G))),
    Case("guardian.duplicate_profiles", "pass", "no look-alikes", H(**G)),
    Case("guardian.duplicate_profiles", "fail", "look-alike with the same personnummer",
         f.with_subject(H(**G), look_alikes=(f.person(id="p-2", name="A. Andersson", emails=()),))),
    Case("guardian.duplicate_profiles", "fail", "same name, other address",
         f.with_subject(H(**G), look_alikes=(f.person(id="p-2", personnummer=f.pnr("1990-01-01"),
                                                      emails=("anna@ko.example.se",)),))),
    Case("guardian.duplicate_profiles", "skip", "nobody matched", f.unmatched(H(**G))),
    Case("advice.autofill_old_password", "advice", "guardian, password failed", H(**GP)),
    Case("advice.autofill_old_password", "advice", "teacher, password failed, nobody matched",
         f.unmatched(H(role="teacher", symptom="password_login_failed"))),
    # -- teachers, mentors, students --
    Case("teacher.assessment_registered", "pass", "registered", H(**TAP)),
    Case("teacher.assessment_registered", "fail", "person not registered", f.without_account(H(**TAP))),
    Case("teacher.assessment_registered", "skip", "nobody matched", f.unmatched(H(**TAP))),
    Case("teacher.assessment_access_current", "pass", "activated this school year", H(**TAP)),
    Case("teacher.assessment_access_current", "fail", "activated last school year",
         f.with_account(H(**TAP), activated_at=dt.date(2025, 7, 31))),
    Case("teacher.assessment_access_current", "skip", "no account", f.without_account(H(**TAP))),
    Case("teacher.account_inactive_code31", "pass", "active", H(**TAP, symptom="account_inactive")),
    Case("teacher.account_inactive_code31", "fail", "inactive",
         f.with_account(H(**TAP, symptom="account_inactive"), status="inactive")),
    Case("teacher.account_inactive_code31", "skip", "no account",
         f.without_account(H(**TAP, symptom="password_login_failed"))),
    Case("teacher.duplicate_registration", "pass", "one registration", H(**TAP)),
    Case("teacher.duplicate_registration", "fail", "two registrations of the person",
         f.with_subject(H(**TAP), service_accounts=(
             f.account(service="assessment_portal"), f.account(id="a-2", service="assessment_portal")))),
    Case("teacher.duplicate_registration", "skip", "nobody matched", f.unmatched(H(**TAP))),
    Case("teacher.same_tenant", "pass", "same tenant", H(**TLP)),
    Case("teacher.same_tenant", "fail", "other tenant", f.with_person(H(**TLP), tenant="annan.onmicrosoft.com")),
    Case("teacher.same_tenant", "skip", "school and organisation have no tenant", f.with_org(H(**TLP), tenant=None)),
    Case("teacher.license", "pass", "teacher licence", H(**TLP)),
    Case("teacher.license", "pass", "student licence", H(role="student")),
    Case("teacher.license", "fail", "no licence", f.with_asked_role(H(**TLP), licence=None)),
    Case("teacher.license", "skip", "no account", f.without_account(H(role="mentor"))),
    Case("teacher.role_at_school", "pass", "teacher role", H(**TLP)),
    Case("teacher.role_at_school", "fail", "teacher role archived", f.with_asked_role(H(**TLP), archived=True)),
    Case("teacher.role_at_school", "skip", "nobody matched", f.unmatched(H(**TLP))),
    Case("teacher.group_owner", "pass", "owns a connected group", H(**TLPC)),
    Case("teacher.group_owner", "fail", "owns no group", f.with_groups(H(**TLPC))),
    Case("teacher.group_owner", "skip", "no account", f.without_account(H(**TLPC))),
    Case("teacher.course_plan_for_assessments", "pass", "course plan and subject", H(**TLPC)),
    Case("teacher.course_plan_for_assessments", "fail", "no course plan", f.with_group(H(**TLPC), course_plan=None)),
    Case("teacher.course_plan_for_assessments", "skip", "owns no connected group",
         f.with_group(H(**TLPC), connected=False)),
    Case("mentor.mentor_group_owner", "pass", "owns a mentor group", H(role="mentor")),
    Case("mentor.mentor_group_owner", "fail", "owns no mentor group", f.with_groups(H(role="mentor"))),
    Case("mentor.mentor_group_owner", "skip", "no account", f.without_account(H(role="mentor"))),
    Case("student.group_member", "pass", "member of a group", H(role="student")),
    Case("student.group_member", "fail", "member of no connected group",
         f.with_group(H(role="student"), connected=False)),
    Case("student.group_member", "skip", "no account", f.without_account(H(role="student"))),
    # -- exam administrators --
    Case("exam_admin.registered", "pass", "registered", H(**EA)),
    Case("exam_admin.registered", "fail", "person not registered", f.without_account(H(**EA))),
    Case("exam_admin.registered", "skip", "nobody matched", f.unmatched(H(**EA))),
    Case("exam_admin.account_inactive_code31", "pass", "active", H(**EA, symptom="account_inactive")),
    Case("exam_admin.account_inactive_code31", "fail", "inactive",
         f.with_account(H(**EA, symptom="account_inactive"), status="inactive")),
    Case("exam_admin.account_inactive_code31", "skip", "no account",
         f.without_account(H(**EA, symptom="password_login_failed"))),
    Case("exam_admin.credentials_from_rector", "fail", "matched account", H(**EA, symptom="lost_credentials")),
    Case("exam_admin.credentials_from_rector", "skip", "no account",
         f.without_account(H(**EA, symptom="forgot_password"))),
    Case("advice.exam_admin_wrong_portal", "advice", "exam admin on the assessment portal",
         H(role="exam_admin", service="assessment_portal", symptom="wrong_portal")),
    Case("advice.matrix_example", "advice", "matrix problem", H(**EA, symptom="matrix_problem")),
    Case("advice.only_rector_deletes", "fail", "cannot delete", H(**EA, symptom="cannot_delete_account")),
    Case("advice.only_rector_deletes", "fail", "duplicate account, nobody matched",
         f.unmatched(H(**EA, symptom="duplicate_account"))),
    Case("advice.yearly_reactivation", "advice", "teacher inactive", H(**TAP, symptom="account_inactive")),
    Case("advice.new_rector_no_effect", "advice", "new rector", H(**TLP, symptom="new_rector")),
    # -- municipal staff in an agency e-service --
    Case("eservice.user_authorised", "pass", "user role", H(**EU)),
    Case("eservice.user_authorised", "fail", "user role archived", f.with_asked_role(H(**EU), archived=True)),
    Case("eservice.user_authorised", "skip", "nobody matched", f.unmatched(H(**EU))),
    Case("eservice.single_role", "pass", "one role", H(**EU)),
    Case("eservice.single_role", "fail", "both roles",
         f.with_roles(H(**EAD), f.role("eservice_admin", school=None), f.role("eservice_user", school=None))),
    Case("eservice.single_role", "skip", "nobody matched", f.unmatched(H(**EAD))),
    Case("eservice.hsa_id", "pass", "HSA-id on record", H(**EAD)),
    Case("eservice.hsa_id", "fail", "no HSA-id", f.with_person(H(**EAD), hsa_id=None)),
    Case("eservice.hsa_id", "skip", "nobody matched", f.unmatched(H(**EAD))),
    Case("advice.siths_only", "advice", "SITHS failed", H(**EU, symptom="siths_failed")),
    Case("advice.try_other_computer", "advice", "password login failed", H(**EAD, symptom="password_login_failed")),
    Case("advice.browser_cache_delay", "advice", "changes not visible", H(**EAD, symptom="changes_not_visible")),
    Case("advice.admin_change_by_email", "fail", "admin change", H(**EAD, symptom="admin_change")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_outcome(case: Case) -> None:
    q = case.snapshot.question
    found = f.findings_by_id(f.run(case.snapshot))
    assert case.check in found, f"{case.check} does not apply to {q.role}/{q.service}/{q.symptom}"
    finding = found[case.check]
    assert finding.outcome == case.outcome
    check = next(c for c in CATALOGUE if c.id == case.check)
    assert finding.visibility == check.visibility
    assert finding.route == expected_route(check, finding.outcome, q.role, q.service)


def test_every_check_reaches_every_outcome_the_contract_allows() -> None:
    covered: dict[str, set[str]] = {}
    for case in CASES:
        covered.setdefault(case.check, set()).add(case.outcome)
    missing = {
        c.id: sorted(reachable(c) - covered.get(c.id, set()))
        for c in CATALOGUE
        if reachable(c) - covered.get(c.id, set())
    }
    assert not missing, f"checks without a case for these outcomes: {missing}"
    unknown = set(covered) - {c.id for c in CATALOGUE}
    assert not unknown, f"cases for checks not in the catalogue: {unknown}"
    impossible = {cid: sorted(outs - reachable(next(c for c in CATALOGUE if c.id == cid)))
                  for cid, outs in covered.items() if cid not in unknown}
    assert not any(impossible.values()), f"cases expect outcomes the contract does not allow: {impossible}"


def test_catalogue_has_54_rows() -> None:
    assert len(CATALOGUE) == 54
    assert len({c.id for c in CATALOGUE}) == 54


# -- healthy snapshots: nothing fails that should not --------------------------------------------
ALWAYS_FAIL = {"exam_admin.credentials_from_rector", "advice.only_rector_deletes", "advice.admin_change_by_email"}
COMBINATIONS = [
    (role, f.DEFAULT_SERVICE[role] if service is None else service, symptom)
    for role, service in [
        ("guardian", None), ("teacher", None), ("teacher", "assessment_portal"), ("mentor", None),
        ("student", None), ("exam_admin", None), ("eservice_user", None), ("eservice_admin", None),
    ]
    for symptom in SYMPTOMS
]


@pytest.mark.parametrize(("role", "service", "symptom"), COMBINATIONS, ids=["/".join(c) for c in COMBINATIONS])
def test_healthy_snapshot_has_no_failure(role: str, service: str, symptom: str) -> None:
    diagnosis = f.run(H(role=role, service=service, symptom=symptom))
    bad = {x.check: x.outcome for x in diagnosis.findings if x.outcome == "fail" and x.check not in ALWAYS_FAIL}
    assert not bad
    assert diagnosis.matched
    assert not [x.check for x in diagnosis.findings if x.outcome == "skip"]
