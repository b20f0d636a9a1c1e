"""docs/CHECKS.md "Routing rule": which contact kind decides a case, and how a kind resolves to a contact."""

from __future__ import annotations

import pytest

from checks import diagnose
from checks.routing import ContactInfo, resolve_contact
from checks.vocab import ROLES, SYMPTOMS

from . import factories as f
from .test_checks_outcomes import CASES

H = f.healthy


# == rule 1: the first failing check with a route, in catalogue order ==============================
def test_first_failing_routed_check_wins_municipal_it_before_school_admin() -> None:
    snap = f.with_account(H(symptom="password_login_failed"), login_portals=("other",), invited=False)
    diagnosis = diagnose(snap)
    failing = [(x.check, x.route) for x in diagnosis.findings if x.outcome == "fail"]
    assert failing == [("account.login_portal", "municipal_it"), ("guardian.invited", "school_admin")]
    assert diagnosis.route_kind == "municipal_it"


def test_first_failing_routed_check_wins_school_admin_before_municipal_it() -> None:
    snap = f.with_account(f.with_school(H(symptom="forgot_password"), guardian_login=False),
                          login_portals=("other",))
    diagnosis = diagnose(snap)
    failing = [(x.check, x.route) for x in diagnosis.findings if x.outcome == "fail"]
    assert failing == [("school.guardian_login_enabled", "school_admin"), ("account.login_portal", "municipal_it")]
    assert diagnosis.route_kind == "school_admin"


def test_role_default_row_before_a_named_kind() -> None:
    """account.active (role default: school_admin) comes before teacher.same_tenant (municipal_it)."""
    snap = f.with_person(f.with_account(H(role="teacher"), status="inactive"), tenant="annan.onmicrosoft.com")
    diagnosis = diagnose(snap)
    assert [x.check for x in diagnosis.findings if x.outcome == "fail"] == ["account.active", "teacher.same_tenant"]
    assert diagnosis.route_kind == "school_admin"


def test_later_named_kind_when_earlier_rows_pass() -> None:
    snap = f.with_person(H(role="teacher"), tenant="annan.onmicrosoft.com")
    assert diagnose(snap).route_kind == "municipal_it"


def test_agency_support_before_eservice_admin() -> None:
    """eservice.agreement (agency_support) comes before eservice.user_authorised (eservice_admin)."""
    snap = f.with_asked_role(f.with_org(H(role="eservice_user"), eservice_agreement=False), archived=True)
    diagnosis = diagnose(snap)
    assert f.findings_by_id(diagnosis)["eservice.user_authorised"].outcome == "fail"
    assert diagnosis.route_kind == "agency_support"


# == advice failures do not route =================================================================
def test_advice_does_not_decide_the_route_self_service() -> None:
    snap = f.with_notices(f.with_account(H(symptom="password_login_failed"), must_change_password=True), f.notice())
    diagnosis = diagnose(snap)
    outcomes = {x.check: x.outcome for x in diagnosis.findings}
    assert outcomes["account.must_change_password"] == "advice"
    assert outcomes["notice.active_disruption"] == "advice"
    assert outcomes["advice.autofill_old_password"] == "advice"
    assert diagnosis.self_service is True
    assert diagnosis.route_kind is None


def test_advice_does_not_decide_the_route_default() -> None:
    """Only advice rows apply: the role's default decides, not an advice row's card kind."""
    diagnosis = diagnose(H(role="eservice_user", symptom="siths_failed"))  # advice.siths_only names eservice_admin
    assert {x.check: x.outcome for x in diagnosis.findings}["advice.siths_only"] == "advice"
    assert diagnosis.route_kind == "eservice_admin"
    diagnosis = diagnose(H(role="eservice_admin", symptom="siths_failed"))
    assert diagnosis.route_kind == "agency_support"


def test_an_advice_row_naming_a_kind_decides_the_route() -> None:
    diagnosis = diagnose(H(role="exam_admin", symptom="duplicate_account"))
    assert [x.check for x in diagnosis.findings if x.outcome == "fail"] == ["advice.only_rector_deletes"]
    assert diagnosis.route_kind == "rector"
    diagnosis = diagnose(H(role="eservice_admin", symptom="admin_change"))
    assert diagnosis.route_kind == "agency_support"


