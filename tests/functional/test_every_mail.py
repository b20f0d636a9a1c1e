"""Every kind of mail, made on the demo directory the way people make them (tests/functional/mail_gallery.py),
read as the person or contact who gets it: no mail without a link speaks of one, each says where to turn
for that role, one sign-off, one "do not reply", and names nobody twice."""

from __future__ import annotations

import re

import pytest

from .mail_gallery import LOTTA, MALIN, REASON, RESOLVED, every_mail
from .smtp import Received, SmtpServer

LINKS = re.compile(r"https?://\S+/(aterstall|inkorg/logga-in)/\S+")


@pytest.fixture
def mails(app, runner) -> dict[str, list[Received]]:
    assert runner.invoke(args=["demo"]).exit_code == 0
    server = SmtpServer()
    server.up()
    try:
        received = every_mail(app, server)
    finally:
        server.down()
    return {address: [m for m in received if m.rcpt_tos == [address]] for m in received
            for address in m.rcpt_tos}


def text(messages: list[Received]) -> str:
    return "\n\n".join(m.part("plain") for m in messages)


def test_every_kind_of_mail_is_made(mails):
    subjects = [m.message["Subject"] for ms in mails.values() for m in ms]
    for kind in ("svar på ärende", "inget konto hittades", "så får du hjälp", "ett ärende till dig",
                 "ditt lösenord är bytt", "är löst", "länk för att logga in i inkorgen"):
        assert any(kind in s for s in subjects), (kind, subjects)


def test_no_mail_without_a_link_mentions_one(mails):
    checked = 0
    for messages in mails.values():
        for message in messages:
            plain = message.part("plain")
            if not LINKS.search(plain):
                checked += 1
                assert "länk" not in plain.lower(), (message.message["Subject"], plain)
                assert "länk" not in message.part("html").lower()
    assert checked >= 6  # the replies without a link, "no account", guidance, notifications, resolved


def test_each_mail_signs_off_once_and_says_do_not_reply_once(mails):
    for messages in mails.values():
        for message in messages:
            plain = message.part("plain")
            assert plain.count("Vänliga hälsningar") == 1, plain
            assert plain.count("Svar på det läses inte") == 1, plain
            assert "Svara inte" not in plain


def test_a_reply_names_where_to_turn_for_the_role_and_nobody_twice(mails):
    karl = text(mails["karl.sjogren@sjostad.exempel.se"])
    assert "skolan" not in karl  # a municipal officer is not sent to a school
    assert "när du har kontakt med myndighetens support" in karl
    mats = text(mails["mats.ek@exempelby.exempel.se"])
    for messages in mails.values():
        body = text(messages)
        assert "rektorn (Malin Ek, rektor" not in body
        assert "Skolan kan känna dig" not in body
    assert "Ärendet har gått till Malin Ek, rektor Björkhagaskolan, som hör av sig" in mats
    # no agreement and no administrator explain why nobody gets in: no advice that assumes otherwise
    assert "Kommunen har inget avtal" in karl
    assert "Prova att logga in från en annan dator" not in karl and "fråga kommunens administratör" not in karl


def test_the_resolved_mail_names_who_resolved_it_and_the_notification_says_why(mails):
    (resolved,) = [m for m in mails["lena.persson@exempel.se"] if "är löst" in m.message["Subject"]]
    assert f"{LOTTA[1]} har löst ditt ärende" in resolved.part("plain")
    assert f"{LOTTA[1]} skriver:" in resolved.part("plain") and RESOLVED in resolved.part("plain")
    passed = [m for ms in mails.values() for m in ms if REASON in m.part("plain")]
    assert len(passed) == 1
    assert f"{MALIN[1]} har skickat ärendet vidare till dig. Skälet: {REASON}" in passed[0].part("plain")
