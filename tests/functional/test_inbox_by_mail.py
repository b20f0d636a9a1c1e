"""The staff inbox's mail through a real SMTP server on localhost (issue 6): a contact who types their
address in another case gets the sign-in link at the address the directory holds, byte for byte; a
stranger's address gets nothing at all; the link from the received message signs in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.mail.delivery import deliver
from portal.worker import process_queue

from . import smtp
from .inbox_flow import EXP_BJORKHAGA, ask_for_link, build_directory, follow_link

smtp_server = smtp.smtp_server  # the fixture


@pytest.fixture
def directory(app, runner, tmp_path: Path):
    app.config["PORTAL_BASE_URL"] = "https://inloggningshjalp.example.se"
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0


def work(app) -> None:
    with app.app_context():
        process_queue()
        deliver()


def test_the_sign_in_link_arrives_at_the_directorys_address_and_signs_in(app, directory, smtp_server):
    client = app.test_client()
    assert ask_for_link(client, "  " + EXP_BJORKHAGA[2].upper() + " ").status_code == 303
    assert ask_for_link(app.test_client(), "nobody.at.all@exempelby.se").status_code == 303
    work(app)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[EXP_BJORKHAGA[2]]]
    message = smtp_server.messages[0]
    assert message.message["To"] == EXP_BJORKHAGA[2]
    assert "@" not in message.message["Subject"]
    (link,) = re.findall(r"https://inloggningshjalp\.example\.se(/inkorg/logga-in/\S+)", message.part("plain"))
    signed_in = follow_link(client, link)
    assert signed_in.status_code == 303
    assert client.get(signed_in.headers["Location"]).status_code == 200
    assert "Logga ut" in client.get("/inkorg/").get_data(as_text=True)
