"""The public POST's one lean write (portal/recording.py) under concurrency and after the database
dropped its connections: every request recorded, one case per question, never an error page."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from checks.identifiers import parse_identifier
from portal import diagnosis
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
def test_a_post_after_the_server_closed_every_pooled_connection_is_recorded(app, client, directory):
    """No pre-ping: a pooled connection the server has terminated is found at checkout and replaced."""
    walk(client, "g1@exempel.se")  # the pool now holds open connections
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    with admin.connect() as conn:
        terminated = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar_one():
            time.sleep(0.05)
    admin.dispose()
    assert terminated >= 1
    time.sleep(0.1)  # the goodbye reaches the pooled sockets
    response, _ = walk(client, "g1@exempel.se", symptom="password_login_failed")
    assert (response.status_code, response.headers["Location"]) == (303, "/hjalp/resultat")
    assert counts(app) == (2, 2)
