"""Delivering the outbox to a real SMTP server on localhost: from the public form and the worker to a
message in the server's mailbox, with the headers a mail program shows, in Swedish, with the case
reference, and never to an address other than the row's (PRODUCT.md step 6, N4)."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail.delivery import deliver
from portal.models import OutboxMessage
from portal.worker import process_queue

from . import smtp
from .directory_builder import Directory
from .flow import REFERENCE, walk

smtp_server = smtp.smtp_server  # the fixture

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
MESSAGE_ID = re.compile(r"<\d+\.[0-9a-f]{16}@exempel\.se>")


@pytest.fixture
def directory(app, runner, tmp_path: Path) -> Directory:
    app.config["PORTAL_MAIL_FROM"] = "Inloggningshjälpen <noreply@exempel.se>"
    app.config["PORTAL_BASE_URL"] = "https://hjalp.exempel.se"
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1", emails=["Greta.Gren@Exempel.se"])
    d.add_guardian("locked", child="c2", account={"locked": True})
    d.add_contact(kind="school_admin", name="Expeditionen", email="Expedition@Exempel.se", school="11111111")
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def ask(app, typed: str) -> str:
    """The public flow to its result page; returns the case reference shown there."""
    client = app.test_client()
    response, _seen = walk(client, typed)
    assert response.status_code == 303
    match = REFERENCE.search(client.get("/hjalp/resultat").get_data(as_text=True))
    assert match
    return match.group(1)


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def test_a_typed_address_that_matches_nobody_gets_one_message_in_its_mailbox(app, runner, directory, smtp_server):
    reference = ask(app, "Nils.Nobody@Exempel.se")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "2 brev skickade" in result.output

    [mail] = smtp_server.to("Nils.Nobody@Exempel.se")
    message = mail.message
    assert mail.mail_from == "noreply@exempel.se"
    assert message["From"] == "Inloggningshjälpen <noreply@exempel.se>"
    assert message["To"] == "Nils.Nobody@Exempel.se"  # as typed, byte for byte
    assert message["Subject"] == f"Inloggningshjälpen: inget konto hittades på den här adressen (ärende {reference})"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    assert MESSAGE_ID.fullmatch(message["Message-ID"])
    assert mail.data.isascii()  # 7-bit: encoded words in the headers, quoted-printable bodies
    assert message.defects == [] and all(p.defects == [] for p in message.iter_parts())
    assert all(len(line) <= 78 for line in mail.data.split(b"\r\n"))
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())

    text, html = mail.part("plain"), mail.part("html")
    for body in (text, html):
        assert reference in body
        assert "Vi hittade inget konto med den här adressen" in body
        assert "personnummer" in body and "användarnamn" in body  # what to try instead
        assert "Björkhagaskolan" in body
        assert "Skolan har fått veta" in body
    assert "https://hjalp.exempel.se/?role=guardian&service=school_platform&school=11111111" in text
    assert "Nils.Nobody" not in text + html  # the address is not repeated in the message
    assert "<img" not in html and '<html lang="sv">' in html


def test_the_contact_gets_a_link_to_the_case_and_not_the_findings(app, runner, directory, smtp_server):
    reference = ask(app, "locked@exempel.se")
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [mail] = smtp_server.to("Expedition@Exempel.se")
    message = mail.message
    assert message["To"] == "Expedition@Exempel.se"
    assert reference in message["Subject"] and "@" not in message["Subject"]
    link = "https://hjalp.exempel.se/inkorg/arenden/" + reference.replace("-", "")
    text, html = mail.part("plain"), mail.part("html")
    assert link in text and f'href="{link}"' in html
    for body in (text, html):
        assert reference in body and "Björkhagaskolan" in body
        assert "ärende" in body
        for private in ("låst", "locked", "Person locked", "l***"):
            assert private not in body


def test_where_accounts_are_managed_elsewhere_the_typed_address_is_told_whom_to_ask(
        app, runner, directory, smtp_server, tmp_path):
    directory.data["organisations"][0]["account_management"] = "external"
    directory.add_contact(kind="municipal_it", name="Kommunens IT-support", email="it@exempel.se",
                          organisation="kommun")
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "ext.json"))]).exit_code == 0
    reference = ask(app, "nobody@exempel.se")
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [mail] = smtp_server.to("nobody@exempel.se")
    text = mail.part("plain")
    assert reference in text and reference in mail.message["Subject"]
    assert "huvudmannens eget system" in text
    assert "Kommunens IT-support, it@exempel.se" in text
    assert "inget konto" not in text.lower() and "inget konto" not in mail.message["Subject"]


def test_nothing_is_ever_sent_to_an_address_other_than_the_rows(app, runner, directory, smtp_server, tmp_path):
    for typed in ("Greta.Gren@Exempel.se", "greta.gren@exempel.se", "locked@exempel.se", "nobody@exempel.se",
                  "g1", "Someone.Else@Exempel.se"):
        ask(app, typed)
    assert runner.invoke(args=["worker"]).exit_code == 0
    sent = [r for r in rows(app) if r.status == "sent"]
    assert {r.template for r in sent} >= {"no_account", "contact_notification"}
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == sorted(r.to_address for r in sent)
    for mail in smtp_server.messages:
        assert len(mail.rcpt_tos) == 1
        assert mail.message["To"] == mail.rcpt_tos[0]
        assert not mail.message["Cc"] and not mail.message["Bcc"]
    by_id = {r.message_id: r for r in sent}
    assert {m.message_id for m in smtp_server.messages} == set(by_id)
    for mail in smtp_server.messages:
        assert mail.rcpt_tos == [by_id[mail.message_id].to_address]


@pytest.mark.skipif(not (TEMPLATES / "personal_findings").is_dir(),
                    reason="the personal_findings message is built on another branch")
def test_a_matched_person_gets_mail_only_at_the_first_registered_address(app, runner, directory, smtp_server):
    reference = ask(app, "g1")
    assert runner.invoke(args=["worker"]).exit_code == 0
    assert [m.rcpt_tos for m in smtp_server.messages] == [["Greta.Gren@Exempel.se"]]
    assert reference in smtp_server.messages[0].message["Subject"]


def test_the_default_outbox_folder_holds_each_message_as_an_eml_file(app, runner, directory):
    assert app.config["PORTAL_MAIL_URL"] == "outbox:"
    reference = ask(app, "nobody@exempel.se")
    assert "2 brev skickade" in runner.invoke(args=["send-mail"]).output
    files = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(files) == 2
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert {m["To"] for m in messages} == {"nobody@exempel.se", "Expedition@Exempel.se"}
    assert all(reference in m["Subject"] for m in messages)
    assert {r.message_id for r in rows(app)} == {m["Message-ID"] for m in messages}
    assert runner.invoke(args=["send-mail"]).output.count("0 brev skickade") == 1  # nothing twice
    assert len(list((Path(app.instance_path) / "mail").glob("*"))) == 2


def test_the_console_prints_each_message_readably(app, runner, directory):
    app.config["PORTAL_MAIL_URL"] = "console:"
    reference = ask(app, "nobody@exempel.se")
    output = runner.invoke(args=["send-mail"]).output
    assert output.count("To: ") == 2
    assert "To: nobody@exempel.se" in output
    assert f"Subject: Inloggningshjälpen: inget konto hittades på den här adressen (ärende {reference})" in output
    assert "Vi hittade inget konto med den här adressen." in output  # decoded, not quoted-printable
    assert "2 brev skickade" in output


def test_the_worker_delivers_what_it_has_just_written(app, directory, smtp_server):
    ask(app, "nobody@exempel.se")
    with app.app_context():
        assert process_queue().processed == 1
        run = deliver()
    assert (run.sent, run.retrying, run.failed) == (2, 0, 0)
    assert all(r.status == "sent" and r.rendered is None and r.sent_at for r in rows(app))


@pytest.mark.parametrize("url", ["ftp://mail.exempel.se", "smtp://", "smtp://mail.exempel.se:smtp", "mail.exempel.se"])
def test_a_mail_url_the_portal_cannot_use_is_refused_by_its_name(app, runner, url):
    app.config["PORTAL_MAIL_URL"] = url
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "Fel: PORTAL_MAIL_URL" in result.output
    assert "Traceback" not in result.output