# == rule 2: self-service ===========================================================================
def test_self_service_has_no_route() -> None:
    diagnosis = diagnose(H())
    assert diagnosis.self_service is True
    assert diagnosis.route_kind is None
    assert diagnosis.matched is True


# == rule 3: the default for every role ==========================================================
@pytest.mark.parametrize(
    ("role", "service", "symptom", "expected"),
    [
        ("guardian", "school_platform", "bankid_failed", "school_admin"),
        ("guardian", "school_platform", "no_access_to_content", "school_admin"),
        ("student", "learning_platform", "no_access_to_content", "school_admin"),
        ("mentor", "learning_platform", "no_access_to_content", "school_admin"),
        ("teacher", "assessment_portal", "account_inactive", "exam_admin"),
        ("teacher", "assessment_portal", "forgot_password", "exam_admin"),
        ("teacher", "learning_platform", "no_access_to_content", "school_admin"),
        ("teacher", "school_platform", "wants_bankid", "school_admin"),
        ("exam_admin", "eservice_permissions", "password_login_failed", "rector"),
        ("exam_admin", "assessment_portal", "wrong_portal", "rector"),
        ("eservice_user", "agency_eservice", "password_login_failed", "eservice_admin"),
        ("eservice_admin", "agency_eservice", "changes_not_visible", "agency_support"),
    ],
)
def test_default_route_when_nothing_fails(role: str, service: str, symptom: str, expected: str) -> None:
    diagnosis = diagnose(H(role=role, service=service, symptom=symptom))
    assert not [x for x in diagnosis.findings if x.outcome == "fail"]
    assert diagnosis.self_service is False
    assert diagnosis.route_kind == expected


@pytest.mark.parametrize(
    ("role", "service", "expected"),
    [
        ("guardian", "school_platform", "school_admin"),
        ("student", "learning_platform", "school_admin"),
        ("mentor", "learning_platform", "school_admin"),
        ("teacher", "assessment_portal", "exam_admin"),
        ("teacher", "learning_platform", "school_admin"),
        ("exam_admin", "eservice_permissions", "rector"),
        ("eservice_user", "agency_eservice", "eservice_admin"),
        ("eservice_admin", "agency_eservice", "agency_support"),
    ],
)
def test_default_route_when_no_account_matches(role: str, service: str, expected: str) -> None:
    """account.exists fails with "route by role default": the same kind as rule 3."""
    diagnosis = diagnose(f.unmatched(H(role=role, service=service, symptom="new_rector")))
    assert diagnosis.route_kind == expected


# == route never null unless self-served ===========================================================
def _sweep() -> list[f.Snapshot]:
    snaps = [c.snapshot for c in CASES]
    for role in ROLES:
        for symptom in SYMPTOMS:
            base = H(role=role, symptom=symptom)
            snaps += [base, f.unmatched(base)]
    return snaps


def test_route_is_null_exactly_when_self_served() -> None:
    for snap in _sweep():
        diagnosis = diagnose(snap)
        assert (diagnosis.route_kind is None) is diagnosis.self_service, snap.question
        if diagnosis.self_service:
            assert not [x for x in diagnosis.findings if x.route is not None]
        else:
            routed = [x.route for x in diagnosis.findings if x.route is not None]
            if routed:
                assert diagnosis.route_kind == routed[0]


# == rule 4: contact resolution ======================================================================
FALLBACK = "IT-support <it@example.se>"
HERE = {"school": f.SCHOOL, "organisation": f.ORG_ID, "service": "school_platform"}


def contact(name: str, *, kind: str = "school_admin", order: int = 0, **scope: str) -> ContactInfo:
    return ContactInfo(kind=kind, name=name, email=f"{name.lower()}@example.se", order=order, **scope)


SCHOOL_C = contact("Skolan", school=f.SCHOOL)
ORG_C = contact("Huvudmannen", organisation=f.ORG_ID)
SERVICE_C = contact("Tjansten", service="school_platform")
PORTAL_C = contact("Portalen")
LEVELS = [SCHOOL_C, ORG_C, SERVICE_C, PORTAL_C]


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (LEVELS, "Skolan"),
        (LEVELS[1:], "Huvudmannen"),
        (LEVELS[2:], "Tjansten"),
        (LEVELS[3:], "Portalen"),
        ([], "IT-support"),
        (list(reversed(LEVELS)), "Skolan"),
        ([PORTAL_C, SERVICE_C], "Tjansten"),
        ([PORTAL_C, ORG_C], "Huvudmannen"),
    ],
    ids=["school", "organisation", "service-wide", "portal-wide", "fallback", "school, listed last",
         "service before portal", "organisation before portal"],
)
def test_narrowest_scope_wins(available: list[ContactInfo], expected: str) -> None:
    found = resolve_contact("school_admin", available, **HERE, fallback=FALLBACK)
    assert found is not None
    assert found.name == expected


