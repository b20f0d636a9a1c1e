"""The whole reset path through a real SMTP server on localhost (issue 5, "What it must show"): the
public form, the worker, the message in the server's mailbox, its link opened, a new password set, the
second use refused, the "password changed" message; nothing to any other address, ever. And a reset link
whose first delivery met an SMTP outage still works when it finally arrives."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal import passwords
from portal.extensions import db
from portal.models import PortalPassword

from . import reset_support, smtp
from .flow import walk
from .reset_support import (
    BASE_URL,
    FIRST_ADDRESS,
    GOOD,
    is_dead,
    is_form,
    open_link,
    submit,
    work,
)

smtp_server = smtp.smtp_server  # the fixture
school = reset_support.school  # the fixture
LINK = re.compile(re.escape(BASE_URL) + r"(/aterstall/[A-Za-z0-9_.\-]+)")



def the_link(received) -> str:
    found = LINK.findall(received.part("plain"))
    assert len(found) == 1
    assert f'href="{BASE_URL}{found[0]}"' in received.part("html")
    return found[0]


def test_from_the_public_form_to_a_new_password_by_mail(app, school, smtp_server):
    client = app.test_client()
    response, _ = walk(client, "anna@privat.example.se")  # her second address: the mail goes to the first
    assert response.status_code == 303
    work(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[FIRST_ADDRESS]]
    personal = smtp_server.messages[0]
    assert personal.message["To"] == FIRST_ADDRESS  # byte for byte as registered, not as typed

    reader = app.test_client()  # the person's mail app and browser, not the form's session
    page = open_link(reader, the_link(personal))
    assert is_form(page)
    done = submit(reader, GOOD, page=page.get_data(as_text=True))
    assert done.status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(PortalPassword.password_hash)).one()
    assert passwords.verify(stored, GOOD)

    assert is_dead(reader.get(the_link(personal), follow_redirects=True))  # the second use

    work(app)
    changed = smtp_server.messages[1:]
    assert [m.rcpt_tos for m in changed] == [[FIRST_ADDRESS]]
    assert "lösenord" in changed[0].part("plain").lower()
    assert GOOD not in changed[0].data.decode("utf-8", "replace")
    every = {address for m in smtp_server.messages for address in m.rcpt_tos}
    assert every == {FIRST_ADDRESS}


def test_a_reset_link_that_waited_out_an_outage_still_works_and_keeps_its_message_id(
        app, school, smtp_server, clock):
    smtp_server.down()
    walk(app.test_client(), FIRST_ADDRESS)
    first = work(app)
    assert first.sent == 0 and first.retrying == 1
    clock.move(45 * 60)  # longer than a reset link lives
    smtp_server.up()
    while not smtp_server.messages:  # the back-off has passed by now; retry until it goes
        assert work(app).failed == 0
        clock.move(3600)
    clock.move(-3600)  # the person opens the mail at once
    personal = smtp_server.messages[0]
    page = open_link(app.test_client(), the_link(personal))
    assert is_form(page), "the link was made at the first, failed attempt and arrived expired"


def test_a_message_id_is_the_same_for_every_attempt_of_one_message(app, school, smtp_server, clock):
    smtp_server.answer_data(["451 4.3.0 try again later"])
    walk(app.test_client(), FIRST_ADDRESS)
    work(app)
    assert smtp_server.messages == []
    clock.move(3600)
    work(app)
    assert len(smtp_server.messages) == 1
    with app.app_context():
        from portal.models import OutboxMessage

        row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "personal_findings")).one()
        assert row.attempts == 2 and row.message_id == smtp_server.messages[0].message_id


def test_a_person_who_used_the_english_pages_gets_their_messages_in_english_the_contact_in_swedish(
        app, school, smtp_server):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    walk(client, FIRST_ADDRESS)
    walk(client, "locked@exempel.se")  # a locked account: the school is told too
    work(app)
    subjects = {m.rcpt_tos[0]: m.message["Subject"] for m in smtp_server.messages}
    assert subjects[FIRST_ADDRESS].startswith("Inloggningshjälpen: reply to case ")
    assert smtp_server.messages[0].part("plain").startswith("Hello,")
    assert subjects["exp@exempel.se"].startswith("Inloggningshjälpen: ett ärende till dig")

    page = open_link(client, the_link(smtp_server.messages[0]))
    assert page.status_code == 200 and "<h1>Choose a new password</h1>" in page.get_data(as_text=True)
    done = submit(client, GOOD, page=page.get_data(as_text=True))
    assert done.status_code == 303
    work(app)
    assert smtp_server.messages[-1].message["Subject"].startswith("Inloggningshjälpen: your password has been changed")
