"""The public POST's one lean write (portal/recording.py) under concurrency and after the database
dropped its connections: every request recorded, one case per question, never an error page."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from checks.identifiers import parse_identifier
from portal import create_app, diagnosis
from portal.cases import open_case
from portal.extensions import db
from portal.models import Case, CaseEvent, Job
from portal.worker import process_queue

from ..conftest import ON_POSTGRES
from .directory_builder import Directory
from .flow import walk


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = Directory()
    d.add_guardian("g1", child="c1")
    d.add_contact(kind="school_admin", name="Expeditionen", email="exp@exempel.se", school="11111111")
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Case)),
                db.session.scalar(select(func.count()).select_from(Job)))


def ask_in_threads(app, questions: list[tuple[str, str]]) -> list[str]:
    """Every (symptom, identifier) recorded at once, each from its own thread; their references."""
    start = threading.Barrier(len(questions))
    references: list[str] = [""] * len(questions)
    failures: list[BaseException] = []

    def ask(i: int, symptom: str, typed: str) -> None:
        try:
            with app.app_context():
                q = diagnosis.question("guardian", "school_platform", symptom, "11111111")
                start.wait()
                references[i] = open_case(q, parse_identifier(typed, q.today), typed_email=typed).reference
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=ask, args=(i, *question)) for i, question in enumerate(questions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return references


def test_the_same_question_posted_at_once_is_one_case_with_every_job_queued(app, directory):
    references = ask_in_threads(app, [("forgot_password", "g1@exempel.se")] * 8)
    assert len(set(references)) == 1
    assert counts(app) == (1, 8)


def test_different_questions_posted_at_once_are_each_a_case(app, directory):
    questions = [(symptom, f"person{i}@exempel.se") for i in range(4)
                 for symptom in ("forgot_password", "password_login_failed")]
    references = ask_in_threads(app, questions)
    assert len(set(references)) == 8
    assert counts(app) == (8, 8)


def test_the_history_starts_received_at_the_moment_of_the_post_then_diagnosed(app, client, directory):
    walk(client, "g1@exempel.se")
    with app.app_context():
        created = db.session.scalars(select(Case.created_at)).one()
        process_queue()
        history = [(e.actor, e.action, e.at) for e in db.session.scalars(
            select(CaseEvent).order_by(CaseEvent.at, CaseEvent.id))]
    assert [(actor, action) for actor, action, _ in history] == [("portal", "received"), ("worker", "diagnosed")]
    assert history[0][2].replace(tzinfo=None) == created.replace(tzinfo=None)


@pytest.mark.skipif(not ON_POSTGRES, reason="a server's connections: PostgreSQL only")
def test_a_post_after_the_server_closed_every_pooled_connection_is_recorded(app, directory):
    """No pre-ping: a pooled connection the server has terminated is found at checkout and replaced. Only
    this app's own connections are terminated (picked by an application_name of its own): another engine's
    pooled connection killed under it would be garbage collected, still open, in whichever test runs later."""
    name = f"test-recording-{os.getpid()}-{time.monotonic_ns()}"
    options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"application_name": name}}
    own = create_app({"TESTING": True, "PORTAL_SECRET_KEY_FOR_TESTS": True, "SQLALCHEMY_ENGINE_OPTIONS": options})
    client = own.test_client()
    ours = "FROM pg_stat_activity WHERE datname = current_database() AND application_name = :name"
    try:
        walk(client, "g1@exempel.se")  # the pool now holds open connections
        admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
        with admin.connect() as conn:
            terminated = conn.execute(text(f"SELECT count(pg_terminate_backend(pid)) {ours}"),
                                      {"name": name}).scalar_one()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and conn.execute(text(f"SELECT count(*) {ours}"),
                                                               {"name": name}).scalar_one():
                time.sleep(0.05)
        admin.dispose()
        assert terminated >= 1
        time.sleep(0.1)  # the goodbye reaches the pooled sockets
        response, _ = walk(client, "g1@exempel.se", symptom="password_login_failed")
        assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/resultat")
        assert counts(own) == (2, 2)
    finally:
        with own.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize(("language", "expected"), [("", "sv"), ("accept:en-GB,en;q=0.9", "en"), ("link:en", "en"),
                                                    ("link:sv", "sv")])
def test_the_job_keeps_the_language_of_the_pages_the_person_used(app, client, directory, language, expected):
    if language.startswith("link:"):
        assert client.get(f"/sprak/{language[5:]}?nasta=/").status_code == 303
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en" if language == "link:sv" else "sv"
    elif language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language[7:]
    walk(client, "g1@exempel.se")
    with app.app_context():
        assert db.session.scalars(select(Job.locale)).one() == expected


def test_a_form_token_signed_by_flask_wtf_itself_is_accepted_and_ours_by_flask_wtf(app, client, directory):
    """portal/signing.py keeps Flask-WTF's token format: the session's raw token signed the same way."""
    from flask_wtf.csrf import generate_csrf as flask_wtf_generate
    from flask_wtf.csrf import validate_csrf as flask_wtf_validate

    from portal import signing

    with app.test_request_context("/"):
        ours = signing.generate_csrf()
        flask_wtf_validate(ours)
    with app.test_request_context("/"):
        theirs = flask_wtf_generate()
        signing.validate_csrf(theirs)
    walk(client, "")  # fill the earlier answers
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    with app.test_request_context("/"):
        from flask import session as request_session

        request_session["csrf_token"] = raw
        token = flask_wtf_generate()
    response = client.post("/hjalp/uppgift", data={"csrf_token": token, "identifier": "g1@exempel.se"})
    assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/resultat")
    refused = client.post("/hjalp/uppgift", data={"csrf_token": token[:-2] + "xx", "identifier": "g1@exempel.se"})
    assert refused.status_code == 400


def test_the_final_post_signs_the_session_once_and_no_new_form_token(app, client, directory):
    """Counted rather than timed: the POST checks the session's and the form's signatures and signs the
    new session cookie; it derives no key again and signs no CSRF token for a page it does not show."""
    from .test_queue import counting

    walk(client, "")
    page = client.get("/hjalp/uppgift").get_data(as_text=True)
    from .flow import token

    form = token(page)
    client.post("/hjalp/uppgift", data={"csrf_token": form, "identifier": "warm@exempel.se"})  # keys derived
    with counting(app) as work:
        response = client.post("/hjalp/uppgift", data={"csrf_token": form, "identifier": "g1@exempel.se"})
    assert response.status_code == 303
    # each HMAC in one call to OpenSSL (portal/signing.py: OneCallHMAC), none through hmac.new
    assert work.hashes["hmac.digest from portal.signing"] == 3
    assert not any(name.startswith("hmac.new from itsdangerous") for name in work.hashes)
