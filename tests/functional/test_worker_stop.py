"""Nothing waits ten minutes for a worker that stopped (docs/contracts/README.md, "Running in production"):
on SIGTERM a worker finishes the message it is sending and gives back the rest of what it claimed at once;
a job or a message claimed by a worker that was killed outright is taken again after
PORTAL_JOB_STALE_AFTER / PORTAL_MAIL_STALE_AFTER seconds."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import threading

import pytest
from sqlalchemy import update

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.models import Job
from portal.models.cases import utcnow
from portal.operations import read
from portal.worker import claim_next

from . import smtp, test_queue
from .test_mail_processes import add_rows, environment, outbox, portal
from .test_queue import ask

smtp_server = smtp.smtp_server  # the fixtures
directory = test_queue.directory

pytestmark = pytest.mark.slow


def test_on_sigterm_a_worker_finishes_the_message_it_sends_and_gives_back_the_others_at_once(app, smtp_server):
    add_rows(app, ["first@exempel.se", "second@exempel.se", "third@exempel.se"])
    accepted, go_on = threading.Event(), threading.Event()

    def hold(_received: smtp.Received) -> None:  # the first message is in; the 250 waits
        accepted.set()
        go_on.wait(60)

    smtp_server.on_accept = hold
    worker = subprocess.Popen(portal("worker", "--loop", "--interval", "30"), env=environment(app, smtp_server),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert accepted.wait(120), "no message reached the server"
        worker.send_signal(signal.SIGTERM)
    finally:
        go_on.set()
        smtp_server.on_accept = None
    out, err = worker.communicate(timeout=60)  # it does not sleep out its 30 s interval
    assert worker.returncode == 0, err
    assert "1 brev skickade" in out

    rows = outbox(app)
    assert [(r.to_address, r.status, r.attempts, r.claimed_at) for r in rows] == [
        ("first@exempel.se", "sent", 1, None),
        ("second@exempel.se", "pending", 0, None),  # given back untried: due at once for any worker
        ("third@exempel.se", "pending", 0, None),
    ]
    again = subprocess.run(portal("worker"), env=environment(app, smtp_server), capture_output=True, text=True,
                           timeout=120)
    assert "2 brev skickade" in again.stdout, again.stderr
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "first@exempel.se", "second@exempel.se", "third@exempel.se"]


def test_a_job_claimed_by_a_killed_worker_is_taken_again_after_portal_job_stale_after(app, directory):  # noqa: ARG001
    app.config["PORTAL_JOB_STALE_AFTER"] = 45
    with app.app_context():
        case = ask("nobody@exempel.se")
        job = claim_next()  # a worker took it, then died
        assert job is not None and job.case_id == case.id
        db.session.remove()
        assert claim_next() is None  # a fresh claim is left to its worker

        def claimed_ago(seconds: int) -> None:
            db.session.execute(update(Job).values(claimed_at=utcnow() - dt.timedelta(seconds=seconds)))
            db.session.commit()

        claimed_ago(44)
        assert claim_next() is None
        claimed_ago(46)
        again = claim_next()
        assert again is not None and again.id == job.id and again.attempts == 2


def test_the_stale_limits_come_from_the_environment_and_a_bad_value_is_refused_in_swedish():
    assert read({}).job_stale_after == read({}).mail_stale_after == 600
    settings = read({"PORTAL_JOB_STALE_AFTER": "30", "PORTAL_MAIL_STALE_AFTER": "45"})
    assert (settings.job_stale_after, settings.mail_stale_after) == (30, 45)
    for name in ("PORTAL_JOB_STALE_AFTER", "PORTAL_MAIL_STALE_AFTER"):
        for bad in ("tio minuter", "0", "-5", "1.5"):
            with pytest.raises(ConfigError) as refused:
                read({name: bad})
            assert str(refused.value) == f"{name} ska vara ett helt antal sekunder (minst 1), inte {bad!r}"


def test_an_app_reads_portal_job_stale_after(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PORTAL_JOB_STALE_AFTER", "20")
    monkeypatch.setenv("PORTAL_MAIL_STALE_AFTER", "25")
    app = create_app()
    assert (app.config["PORTAL_JOB_STALE_AFTER"], app.config["PORTAL_MAIL_STALE_AFTER"]) == (20, 25)
