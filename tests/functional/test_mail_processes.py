"""Real worker processes: one killed (SIGKILL) after the SMTP server accepted a message and before it
was marked sent, then restarted; and four `portal send-mail` processes over the same outbox, each
message sent exactly once (counted by Message-ID at the server)."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, make_url, select, text, update
from sqlalchemy.pool import NullPool

from portal.extensions import db
from portal.models import OutboxMessage
from portal.models.cases import utcnow

from ..conftest import ON_POSTGRES
from . import smtp

smtp_server = smtp.smtp_server  # the fixture

pytestmark = pytest.mark.slow


def environment(app, server: smtp.SmtpServer) -> dict[str, str]:
    return {**os.environ, "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PORTAL_INSTANCE_PATH": app.instance_path, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
            "PORTAL_MAIL_URL": server.url, "PORTAL_MAIL_FROM": "Inloggningshjälpen <noreply@exempel.se>"}


def portal(*args: str) -> list[str]:
    return [sys.executable, "-m", "portal.cli", *args]


def add_rows(app, addresses: list[str]) -> None:
    with app.app_context():
        db.session.execute(insert(OutboxMessage), [
            {"template": "contact_notification", "to_address": a, "context": {"reference": "7KQ2M9XD"},
             "status": "pending", "attempts": 0, "created_at": utcnow()} for a in addresses])
        db.session.commit()


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


class OutboxLock:
    """Another connection holding a write lock the worker's "mark sent" has to wait for."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.release: Any = None

    def take(self) -> None:
        if self.url.startswith("sqlite"):
            conn = sqlite3.connect(make_url(self.url).database or "", isolation_level=None, check_same_thread=False)
            conn.execute("BEGIN IMMEDIATE")
            self.release = lambda: (conn.execute("ROLLBACK"), conn.close())
        else:
            engine = create_engine(self.url, poolclass=NullPool)
            connection = engine.connect()
            connection.execute(text("SELECT id FROM outbox FOR UPDATE"))
            self.release = lambda: (connection.rollback(), connection.close(), engine.dispose())


def test_a_worker_killed_between_the_servers_accept_and_marking_sent_loses_nothing(app, smtp_server):
    add_rows(app, ["first@exempel.se", "second@exempel.se"])
    lock = OutboxLock(app.config["SQLALCHEMY_DATABASE_URI"])
    accepted = threading.Event()

    def hold(_received: smtp.Received) -> None:  # the message is in the mailbox; 250 goes back next
        lock.take()
        accepted.set()

    smtp_server.on_accept = hold
    worker = subprocess.Popen(portal("worker"), env=environment(app, smtp_server),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert accepted.wait(120), worker.stderr.read() if worker.poll() is not None else "no message"
        worker.send_signal(signal.SIGKILL)
        worker.wait(60)
    finally:
        smtp_server.on_accept = None
        if lock.release is not None:
            lock.release()
        worker.stderr.close()  # type: ignore[union-attr]
    assert worker.returncode == -signal.SIGKILL
    first, second = outbox(app)  # both were claimed together; neither is marked sent
    assert (first.status, second.status) == ("sending", "sending")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["first@exempel.se"]]

    restarted = subprocess.run(portal("worker"), env=environment(app, smtp_server), capture_output=True,
                               text=True, timeout=120)
    assert "0 brev skickade" in restarted.stdout  # a fresh claim is left to its worker
    with app.app_context():  # time passes: the dead worker's claim grows stale
        stale = dt.timedelta(seconds=int(app.config["PORTAL_MAIL_STALE_AFTER"]) + 1)
        db.session.execute(update(OutboxMessage).values(claimed_at=utcnow() - stale))
        db.session.commit()
    restarted = subprocess.run(portal("worker"), env=environment(app, smtp_server), capture_output=True,
                               text=True, timeout=120)
    assert restarted.returncode == 0, restarted.stderr
    assert "2 brev skickade" in restarted.stdout

    again = smtp_server.to("first@exempel.se")
    assert len(again) == 2
    assert again[0].message_id == again[1].message_id == first.message_id
    assert again[0].data == again[1].data  # the very same message, rendered once
    assert len(smtp_server.to("second@exempel.se")) == 1
    assert [(r.status, r.attempts) for r in outbox(app)] == [("sent", 2), ("sent", 2)]


def test_four_workers_send_each_message_exactly_once(app, smtp_server):
    count = 1000 if ON_POSTGRES else 300
    add_rows(app, [f"kontakt{i}@exempel.se" for i in range(count)])
    env = environment(app, smtp_server)
    workers = [subprocess.Popen(portal("send-mail"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(4)]
    results = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [err for _out, err in results]

    rows = outbox(app)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    at_server = collections.Counter(m.message_id for m in smtp_server.messages)
    assert len(smtp_server.messages) == count
    assert set(at_server.values()) == {1}
    assert set(at_server) == {r.message_id for r in rows}
    row_of = {r.to_address: r for r in rows}
    for mail in smtp_server.messages:
        assert mail.rcpt_tos == [mail.message["To"]]
        assert mail.message_id == row_of[mail.rcpt_tos[0]].message_id
    sent_by = [int(out.split("Utkorgen: ")[1].split(" ")[0]) for out, _err in results]
    assert sum(sent_by) == count


def test_portal_run_with_worker_delivers_the_outbox(tmp_path):
    from .test_run import _healthz, _serve

    server, port, env = _serve(tmp_path, "--worker")
    try:
        assert _healthz(port) is not None
        queue = (
            "from portal import create_app; from portal.importer import import_demo\n"
            "from portal import diagnosis; from portal.cases import open_case\n"
            "from checks.identifiers import parse_identifier\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    import_demo()\n"
            "    q = diagnosis.question('guardian', 'school_platform', 'forgot_password', '41253001')\n"
            "    open_case(q, parse_identifier('nobody@exempel.se', q.today), typed_email='nobody@exempel.se')\n"
        )
        subprocess.run([sys.executable, "-c", queue], env=env, check=True, capture_output=True)
        database = sqlite3.connect(tmp_path / "instance" / "portal.sqlite3")
        rows: list[tuple[str, str]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = database.execute("select template, status from outbox order by id").fetchall()
            if rows and all(status == "sent" for _t, status in rows):
                break
            time.sleep(0.1)
        database.close()
        assert rows and {status for _t, status in rows} == {"sent"}, rows
        files = list((tmp_path / "instance" / "mail").glob("*.eml"))
        assert len(files) == len(rows)
        assert any(b"To: nobody@exempel.se\r\n" in f.read_bytes() for f in files)
    finally:
        server.terminate()
        server.wait(timeout=10)
