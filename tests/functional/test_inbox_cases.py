"""The inbox list and a case page (issue 6, parts 2 and 3): what a signed-in contact sees, and
nothing more; a fixed number of SQL statements per page."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.inbox import scope
from portal.models import Case

from .directory_builder import Directory
from .inbox_flow import (
    ANNAN,
    EXP_ANNAN,
    EXP_BJORKHAGA,
    EXP_SOLVIK,
    IT_KOMMUN,
    PROV_KOMMUN,
    REKTOR_BJORKHAGA,
    SOLVIK,
    SUPPORT,
    build_directory,
    make_case,
    sign_in,
)
from .statements import statements_of_page

DAY = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = build_directory()
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def cases(app, *specs: dict) -> list[str]:
    with app.app_context():
        return [make_case(**spec) for spec in specs]


def listed(client, query: str = "") -> str:
    response = client.get("/inkorg/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(reference: str) -> str:
    return f"{reference[:4]}-{reference[4:]}"


def test_a_school_contact_sees_their_school_and_their_kind_only(app, client, directory):
    mine, solvik, rector, annan, routed_to_me = cases(
        app, {}, {"place": SOLVIK, "route": EXP_SOLVIK}, {"route": REKTOR_BJORKHAGA},
        {"place": ANNAN, "organisation": "annan", "route": EXP_ANNAN},
        # passed to this address by name though outside the kind: routed here, so shown
        {"place": ANNAN, "organisation": "annan", "route": ("rector", "Expeditionen Björkhaga", "exp.bjorkhaga@exempelby.se")},
    )
    sign_in(app, client, EXP_BJORKHAGA)
    page = listed(client)
    assert shown(mine) in page and shown(routed_to_me) in page
    for other in (solvik, rector, annan):
        assert shown(other) not in page


def test_an_organisation_contact_sees_their_kind_at_every_school_of_theirs(app, client, directory):
    it_route = IT_KOMMUN
    here, there, elsewhere, not_mine = cases(
        app, {"route": it_route}, {"place": SOLVIK, "route": it_route},
        {"place": ANNAN, "organisation": "annan", "route": ("municipal_it", "IT Annan", "it@annan.se")},
        {"route": EXP_BJORKHAGA},
    )
    sign_in(app, client, IT_KOMMUN)
    page = listed(client)
    assert shown(here) in page and shown(there) in page
    assert shown(elsewhere) not in page and shown(not_mine) not in page


def test_a_portal_wide_contact_sees_their_kind_everywhere(app, client, directory):
    agency = {"role": "eservice_user", "service": "agency_eservice", "symptom": "siths_failed", "route": SUPPORT}
    a, b, other = cases(app, {**agency, "place": "kommun"}, {**agency, "place": "annan", "organisation": "annan"},
                        {"route": EXP_BJORKHAGA})
    sign_in(app, client, SUPPORT)
    page = listed(client)
    assert shown(a) in page and shown(b) in page and shown(other) not in page


def test_open_cases_come_first_then_the_oldest_first(app, client, directory):
    old_resolved, new_open, old_open, passed = cases(
        app, {"status": "resolved", "created": DAY}, {"created": DAY + dt.timedelta(days=3)},
        {"created": DAY + dt.timedelta(days=1)}, {"status": "passed_on", "created": DAY + dt.timedelta(days=2)},
    )
    sign_in(app, client, EXP_BJORKHAGA)
    page = listed(client)
    positions = [page.index(shown(r)) for r in (old_open, passed, new_open, old_resolved)]
    assert positions == sorted(positions)
    assert "3 öppna ärenden" in page


def test_the_filters_narrow_the_list_and_work_as_a_plain_get_form(app, client, directory):
    open_case, resolved, learning, forgot = cases(
        app, {}, {"status": "resolved"}, {"service": "learning_platform"}, {"symptom": "forgot_password"})
    it_solvik = cases(app, {"place": SOLVIK, "route": IT_KOMMUN})[0]
    sign_in(app, client, EXP_BJORKHAGA)
    form = listed(client)
    assert 'method="get"' in form and 'name="status"' in form and 'name="school"' in form
    assert 'name="service"' in form and 'name="symptom"' in form and 'name="q"' in form

    page = listed(client, "?status=resolved")
    assert shown(resolved) in page and shown(open_case) not in page
    page = listed(client, "?status=open")
    assert shown(resolved) not in page and shown(open_case) in page
    page = listed(client, "?service=learning_platform")
    assert shown(learning) in page and shown(open_case) not in page
    page = listed(client, "?symptom=forgot_password")
    assert shown(forgot) in page and shown(open_case) not in page
    page = listed(client, "?school=11111111&status=&service=&symptom=&q=")
    assert shown(open_case) in page and shown(it_solvik) not in page
    # the selected values stay selected; values outside the choices are no filter at all
    assert '<option value="resolved" selected>' in listed(client, "?status=resolved")
    page = listed(client, "?status=bogus&service=%3Cscript%3E&page=x")
    assert shown(open_case) in page and shown(resolved) in page and "<script>" not in page


def test_the_school_filter_offers_the_schools_of_the_contacts_scope(app, client, directory):
    sign_in(app, client, IT_KOMMUN)
    page = listed(client)
    assert "Björkhagaskolan" in page and "Solviksskolan" in page and "Annanstadsskolan" not in page


@pytest.mark.parametrize("typed", ["{dashed}", "{plain}", "{lower}", " {dashed} ", "{lower_dashed}"])
def test_a_case_is_found_by_its_reference_with_or_without_dash_in_any_case(app, client, directory, typed):
    wanted, other = cases(app, {}, {})
    query = typed.format(dashed=shown(wanted), plain=wanted, lower=wanted.lower(), lower_dashed=shown(wanted).lower())
    sign_in(app, client, EXP_BJORKHAGA)
    page = listed(client, "?q=" + query.replace(" ", "+"))
    assert shown(wanted) in page and shown(other) not in page


def test_searching_for_another_contacts_reference_finds_nothing(app, client, directory):
    theirs = cases(app, {"place": SOLVIK, "route": EXP_SOLVIK})[0]
    sign_in(app, client, EXP_BJORKHAGA)
    page = listed(client, f"?q={theirs}")
    assert shown(theirs) not in page and "Inga ärenden stämmer med det du sökte på." in page


def test_a_search_that_is_no_reference_says_what_a_reference_looks_like(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    assert "Ett ärendenummer har åtta tecken" in listed(client, "?q=abc")


def test_the_list_pages_by_25(app, client, directory):
    refs = cases(app, *({"created": DAY + dt.timedelta(minutes=i)} for i in range(30)))
    sign_in(app, client, EXP_BJORKHAGA)
    first = listed(client)
    assert "sida 1" in first and "Nästa sida" in first and "Föregående sida" not in first
    assert "30 öppna ärenden" in first
    assert all(shown(r) in first for r in refs[:25]) and not any(shown(r) in first for r in refs[25:])
    second = listed(client, "?page=2")
    assert all(shown(r) in second for r in refs[25:]) and "Föregående sida" in second and "Nästa sida" not in second
    past = listed(client, "?page=99")
    assert "Det finns inga fler ärenden." in past and not any(shown(r) in past for r in refs)
    filtered = listed(client, "?status=open")
    assert 'href="/inkorg/?status=open&amp;page=2"' in filtered
    assert "Nästa sida" not in listed(client, "?symptom=forgot_password")  # one page: no paging at all


def test_exactly_a_page_of_cases_has_no_next_page(app, client, directory):
    cases(app, *({"created": DAY + dt.timedelta(minutes=i)} for i in range(25)))
    sign_in(app, client, EXP_BJORKHAGA)
    page = listed(client)
    assert "Nästa sida" not in page and "sida 1" not in page


def _statements(app, client, path: str) -> list[str]:
    return [statement for statement, _parameters in statements_of_page(app, client, path)]


def test_a_page_of_the_list_costs_the_same_statements_at_3_and_at_60_cases(app, client, directory):
    finding = [("account.exists", "fail", "school_admin"), ("account.active", "pass", None)]
    refs = cases(app, *({"created": DAY + dt.timedelta(minutes=i), "findings": finding, "account": "acc-anna.andersson"}
                        for i in range(3)))
    sign_in(app, client, EXP_BJORKHAGA)
    client.get("/inkorg/")  # the session's once-a-minute touch is not what is measured
    few_list = _statements(app, client, "/inkorg/")
    few_case = _statements(app, client, f"/inkorg/arenden/{refs[0]}")
    cases(app, *({"created": DAY + dt.timedelta(hours=1, minutes=i), "findings": finding} for i in range(57)))
    many_list = _statements(app, client, "/inkorg/")
    many_case = _statements(app, client, f"/inkorg/arenden/{refs[0]}")
    assert len(few_list) == len(many_list) == 5  # session, contact rows, schools, open count, rows
    # session, contact rows, case, findings, account, its first address, history, undelivered mail,
    # the contacts the case could be passed on to, the disruption notices active at its place
    assert len(few_case) == len(many_case) == 10


def test_the_scope_clause_in_sql_agrees_with_the_rule_for_every_kind_of_case(app, directory):
    contacts = {c[2]: c for c in (EXP_BJORKHAGA, EXP_SOLVIK, REKTOR_BJORKHAGA, IT_KOMMUN, EXP_ANNAN, PROV_KOMMUN, SUPPORT)}
    places = [("11111111", "kommun"), (SOLVIK, "kommun"), (ANNAN, "annan"), ("kommun", "kommun")]
    kinds = ["school_admin", "rector", "municipal_it", "exam_admin", "agency_support"]
    emails = [None, "exp.bjorkhaga@exempelby.se", "it@exempelby.se", "someone@else.se"]
    with app.app_context():
        from portal.inbox.auth import identity_for

        for (place, org), kind, email, service in itertools.product(places, kinds, emails,
                                                                   ["school_platform", "assessment_portal"]):
            make_case(place=place, organisation=org, route=(kind, "x", email) if email else (kind, None, None),
                      service=service)
        everything = db.session.scalars(select(Case)).all()
        for address in contacts:
            identity = identity_for(address.lower())
            assert identity is not None
            by_sql = set(db.session.scalars(select(Case.reference).where(scope.where(identity.email_key, identity.scopes))))
            by_rule = {c.reference for c in everything if scope.sees(identity.email_key, identity.scopes, scope.CaseFacts(
                route_kind=c.route_kind, route_email_key=c.route_email_key, place=c.place, organisation=c.organisation_id,
                service=c.service))}
            assert by_sql == by_rule and by_sql, address


def test_a_notification_that_could_not_be_delivered_is_shown_on_the_case_with_the_address_masked(
        app, client, directory):
    from portal.models import OutboxMessage

    (reference,) = cases(app, {})
    with app.app_context():
        case_id = db.session.scalars(select(Case.id).where(Case.reference == reference)).one()
        db.session.add(OutboxMessage(case_id=case_id, template="contact_notification",
                                     to_address="rektor.gammal@exempelby.se", context={"reference": reference},
                                     status="failed", attempts=1, last_error="smtp 550 recipient refused",
                                     next_attempt_at=DAY))
        db.session.commit()
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get(f"/inkorg/arenden/{reference}").get_data(as_text=True)
    assert "Brev som inte kom fram" in page
    assert "Aviseringen till kontaktpersonen, r***@exempelby.se" in page
    assert "smtp 550 recipient refused" in page
    assert "rektor.gammal" not in page


def test_a_case_whose_mail_all_went_out_shows_no_warning(app, client, directory):
    (reference,) = cases(app, {})
    sign_in(app, client, EXP_BJORKHAGA)
    assert "Brev som inte kom fram" not in client.get(f"/inkorg/arenden/{reference}").get_data(as_text=True)
