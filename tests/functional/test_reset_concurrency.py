"""One reset link posted by 50 browsers at the same instant (issue 5, "What it must show").

Each thread has its own test client that opened the link (the token in its own session) and holds its
own form; a barrier releases all the POSTs at once. On SQLite and on PostgreSQL alike (the suite runs
on both), exactly one of them stores its password and queues "password changed"; the other 49 get the
calm page of a used link.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal import passwords
from portal.extensions import db
from portal.models import CaseEvent, PortalPassword, SpentToken

from .flow import token as csrf_of
from .reset_support import BASE_URL, directory, is_dead, load, messages, open_link, reset_link
from .reset_support import ask as ask_for_help

PEOPLE = 50


def test_fifty_posts_of_one_link_at_once_store_one_password_and_one_mail(app, runner, tmp_path):
    app.config["PORTAL_BASE_URL"] = BASE_URL
    load(runner, directory(), tmp_path / "directory.json")
    with app.app_context():
        case_id = ask_for_help("anna.andersson@exempel.se")
        link = reset_link(case_id)
    clients = [app.test_client() for _ in range(PEOPLE)]
    forms = [csrf_of(open_link(c, link).get_data(as_text=True)) for c in clients]
    chosen = [f"mitt eget lösenord nummer {i}" for i in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    answers: list[object] = [None] * PEOPLE

    def post(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = clients[i].post("/aterstall/nytt-losenord", data={
                "csrf_token": forms[i], "password": chosen[i], "confirmation": chosen[i]})
        except Exception as exc:  # noqa: BLE001 - reported below, with the others' outcomes
            answers[i] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [a for a in answers if isinstance(a, Exception) or a is None]
    assert errors == []
    winners = [i for i, a in enumerate(answers) if a.status_code == 303]  # type: ignore[union-attr]
    assert len(winners) == 1, [getattr(a, "status_code", a) for a in answers]
    assert answers[winners[0]].headers["Location"] == "/aterstall/klart"  # type: ignore[union-attr]
    assert all(is_dead(a) for i, a in enumerate(answers) if i != winners[0])

    with app.app_context():
        (stored,) = db.session.scalars(select(PortalPassword.password_hash)).all()
        assert [i for i in range(PEOPLE) if passwords.verify(stored, chosen[i])] == winners
        assert len(messages(case_id, "password_changed")) == 1
        assert db.session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.action == "password_changed")) == 1
        assert db.session.scalar(select(func.count()).select_from(SpentToken)) == 1
