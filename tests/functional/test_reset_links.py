"""Reset links as a person meets them (PRODUCT.md "Reset links", step 7; issue 5 items 3 and 5).

The link comes from the rendered personal message of a case the worker diagnosed; it is opened and
used through the pages, as a browser would. Nothing is mocked: the tokens, the database and the
directory (re-imported to change an account) are the real ones.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import passwords, tokens
from portal.extensions import db
from portal.models import CaseEvent, OutboxMessage, PortalPassword
from portal.reset.state import account_state

from . import reset_support
from .flow import token as csrf_of
from .reset_support import (
    BASE_URL,
    FIRST_ADDRESS,
    GOOD,
    case,
    is_dead,
    is_form,
    load,
    messages,
    open_link,
    reset_link,
    submit,
)
from .reset_support import ask as ask_for_help

d = reset_support.d  # the fixture

LIFETIME = 30 * 60


@pytest.fixture
def anna(app, d, clock):
    """Anna's case (asked with her second address) and the reset link from her message."""
    with app.app_context():
        case_id = ask_for_help("anna@privat.example.se")
        return case_id, reset_link(case_id)


def stored_passwords(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(PortalPassword.password_hash)))


def changed_messages(app, case_id: int) -> list[OutboxMessage]:
    with app.app_context():
        return messages(case_id, "password_changed")


def reimport(runner, d, tmp_path, name: str) -> None:
    load(runner, d, tmp_path / f"{name}.json")


def anna_account(d) -> dict:
    return next(a for a in d.data["accounts"] if a["id"] == "acc-anna")


# -- a link that works ------------------------------------------------------------------------------------
def test_a_new_password_from_the_link_is_stored_and_tells_the_first_registered_address(app, client, anna):
    case_id, link = anna
    assert is_form(open_link(client, link))
    response = submit(client, GOOD)
    assert response.status_code == 303 and response.headers["Location"] == "/aterstall/klart"
    done = client.get("/aterstall/klart").get_data(as_text=True)
    assert "Ditt nya lösenord är sparat" in done and "Du är inte inloggad här" in done
    (stored,) = stored_passwords(app)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify(stored, GOOD) and not passwords.verify(stored, GOOD + "!")
    (changed,) = changed_messages(app, case_id)
    assert changed.to_address == FIRST_ADDRESS  # exactly as registered, not the address she typed
    with app.app_context():
        assert case(case_id).status == "self_served"
        events = db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case_id)).all()
        assert events.count("password_changed") == 1


def test_the_reset_logs_nobody_in(app, client, anna):
    _, link = anna
    open_link(client, link)
    submit(client, GOOD)
    with client.session_transaction() as session:
        assert set(session) <= {"csrf_token", "reset_done"}
        assert "reset_token" not in session


def test_opening_the_link_moves_the_token_out_of_the_address(client, anna):
    _, link = anna
    token = link.rsplit("/", 1)[1]
    first = client.get(link)
    assert first.status_code == 303
    assert first.headers["Location"] == "/aterstall/nytt-losenord"
    page = client.get(first.headers["Location"])
    assert is_form(page) and token not in page.get_data(as_text=True)


def test_opening_the_link_never_spends_it_only_the_form_does(app, client, anna):
    _, link = anna
    for _ in range(2):  # a mail scanner's preview, then the person
        assert is_form(open_link(client, link))
    assert stored_passwords(app) == []
    assert submit(client, GOOD).status_code == 303
    assert len(stored_passwords(app)) == 1


def test_a_refused_password_does_not_spend_the_link(app, client, anna):
    _, link = anna
    open_link(client, link)
    assert is_form(submit(client, "kort"))
    assert submit(client, GOOD).status_code == 303


@pytest.mark.parametrize("path", ["/aterstall/{token}", "/aterstall/nytt-losenord", "/aterstall/klart", "dead"])
def test_the_reset_pages_send_no_referrer_no_store_and_load_only_our_own(client, anna, path):
    _, link = anna
    if path == "dead":
        response = open_link(client, "/aterstall/forged")
    elif path == "/aterstall/{token}":
        response = client.get(link)
    else:
        open_link(client, link)
        if path.endswith("klart"):
            submit(client, GOOD)
        response = client.get(path)
    assert response.status_code in (200, 303)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    body = response.get_data(as_text=True)
    assert "http://" not in body.replace(BASE_URL, "") and "https://" not in body.replace(BASE_URL, "")


