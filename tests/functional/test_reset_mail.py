"""The two messages this part owns, as the person reads them: `personal_findings` (with the reset link
where the case is self-served) and `password_changed`. Delivery is another part's: here a message is
the outbox row and what `portal.mail.render` makes of it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from portal import tokens
from portal.mail import render
from portal.worker import process_queue

from . import reset_support
from .flow import walk
from .reset_support import (
    BASE_URL,
    FIRST_ADDRESS,
    GOOD,
    USERNAME,
    link_path,
    load,
    messages,
    open_link,
    personal,
    submit,
)
from .reset_support import ask as ask_for_help

d = reset_support.d  # the fixture

SUBJECT = re.compile(r"^Inloggningshjälpen: svar på ärende [0-9A-Z]{4}-[0-9A-Z]{4}$")
POISON = "evil.example"


def no_personal_data(subject: str) -> None:
    for private in ("@", "Anna", "Andersson", USERNAME, "anna", "locked"):
        assert private not in subject, subject


def test_a_self_served_case_gets_its_findings_and_a_reset_link(app, d):
    with app.app_context():
        case_id = ask_for_help("anna@privat.example.se")  # her second address
        (row,) = messages(case_id, "personal_findings")
        assert row.to_address == FIRST_ADDRESS
        message = render(row)
    assert SUBJECT.match(message.subject)
    no_personal_data(message.subject)
    reference = message.subject.rsplit(" ", 1)[1]
    assert reference in message.text and reference in message.html
    assert link_path(message).startswith("/aterstall/")
    assert "Du kan välja ett nytt lösenord själv" in message.text
    assert "Länken gäller i 30 minuter" in message.text
    # the advice that she typed another address than her first, in the check's own words
    assert "Du skrev en av dina andra e-postadresser" in message.text
    assert "Ärendet har gått till" not in message.text  # self-served: nobody else is told


def test_the_link_names_no_person_and_its_minutes_start_when_the_message_is_rendered(app, client, d, clock):
    with app.app_context():
        case_id = ask_for_help("anna.andersson@exempel.se")
        (row,) = messages(case_id, "personal_findings")
        assert set(row.context) == {"reference", "reset", "account", "locale"}  # no link stored before rendering
        clock.move(3600)  # delivered an hour after the diagnosis
        link = link_path(render(row))
        payload = tokens.read("reset", link.rsplit("/", 1)[1])
    # the account's id, the case's id and the fingerprint: no name, address or identifier
    assert set(payload) == {"a", "c", "f"} and payload["a"] == "acc-anna" and payload["c"] == case_id
    assert len(payload["f"]) == 32
    clock.move(30 * 60)
    assert "Välj ett nytt lösenord" in open_link(client, link).get_data(as_text=True)


def test_the_lifetime_in_the_message_follows_the_configuration(app, d):
    app.config["PORTAL_TOKEN_MAX_AGE_RESET"] = 600
    with app.app_context():
        assert "Länken gäller i 10 minuter" in personal(ask_for_help("anna.andersson@exempel.se")).text


class Poisoned(FlaskClient):
    """A client whose every request carries a forged Host and X-Forwarded-Host."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["headers"] = {**dict(kwargs.get("headers") or {}), "Host": POISON, "X-Forwarded-Host": POISON}
        return super().open(*args, **kwargs)


def test_a_poisoned_host_never_reaches_a_link(app, d):
    app.test_client_class = Poisoned
    response, _ = walk(app.test_client(), "anna.andersson@exempel.se")
    assert response.status_code == 303
    with app.app_context():
        process_queue()
        (row,) = [m for m in messages_all() if m.template == "personal_findings"]
    # delivery renders outside any request; render inside a poisoned one too
    with app.test_request_context("/", headers={"Host": POISON, "X-Forwarded-Host": POISON}):
        message = render(row)
        assert POISON not in message.text + message.html
        assert link_path(message)  # from PORTAL_BASE_URL
        assert all(url.startswith(BASE_URL) for url in re.findall(r"https?://\S+", message.text))


def messages_all():
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import OutboxMessage

    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


HELPED = "Ärendet har gått till skolans administratör (Expeditionen), som hör av sig till dig."
NO_CONTACT = ("Det här kan du inte ordna själv: det är huvudmannens IT-support som kan hjälpa dig. Vi kunde inte "
              "skicka ärendet dit, så kontakta dem själv.")  # the directory has no such contact
ROUTED = [
    ("locked@exempel.se", "Ditt konto är spärrat för säkerhets skull", HELPED),
    ("inactive@exempel.se", "Ditt konto är inte aktivt just nu", HELPED),
    ("sso@exempel.se", "Ditt konto loggar in via huvudmannens gemensamma inloggning", NO_CONTACT),
]


@pytest.mark.parametrize(("typed", "finding", "helper"), ROUTED, ids=["locked", "inactive", "other-login"])
def test_a_routed_case_says_what_was_found_and_who_will_help_and_has_no_link(app, d, typed, finding, helper):
    with app.app_context():
        case_id = ask_for_help(typed)
        message = personal(case_id)
    assert SUBJECT.match(message.subject)
    no_personal_data(message.subject)
    assert finding in message.text and finding in message.html
    assert "/aterstall/" not in message.text + message.html
    assert helper in message.text
    assert message.subject.rsplit(" ", 1)[1] in message.text


def test_an_account_locked_after_the_diagnosis_gets_no_link_but_a_way_to_start_again(app, d, runner, tmp_path):
    with app.app_context():
        case_id = ask_for_help("anna.andersson@exempel.se")
    next(a for a in d.data["accounts"] if a["id"] == "acc-anna")["locked"] = True
    load(runner, d, tmp_path / "locked.json")
    with app.app_context():
        message = personal(case_id)
    assert "/aterstall/" not in message.text + message.html
    assert "Kontot har ändrats sedan du frågade" in message.text and f"{BASE_URL}/" in message.text


def test_password_changed_says_when_and_what_to_do_if_it_was_not_you(app, client, d):
    with app.app_context():
        case_id = ask_for_help("anna@privat.example.se")
        link = link_path(personal(case_id))
    open_link(client, link)
    assert submit(client, GOOD).status_code == 303
    with app.app_context():
        (row,) = messages(case_id, "password_changed")
        message = render(row)
        reference = personal(case_id).subject.rsplit(" ", 1)[1]
    assert row.to_address == FIRST_ADDRESS
    assert message.subject == f"Inloggningshjälpen: ditt lösenord är bytt (ärende {reference})"
    no_personal_data(message.subject)
    when = dt.datetime.fromisoformat(row.context["changed_at"]).astimezone(ZoneInfo("Europe/Stockholm"))
    assert f"kl. {when:%H.%M}" in message.text and str(when.year) in message.text
    assert "Lösenordet till ditt konto i skolplattformen byttes" in message.text
    assert "Var det inte du? Kontakta skolan" in message.text and reference in message.text
    assert "Skolans administratör: Expeditionen, exp@exempel.se" in message.text
    assert GOOD not in message.text + message.html  # never the password itself
    assert f'href="{BASE_URL}/"' in message.html