def test_fallback_is_parsed() -> None:
    found = resolve_contact("rector", [], **HERE, fallback=FALLBACK)
    assert found is not None
    assert (found.kind, found.name, found.email) == ("rector", "IT-support", "it@example.se")
    assert found.as_route() == {"kind": "rector", "name": "IT-support", "email": "it@example.se"}


def test_none_when_nothing_and_no_fallback() -> None:
    assert resolve_contact("school_admin", [], **HERE) is None
    assert resolve_contact("school_admin", [], **HERE, fallback=None) is None
    assert resolve_contact("school_admin", [], **HERE, fallback="") is None
    assert resolve_contact("school_admin", [contact("Rektor", kind="rector")], **HERE) is None


@pytest.mark.parametrize(
    "stranger",
    [
        contact("Annan skola", school=f.OTHER_SCHOOL),
        contact("Annan huvudman", organisation=f.OTHER_ORG_ID),
        contact("Annan tjanst", service="learning_platform"),
        contact("Annan tjanst pa skolan", school=f.SCHOOL, service="learning_platform"),
        contact("Skolan hos annan huvudman", school=f.SCHOOL, organisation=f.OTHER_ORG_ID),
        contact("Huvudmannen, annan tjanst", organisation=f.ORG_ID, service="assessment_portal"),
        contact("Rektor", kind="rector", school=f.SCHOOL),
        contact("Kommunens IT", kind="municipal_it", organisation=f.ORG_ID),
    ],
    ids=lambda c: c.name,
)
def test_a_contact_for_another_scope_or_kind_never_applies(stranger: ContactInfo) -> None:
    assert resolve_contact("school_admin", [stranger, PORTAL_C], **HERE, fallback=FALLBACK) == PORTAL_C
    found = resolve_contact("school_admin", [stranger], **HERE, fallback=FALLBACK)
    assert found is not None and found.name == "IT-support"
    assert resolve_contact("school_admin", [stranger], **HERE) is None


def test_ties_by_order() -> None:
    first = contact("Forst", school=f.SCHOOL, order=1)
    second = contact("Sedan", school=f.SCHOOL, order=2)
    for contacts in ([first, second], [second, first]):
        assert resolve_contact("school_admin", contacts, **HERE) == first
    org_a = contact("OrgA", organisation=f.ORG_ID, order=7)
    org_b = contact("OrgB", organisation=f.ORG_ID, order=3)
    assert resolve_contact("school_admin", [org_a, org_b], **HERE) == org_b
    portal_a = contact("PA", order=5)
    portal_b = contact("PB", order=4)
    assert resolve_contact("school_admin", [portal_a, portal_b], **HERE) == portal_b


def test_organisation_scope_for_agency_eservice() -> None:
    """An agency e-service has no school: organisation, then service-wide, then portal-wide."""
    here = {"school": None, "organisation": f.ORG_ID, "service": "agency_eservice"}
    school_c = contact("Skolan", kind="eservice_admin", school=f.SCHOOL)
    org_c = contact("Kommunen", kind="eservice_admin", organisation=f.ORG_ID)
    svc_c = contact("Myndigheten", kind="eservice_admin", service="agency_eservice")
    assert resolve_contact("eservice_admin", [school_c, svc_c, org_c], **here) == org_c
    assert resolve_contact("eservice_admin", [school_c, svc_c], **here) == svc_c
    assert resolve_contact("eservice_admin", [school_c], **here) is None


@pytest.mark.parametrize("kind", ["school_admin", "rector", "exam_admin", "municipal_it", "eservice_admin",
                                  "agency_support"])
def test_every_kind_resolves_only_to_its_own(kind: str) -> None:
    contacts = [contact(k, kind=k, school=f.SCHOOL) for k in
                ("school_admin", "rector", "exam_admin", "municipal_it", "eservice_admin", "agency_support")]
    found = resolve_contact(kind, contacts, **HERE)
    assert found is not None and found.kind == kind and found.name == kind