# -- one second: the expiry ---------------------------------------------------------------------------------
def test_the_link_works_at_its_last_second(app, client, anna, clock):
    _, link = anna
    clock(LIFETIME)
    assert is_form(open_link(client, link))
    assert submit(client, GOOD).status_code == 303


def test_the_link_is_dead_one_second_later(app, client, anna, clock):
    _, link = anna
    clock(LIFETIME)
    assert is_form(open_link(client, link))
    clock(LIFETIME + 1)
    assert is_dead(client.get("/aterstall/nytt-losenord"))
    csrf = csrf_of(client.get("/").get_data(as_text=True))
    with client.session_transaction() as session:
        session["reset_token"] = link.rsplit("/", 1)[1]
    response = client.post("/aterstall/nytt-losenord",
                           data={"csrf_token": csrf, "password": GOOD, "confirmation": GOOD})
    assert is_dead(response)
    assert stored_passwords(app) == []


def test_a_token_of_another_purpose_is_refused(app, client, anna):
    case_id, link = anna
    with app.app_context():
        payload = tokens.read("reset", link.rsplit("/", 1)[1])
        other = tokens.make("sign-in", payload)
    assert is_dead(open_link(client, f"/aterstall/{other}"))


# -- a dead link: one calm page ------------------------------------------------------------------------------
def test_expired_used_forged_and_dead_links_get_one_calm_page(app, client, anna, clock, runner, d, tmp_path):
    case_id, link = anna
    token = link.rsplit("/", 1)[1]
    pages = {}
    pages["forged"] = open_link(client, "/aterstall/" + token[:-3] + "AAA")
    pages["garbage"] = open_link(client, "/aterstall/hej")
    with app.app_context():
        second = reset_link(ask_for_help("anna@privat.example.se"))  # the same case, a second message
    open_link(client, link)
    submit(client, GOOD)
    pages["used"] = open_link(client, link)
    pages["dead"] = open_link(client, second)  # made before the new password
    with app.app_context():
        clock(0)
        third = reset_link(ask_for_help("anna@privat.example.se"))
    clock(LIFETIME + 1)
    pages["expired"] = open_link(client, third)
    bodies = {name: page.get_data(as_text=True) for name, page in pages.items()}
    assert all(is_dead(page) for page in pages.values()), bodies
    assert len(set(bodies.values())) == 1, "the reasons must not be told apart"
    body = bodies["used"]
    assert 'href="/"' in body and "Börja om" in body  # the way to start again


def test_another_link_of_the_account_dies_with_the_new_password(app, client, anna):
    case_id, first = anna
    with app.app_context():
        second = reset_link(ask_for_help("anna.andersson@exempel.se"))
    assert first != second
    other = app.test_client()
    page = open_link(other, second)  # opened before, used after the first link
    assert is_form(page)
    open_link(client, first)
    assert submit(client, GOOD).status_code == 303
    assert is_dead(submit(other, "ett helt annat lösenord", page=page.get_data(as_text=True)))
    assert len(stored_passwords(app)) == 1
    assert len(changed_messages(app, case_id)) == 1


# -- the link dies when the account changes ----------------------------------------------------------------------
def _change_first_address(d):
    next(p for p in d.data["persons"] if p["id"] == "anna")["emails"][0] = "ny.adress@exempel.se"


def _deactivate(d):
    anna_account(d)["status"] = "inactive"


def _lock(d):
    anna_account(d)["locked"] = True


def _other_login(d):
    anna_account(d)["login_portals"] = ["other"]


def _directory_password(d):
    anna_account(d)["password_hash"] = passwords.hash_password("skolans eget nya lösenord")


def _accounts_elsewhere(d):
    d.data["organisations"][0]["account_management"] = "external"


def _account_gone(d):
    d.data["accounts"] = [a for a in d.data["accounts"] if a["id"] != "acc-anna"]


