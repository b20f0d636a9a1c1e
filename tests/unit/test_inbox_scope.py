"""Which cases a contact sees (portal/inbox/scope.py): the rule as a table."""

from __future__ import annotations

import pytest

from portal.inbox.scope import CaseFacts, Scope, in_scope, sees

ME = "exp@skola.se"


def case(kind: str | None = "school_admin", *, email: str | None = "someone.else@skola.se", place: str = "11111111",
         organisation: str | None = "kommun", service: str = "school_platform") -> CaseFacts:
    return CaseFacts(route_kind=kind, route_email_key=email, place=place, organisation=organisation, service=service)


SCHOOL = Scope("school_admin", school="11111111")
SCHOOL_ON_SERVICE = Scope("school_admin", school="11111111", service="learning_platform")
ORGANISATION = Scope("municipal_it", organisation="kommun")
SERVICE_WIDE = Scope("exam_admin", service="assessment_portal")
PORTAL_WIDE = Scope("agency_support")

TABLE = [
    # (scope, case, sees it?)
    # a school contact: their kind at their school
    (SCHOOL, case(), True),
    (SCHOOL, case(place="22222222"), False),
    (SCHOOL, case("rector"), False),
    (SCHOOL, case(None), False),
    (SCHOOL, case(service="learning_platform"), True),
    # a school contact that names a service too: only that service
    (SCHOOL_ON_SERVICE, case(service="learning_platform"), True),
    (SCHOOL_ON_SERVICE, case(), False),
    # an organisation contact: every school of theirs, and the organisation's own agency cases
    (ORGANISATION, case("municipal_it"), True),
    (ORGANISATION, case("municipal_it", place="22222222"), True),
    (ORGANISATION, case("municipal_it", place="kommun", service="agency_eservice"), True),
    (ORGANISATION, case("municipal_it", organisation="annan", place="33333333"), False),
    (ORGANISATION, case("municipal_it", organisation=None), False),  # not diagnosed yet
    (ORGANISATION, case("school_admin"), False),
    # a service-wide contact: that service everywhere
    (SERVICE_WIDE, case("exam_admin", service="assessment_portal", organisation="annan", place="33333333"), True),
    (SERVICE_WIDE, case("exam_admin", service="eservice_permissions"), False),
    # a portal-wide contact: every case of their kind
    (PORTAL_WIDE, case("agency_support", place="x", organisation="y", service="agency_eservice"), True),
    (PORTAL_WIDE, case("eservice_admin", service="agency_eservice"), False),
]


@pytest.mark.parametrize(("scope", "facts", "expected"), TABLE)
def test_a_contact_sees_their_kind_within_their_scope(scope, facts, expected):
    assert in_scope(scope, facts) is expected
    assert sees(ME, [scope], facts) is expected


@pytest.mark.parametrize("scope", [SCHOOL, ORGANISATION, SERVICE_WIDE, PORTAL_WIDE])
def test_a_case_routed_to_the_address_is_seen_whatever_its_kind_or_place(scope):
    routed_here = case("rector", email=ME, place="99999999", organisation="annan", service="agency_eservice")
    assert sees(ME, [scope], routed_here)
    assert not sees(ME, [scope], case("rector", email=None, place="99999999", organisation="annan"))


def test_an_address_with_several_contact_rows_sees_the_union():
    scopes = [SCHOOL, Scope("rector", school="22222222")]
    assert sees(ME, scopes, case())
    assert sees(ME, scopes, case("rector", place="22222222"))
    assert not sees(ME, scopes, case("rector"))


def test_no_contact_rows_sees_only_what_is_routed_to_the_address():
    assert not sees(ME, [], case())
    assert sees(ME, [], case(email=ME))


@pytest.mark.parametrize(("label", "expected"), [
    ("Huvudmannens IT-support", "huvudmannens IT-support"),
    ("Skoladministratör", "skoladministratör"),
    ("IT-support", "IT-support"),
    ("Kommunens administratör för e-tjänsten", "kommunens administratör för e-tjänsten"),
])
def test_a_label_inside_a_sentence_keeps_its_acronyms(label, expected):
    from portal.inbox.present import in_sentence

    assert in_sentence(label) == expected
