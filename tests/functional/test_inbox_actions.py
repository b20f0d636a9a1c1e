"""A case page and its actions (issue 6, part 3), and the tests that try to break in: another
contact's case answers exactly as a case that does not exist, every action wants its CSRF token,
a protected identity is never named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checks import BY_ID
from portal.extensions import db
from portal.mail import render
from portal.models import Case, CaseEvent, OutboxMessage
from portal.worker import process_queue

from .directory_builder import Directory
from .flow import walk
from .inbox_flow import (
    ANNA,
    EXP_BJORKHAGA,
    EXP_SOLVIK,
    HIDDEN,
    IT_KOMMUN,
    SOLVIK,
    build_directory,
    csrf,
    make_case,
    sign_in,
)

FAILING = [("notice.active_disruption", "pass", None), ("account.exists", "pass", None),
           ("guardian.child_at_school", "fail", "school_admin"), ("guardian.child_active", "skip", None)]
CHILD = BY_ID["guardian.child_at_school"]
ACTIONS = [("los", {"message": "Nu är det fixat."}), ("vidare", {"kind": "rector"}), ("anteckning", {"note": "Ringt."})]


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = build_directory()
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def new_case(app, **spec) -> str:
    with app.app_context():
        return make_case(**{"findings": FAILING, "account": f"acc-{ANNA['username']}", **spec})


def page_of(client, reference: str) -> str:
    response = client.get(f"/inkorg/arenden/{reference}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def act(client, reference: str, action: str, **fields: str):
    token = csrf(client.get("/inkorg/").get_data(as_text=True))
    return client.post(f"/inkorg/arenden/{reference}/{action}", data={"csrf_token": token, **fields})


def the_case(app, reference: str) -> dict:
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        return {c.name: getattr(case, c.name) for c in Case.__table__.columns}


def outbox(app, template: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))
        db.session.expunge_all()
        return rows


def events(app, reference: str) -> list[CaseEvent]:
    with app.app_context():
        case_id = db.session.scalars(select(Case.id).where(Case.reference == reference)).one()
        rows = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))
        db.session.expunge_all()
        return rows


# -- the page ------------------------------------------------------------------------------------------
def test_the_case_page_shows_the_case_the_account_the_findings_with_steps_and_the_route(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    page = page_of(client, ref)
    for text in (f"Ärende {ref[:4]}-{ref[4:]}", "Vårdnadshavare", "Skolplattformen", "Björkhagaskolan (11111111)",
                 "a***@exempel.se", ANNA["name"], f"användarnamn {ANNA['username']}", "Öppet",
                 # the failing check as what was found, with the steps for the contact (checks' `fix` text)
                 "Inget av vårdnadshavarens barn går på skolan.", CHILD.texts.fix,
                 # the route and why
                 "Expeditionen Björkhaga (skolans administratör)",
                 "Det här avgjorde: Inget av vårdnadshavarens barn går på skolan. Det kan skolans administratör åtgärda.",
                 # every other finding as what was found; history
                 "Det finns ingen pågående driftstörning för tjänsten.",
                 "Inte kontrollerat om barnets placering är aktiv", "Ärendet kom in."):
        assert text in page, text
    # never a title that says the opposite of what was found, nor a bare outcome word
    for text in ("Pågående driftstörning", CHILD.texts.title, "Stämmer", "Kontrollerades inte", "hör till"):
        assert text not in page, text
    assert ANNA["email"] not in page  # the person's address is never shown; the message goes there


def test_a_case_without_a_routing_failure_says_the_role_default_sent_it(app, client, directory):
    ref = new_case(app, findings=[("account.exists", "pass", None)])
    sign_in(app, client, EXP_BJORKHAGA)
    assert ("Därför gick ärendet till den som tar hand om ärenden från vårdnadshavare: skolans administratör."
            in page_of(client, ref))


def test_the_dashed_reference_leads_to_the_same_case(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    for form in (f"{ref[:4]}-{ref[4:]}", ref.lower()):
        response = client.get(f"/inkorg/arenden/{form}")
        assert response.status_code == 301 and response.headers["Location"] == f"/inkorg/arenden/{ref}"


# -- break-in attempts -----------------------------------------------------------------------------------
def _missing_and_theirs(app, client) -> tuple[str, str]:
    theirs = new_case(app, place=SOLVIK, route=EXP_SOLVIK)
    missing = "ZZZZZZZZ" if theirs != "ZZZZZZZZ" else "YYYYYYYY"
    sign_in(app, client, EXP_BJORKHAGA)
    return theirs, missing


def test_another_contacts_case_answers_exactly_as_a_missing_one(app, client, directory):
    theirs, missing = _missing_and_theirs(app, client)
    a, b = client.get(f"/inkorg/arenden/{theirs}"), client.get(f"/inkorg/arenden/{missing}")
    assert a.status_code == b.status_code == 404
    assert a.get_data() == b.get_data() and dict(a.headers) == dict(b.headers)
    dashed = client.get(f"/inkorg/arenden/{theirs[:4]}-{theirs[4:]}")
    assert dashed.status_code == 404 and dashed.get_data() == b.get_data()


@pytest.mark.parametrize(("action", "fields"), ACTIONS)
def test_acting_on_another_contacts_case_answers_exactly_as_a_missing_one_and_changes_nothing(
        app, client, directory, action, fields):
    theirs, missing = _missing_and_theirs(app, client)
    before = the_case(app, theirs)
    a, b = act(client, theirs, action, **fields), act(client, missing, action, **fields)
    assert a.status_code == b.status_code == 404
    assert a.get_data() == b.get_data() and dict(a.headers) == dict(b.headers)
    assert the_case(app, theirs) == before
    assert len(events(app, theirs)) == 1
    assert outbox(app, "case_resolved") == outbox(app, "contact_notification") == []


@pytest.mark.parametrize(("action", "fields"), ACTIONS)
def test_every_action_wants_its_csrf_token(app, client, directory, action, fields):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    before = the_case(app, ref)
    for token in (None, "forged"):
        data = dict(fields) if token is None else {"csrf_token": token, **fields}
        assert client.post(f"/inkorg/arenden/{ref}/{action}", data=data).status_code == 400
    assert the_case(app, ref) == before and len(events(app, ref)) == 1


@pytest.mark.parametrize(("action", "fields"), ACTIONS)
def test_a_signed_out_action_leads_to_the_sign_in_form_and_changes_nothing(app, client, directory, action, fields):
    ref = new_case(app)
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    response = client.post(f"/inkorg/arenden/{ref}/{action}", data={"csrf_token": csrf(page), **fields})
    assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/logga-in")
    assert len(events(app, ref)) == 1


def test_a_protected_identity_is_named_on_no_page(app, client, directory):
    ref = new_case(app, account=f"acc-{HIDDEN['username']}", masked="h***@skyddad.example.se")
    sign_in(app, client, EXP_BJORKHAGA)
    pages = [client.get("/inkorg/").get_data(as_text=True), page_of(client, ref)]
    pages.append(client.get(f"/inkorg/?q={ref}").get_data(as_text=True))
    act(client, ref, "anteckning", note="Ringde skolan.")
    pages.append(page_of(client, ref))
    pages.append(act(client, ref, "los", message="x" * 1001).get_data(as_text=True))  # a form error shows the page
    act(client, ref, "los", message="Nu ska det fungera.")
    pages.append(page_of(client, ref))
    assert "skyddade personuppgifter" in pages[1]
    for page in pages:
        for secret in (HIDDEN["name"], "Hedda", "Holm", HIDDEN["username"], HIDDEN["email"], "hedda.andra"):
            assert secret.lower() not in page.lower(), secret
    # the message to the person went to their first address only
    (mail,) = outbox(app, "case_resolved")
    assert mail.to_address == HIDDEN["email"]


# -- the actions -------------------------------------------------------------------------------------------
def test_resolving_with_a_message_tells_the_person_at_their_first_address_and_records_who(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, "los", message="Vi har lagt in placeringen. Logga in igen i morgon.")
    assert response.status_code == 303 and response.headers["Location"] == f"/inkorg/arenden/{ref}"
    assert the_case(app, ref)["status"] == "resolved"
    (mail,) = outbox(app, "case_resolved")
    assert mail.to_address == ANNA["email"]
    with app.app_context():
        rendered = render(mail)
    assert f"{ref[:4]}-{ref[4:]}" in rendered.subject and ANNA["name"] not in rendered.subject
    assert "Vi har lagt in placeringen. Logga in igen i morgon." in rendered.text
    last = events(app, ref)[-1]
    assert (last.action, last.actor, last.actor_name, last.actor_email) == (
        "resolved", "contact", EXP_BJORKHAGA[1], EXP_BJORKHAGA[2])
    page = page_of(client, ref)
    assert "Markerat som löst, med ett meddelande till personen." in page and "Expeditionen Björkhaga:" in page
    assert "Ärendet är markerat som löst. Personen får ditt meddelande." in page
    assert 'action="/inkorg/arenden/' + ref + '/los"' not in page  # closed: no second resolve


def test_resolving_without_a_message_sends_nothing(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    act(client, ref, "los", message="   ")
    assert the_case(app, ref)["status"] == "resolved" and outbox(app, "case_resolved") == []


def test_no_matched_account_means_no_message_and_the_page_says_so(app, client, directory):
    ref = new_case(app, account=None, matched=False)
    sign_in(app, client, EXP_BJORKHAGA)
    page = page_of(client, ref)
    assert "Inget konto matchade uppgiften, så det går inte att skicka något meddelande" in page
    assert 'name="message"' not in page
    act(client, ref, "los", message="Hej")
    assert the_case(app, ref)["status"] == "resolved" and outbox(app, "case_resolved") == []


def test_an_account_without_an_address_gets_no_message(app, client, directory):
    ref = new_case(app, account="acc-nomail")
    sign_in(app, client, EXP_BJORKHAGA)
    assert "Kontot har ingen registrerad e-postadress" in page_of(client, ref)
    act(client, ref, "los", message="Hej")
    assert outbox(app, "case_resolved") == []


def test_a_message_over_1000_characters_is_refused_beside_the_field(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, "los", message="x" * 1001)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="message-error"' in page and 'class="error-summary"' in page
    assert the_case(app, ref)["status"] == "open"


def test_passing_on_re_routes_notifies_the_new_contact_and_leaves_the_old_inbox(app, directory):
    ref = new_case(app)
    old, new = app.test_client(), app.test_client()
    sign_in(app, old, EXP_BJORKHAGA)
    response = act(old, ref, "vidare", kind="municipal_it")
    assert response.status_code == 303 and response.headers["Location"] == "/inkorg/"
    case = the_case(app, ref)
    assert (case["route_kind"], case["route_name"], case["route_email"], case["status"]) == (
        "municipal_it", IT_KOMMUN[1], IT_KOMMUN[2], "passed_on")
    (note,) = outbox(app, "contact_notification")
    assert note.to_address == IT_KOMMUN[2] and note.context == {"reference": ref, "kind": "municipal_it", "passed_by": "Expeditionen Björkhaga", "reason": ""}
    moved = events(app, ref)[-1]
    assert moved.action == "passed_on" and moved.actor_name == EXP_BJORKHAGA[1]
    assert json.loads(moved.detail) == {"from": "school_admin", "to": "municipal_it", "name": IT_KOMMUN[1]}

    listing = old.get("/inkorg/").get_data(as_text=True)
    assert "är skickat vidare till IT-supporten i Exempelby" in listing
    assert f"{ref[:4]}-{ref[4:]}</a>" not in listing
    assert old.get(f"/inkorg/arenden/{ref}").status_code == 404

    sign_in(app, new, IT_KOMMUN)
    assert f"{ref[:4]}-{ref[4:]}" in new.get("/inkorg/").get_data(as_text=True)
    page = page_of(new, ref)
    assert "Skickat vidare från skolans administratör till IT-supporten i Exempelby." in page
    assert "Ärendet kom in." in page  # the history came along


def test_a_case_passed_on_stays_in_view_when_the_new_kind_is_also_within_the_old_contacts_scope(
        app, runner, directory, tmp_path):
    # this address is also one of the municipality's IT contacts (listed after the other one)
    directory.add_contact(kind="municipal_it", name="Expeditionen Björkhaga", email=EXP_BJORKHAGA[2],
                          organisation="kommun")
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "two.json"))]).exit_code == 0
    to_it, to_rector = new_case(app), new_case(app)
    client = app.test_client()
    sign_in(app, client, EXP_BJORKHAGA)
    act(client, to_it, "vidare", kind="municipal_it")
    act(client, to_rector, "vidare", kind="rector")
    assert the_case(app, to_it)["route_email"] == IT_KOMMUN[2]  # the first IT contact got it...
    assert client.get(f"/inkorg/arenden/{to_it}").status_code == 200  # ...and it is still within this scope
    assert client.get(f"/inkorg/arenden/{to_rector}").status_code == 404


def test_passing_on_to_a_kind_that_cannot_help_with_the_case_is_refused_and_changes_nothing(app, client, directory):
    ref = new_case(app)  # a guardian's school platform case: the e-service administrator cannot help
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, "vidare", kind="eservice_admin")
    assert response.status_code == 400
    assert "Välj vem som ska ta över ärendet." in response.get_data(as_text=True)
    assert the_case(app, ref)["status"] == "open" and outbox(app, "contact_notification") == []


def test_a_reason_for_passing_on_is_kept_in_the_history_and_told_to_the_new_contact(app, directory):
    ref = new_case(app)
    client = app.test_client()
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, "vidare", kind="municipal_it", reason="  Kontot verkar ligga i fel Microsoft-miljö. ")
    assert response.status_code == 303
    (note,) = outbox(app, "contact_notification")
    assert note.context["reason"] == "Kontot verkar ligga i fel Microsoft-miljö."
    with app.app_context():
        from portal.mail import render
        text = render(note).text
    assert "Expeditionen Björkhaga har skickat ärendet vidare till dig. Skälet: Kontot verkar ligga i fel Microsoft-miljö." in text
    moved = events(app, ref)[-1]
    assert json.loads(moved.detail)["reason"] == "Kontot verkar ligga i fel Microsoft-miljö."
    it = app.test_client()
    sign_in(app, it, IT_KOMMUN)
    assert "Skäl: Kontot verkar ligga i fel Microsoft-miljö." in page_of(it, ref)


@pytest.mark.parametrize("kind", ["", "school_admin", "boss"])
def test_passing_on_wants_another_kind(app, client, directory, kind):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, "vidare", kind=kind)
    assert response.status_code == 400 and 'id="kind-error"' in response.get_data(as_text=True)
    assert the_case(app, ref)["status"] == "open"


def test_a_note_is_kept_in_the_history_with_who_and_when(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    assert act(client, ref, "anteckning", note="  Ringde vårdnadshavaren <b>kl 10</b>. ").status_code == 303
    page = page_of(client, ref)
    assert "Expeditionen Björkhaga:</span> Anteckning: Ringde vårdnadshavaren &lt;b&gt;kl 10&lt;/b&gt;." in page
    assert the_case(app, ref)["status"] == "open"
    assert act(client, ref, "anteckning", note="   ").status_code == 400


def test_a_case_from_the_public_flow_reaches_its_contacts_inbox_with_the_workers_findings(app, directory):
    person = app.test_client()
    walk(person, ANNA["email"], symptom="no_access_to_content")
    with app.app_context():
        assert process_queue().processed == 1
        ref = db.session.scalar(select(Case.reference))
    contact = app.test_client()
    sign_in(app, contact, EXP_BJORKHAGA)
    assert f"{ref[:4]}-{ref[4:]}" in contact.get("/inkorg/").get_data(as_text=True)
    page = page_of(contact, ref)
    assert ANNA["name"] in page and "Kontrollerna gjordes och ärendet gick till skoladministratör." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.template == "contact_notification")) == 1


@pytest.mark.parametrize(("action", "field"), [("los", "message"), ("anteckning", "note")])
def test_control_characters_in_a_text_are_refused_beside_the_field(app, client, directory, action, field):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    response = act(client, ref, action, **{field: "Ring\x00 mig"})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert the_case(app, ref)["status"] == "open" and len(events(app, ref)) == 1
    assert act(client, ref, action, **{field: "Rad ett\nrad två\tmed tabb"}).status_code == 303


def test_the_case_page_offers_only_the_kinds_that_someone_holds_for_this_school(app, client, directory):
    ref = new_case(app)
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get(f"/inkorg/arenden/{ref}").get_data(as_text=True)
    offered = set(re.findall(r'name="kind" id="kind-\d+" value="([a-z_]+)"', page))
    assert "municipal_it" in offered and "rector" in offered  # Exempelby's IT support, Björkhaga's rector
    assert "eservice_admin" not in offered  # cannot help with a guardian's school platform case
    assert "school_admin" not in offered  # the case's own kind


# -- no page says the opposite of a finding ------------------------------------------------------------
def _reaching(outcome: str) -> list:
    from checks import CATALOGUE

    from ..unit.test_checks_outcomes import reachable

    return [c for c in CATALOGUE if outcome in reachable(c)]


@pytest.mark.parametrize("outcome", ["pass", "fail", "skip", "advice"])
def test_the_case_page_says_each_finding_as_found_and_never_its_opposite(app, client, directory, outcome):
    from checks.base import ADVICE, DEFAULT, REMEDY
    from checks.sentences import SENTENCES

    checks = _reaching(outcome)
    findings = [(c.id, outcome, (c.on_fail if c.on_fail not in (ADVICE, DEFAULT, REMEDY) else "school_admin")
                 if outcome == "fail" else None) for c in checks]
    ref = new_case(app, findings=findings)
    sign_in(app, client, EXP_BJORKHAGA)
    page = page_of(client, ref)
    for check in checks:
        said = SENTENCES[check.id]
        assert said[outcome] in page, (check.id, outcome)
        for other, text in said.items():
            if other != outcome:
                assert text not in page, f"{check.id} found {outcome}, but the page says {other}: {text}"
        if outcome != "pass":
            assert f"<h3>{check.texts.title}</h3>" not in page and f"<li>{check.texts.title}" not in page
    for word in ("Stämmer", "Kontrollerades inte", "Behöver åtgärdas"):
        assert word not in page
    # the list names what to fix: the deciding finding (the first failing one with a route)
    listing = client.get("/inkorg/").get_data(as_text=True)
    if outcome == "fail":
        assert SENTENCES[checks[0].id]["fail"] in listing
    else:
        assert "Ingen kontroll visade något fel." in listing