CHANGES = [_change_first_address, _deactivate, _lock, _other_login, _directory_password, _accounts_elsewhere,
           _account_gone]


def test_a_reimport_that_changes_nothing_keeps_the_link_alive(app, client, anna, runner, d, tmp_path):
    _, link = anna
    reimport(runner, d, tmp_path, "same")
    assert is_form(open_link(client, link))


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_the_link_dies_when_the_account_changes(app, client, anna, runner, d, tmp_path, change):
    _, link = anna
    change(d)
    reimport(runner, d, tmp_path, "changed")
    assert is_dead(open_link(client, link))


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_change_between_opening_and_posting_refuses_the_post(app, client, anna, runner, d, tmp_path, change):
    case_id, link = anna
    page = open_link(client, link).get_data(as_text=True)
    change(d)
    reimport(runner, d, tmp_path, "changed")
    assert is_dead(submit(client, GOOD, page=page))
    assert stored_passwords(app) == []
    assert changed_messages(app, case_id) == []


def test_the_link_dies_when_a_password_is_set_through_the_portal_meanwhile(app, client, anna):
    _, link = anna
    with app.app_context():
        db.session.add(PortalPassword(account_id="acc-anna", password_hash=passwords.hash_password("x" * 20),
                                      set_at=func.now()))
        db.session.commit()
    assert is_dead(open_link(client, link))


# -- item 5: locked, inactive, no address, another login, managed elsewhere: never a link --------------------
NEVER = [("locked@exempel.se", "acc-locked"), ("inactive@exempel.se", "acc-inactive"), ("nomail", "acc-nomail"),
         ("sso@exempel.se", "acc-sso")]


@pytest.mark.parametrize(("typed", "account"), NEVER, ids=[a for _, a in NEVER])
def test_the_worker_offers_no_link_and_a_made_token_is_refused_at_the_post(app, client, d, typed, account):
    with app.app_context():
        case_id = ask_for_help(typed)
        for row in messages(case_id, "personal_findings"):
            assert row.context["reset"] is False
        # a token made by hand with the account's true fingerprint, as if a message had carried one
        state = account_state(account, case(case_id))
        assert state is not None and not state.eligible
        made = tokens.make("reset", {"a": account, "c": case_id, "f": state.fingerprint})
    assert is_dead(open_link(client, f"/aterstall/{made}"))
    csrf = csrf_of(client.get("/").get_data(as_text=True))
    with client.session_transaction() as session:
        session["reset_token"] = made
    assert is_dead(client.post("/aterstall/nytt-losenord",
                               data={"csrf_token": csrf, "password": GOOD, "confirmation": GOOD}))
    assert stored_passwords(app) == []
    assert changed_messages(app, case_id) == []


def test_accounts_managed_elsewhere_get_no_personal_message_and_a_made_token_is_refused(app, client, d):
    from .reset_support import EXTERNAL_SCHOOL

    with app.app_context():
        case_id = ask_for_help("ext@exempel.se", school=EXTERNAL_SCHOOL)
        assert [m.template for m in messages(case_id)] == ["public_guidance"]
        made = tokens.make("reset", {"a": "acc-ext", "c": case_id,
                                     "f": account_state("acc-ext", case(case_id)).fingerprint})  # type: ignore[union-attr]
    assert is_dead(open_link(client, f"/aterstall/{made}"))


@pytest.mark.parametrize(("typed", "reset"), [("anna@privat.example.se", True), ("locked@exempel.se", False),
                                              ("inactive@exempel.se", False), ("sso@exempel.se", False)])
def test_the_worker_asks_for_a_link_exactly_when_the_reset_check_passed(app, d, typed, reset):
    from portal.models import CaseFinding

    with app.app_context():
        case_id = ask_for_help(typed)
        outcome = db.session.scalar(select(CaseFinding.outcome).where(
            CaseFinding.case_id == case_id, CaseFinding.check == "account.password_reset"))
        (row,) = messages(case_id, "personal_findings")
        assert (outcome == "pass") is reset is row.context["reset"] is case(case_id).self_service
