"""Rate limits (PRODUCT.md N6): per client address, per identifier and per typed e-mail address,
counted on every request alike, so the limit itself tells a stranger nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Job, OutboxMessage
from portal.worker import process_queue

from .directory_builder import Directory, personnummer
from .flow import masked, post, walk

EXISTING = "g1@exempel.se"
MISSING = "ingen@exempel.se"  # the same length and kind as EXISTING


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1", personnummer=personnummer("19800101"))
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def _submit(client, typed: str, headers: dict[str, str] | None = None):
    """One more POST of the identifier step, with the answers already in the session."""
    return post(client, "/hjalp/uppgift", identifier=typed) if headers is None else \
        client.post("/hjalp/uppgift", data={"csrf_token": _token(client), "identifier": typed}, headers=headers)


def _token(client) -> str:
    from .flow import token

    return token(client.get("/hjalp/uppgift").get_data(as_text=True))


def _statuses_until_refused(app, typed: str, tries: int) -> list[int]:
    client = app.test_client()
    walk(client, typed)
    return [_submit(client, typed).status_code for _ in range(tries)]


@pytest.fixture
def fresh_app(directory):
    """Another app on the same database: its own limiter, as a second process would have."""
    made = []

    def make(**config):
        made.append(create_app({"TESTING": True, **config}))
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


def test_one_address_posting_too_often_gets_the_same_calm_page_whether_or_not_the_account_exists(fresh_app):
    pages = []
    for typed in (EXISTING, MISSING):
        client = fresh_app(PORTAL_LIMIT_SUBMIT="4 per minute").test_client()
        walk(client, typed)  # the first POST
        assert [_submit(client, typed).status_code for _ in range(4)] == [303, 303, 303, 429]
        response = _submit(client, typed)
        pages.append((response.status_code, dict(response.headers), masked(response.get_data(as_text=True))))
    assert pages[0] == pages[1]
    assert pages[0][0] == 429
    assert "För många försök just nu" in pages[0][2]


def test_a_rotated_x_forwarded_for_sent_straight_to_the_app_does_not_get_around_the_limit(app, directory):
    app.config["PORTAL_LIMIT_SUBMIT"] = "3 per minute"
    client = app.test_client()
    walk(client, EXISTING)
    statuses = [_submit(client, EXISTING, {"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
    assert statuses == [303, 303, 429]


def test_a_configured_proxy_is_trusted_for_the_client_address(fresh_app, monkeypatch):
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "1")
    client = fresh_app(PORTAL_LIMIT_SUBMIT="3 per minute").test_client()
    walk(client, EXISTING)
    statuses = [_submit(client, EXISTING, {"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(4)]
    assert statuses == [303, 303, 303, 303]  # four different people behind the proxy


def test_every_public_page_counts_against_the_address_but_the_health_check_does_not(app, directory):
    app.config["PORTAL_LIMIT_PAGES"] = "5 per minute"
    client = app.test_client()
    assert [client.get("/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert client.get("/healthz").status_code == 200


def _send_mail_flags(app, typed: str, times: int) -> tuple[list[str], list[bool]]:
    client = app.test_client()
    _response, _seen = walk(client, typed)
    pages = [masked(client.get("/hjalp/resultat").get_data(as_text=True))]
    for _ in range(times - 1):
        assert _submit(client, typed).status_code == 303
        pages.append(masked(client.get("/hjalp/resultat").get_data(as_text=True)))
    with app.app_context():
        flags = list(db.session.scalars(select(Job.send_mail).order_by(Job.id)))
    return pages, flags


def test_over_the_identifier_limit_the_page_stays_the_same_and_only_the_mail_stops(app, directory):
    app.config["PORTAL_LIMIT_IDENTIFIER"] = "2 per hour"
    pages, flags = _send_mail_flags(app, EXISTING, 4)
    assert flags == [True, True, False, False]
    assert len(set(pages)) == 1  # the third and fourth answer look exactly like the first
    with app.app_context():
        process_queue()
        personal = db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.template == "personal_findings")).all()
    assert personal == [EXISTING, EXISTING]


def test_a_missing_identifier_reaches_the_limit_after_the_same_count_with_the_same_pages(app, directory):
    app.config["PORTAL_LIMIT_IDENTIFIER"] = "2 per hour"
    existing_pages, existing_flags = _send_mail_flags(app, EXISTING, 4)
    with app.app_context():
        db.session.execute(Job.__table__.delete())
        db.session.commit()
    missing_pages, missing_flags = _send_mail_flags(app, MISSING, 4)
    assert missing_flags == existing_flags == [True, True, False, False]
    assert missing_pages == existing_pages


def test_a_typed_address_gets_the_no_account_message_only_up_to_its_own_limit(app, directory):
    app.config["PORTAL_LIMIT_TYPED_EMAIL"] = "1 per hour"
    _pages, flags = _send_mail_flags(app, MISSING, 3)
    assert flags == [True, False, False]
    with app.app_context():
        process_queue()
        sent = db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.template == "no_account")).all()
    assert sent == [MISSING]


def test_the_typed_address_limit_compares_addresses_as_mail_does_not_as_typed(app, directory):
    app.config["PORTAL_LIMIT_TYPED_EMAIL"] = "1 per hour"
    _send_mail_flags(app, "Ingen@Exempel.SE ", 1)
    client = app.test_client()
    walk(client, MISSING)
    with app.app_context():
        flags = list(db.session.scalars(select(Job.send_mail).order_by(Job.id)))
    assert flags == [True, False]


def test_case_and_plus_tag_variants_of_one_address_count_as_that_address(app, directory):
    """Issue 16 row 8: 13 submissions in a minute (victim@, VICTIM@, victim+1@ ... victim+5@, twice over)
    reached one mailbox with 8 "no account" mails; the typed-address limit (3 per hour) now holds."""
    variants = ["victim@exempel.se", "VICTIM@exempel.se", *(f"victim+{n}@exempel.se" for n in range(1, 6)),
                "Victim+x@Exempel.SE", *(f"victim+{n}@exempel.se" for n in range(6, 11))]
    client = app.test_client()
    walk(client, variants[0])
    for typed in variants[1:]:
        assert _submit(client, typed).status_code == 303
    with app.app_context():
        process_queue()
        sent = db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.template == "no_account")).all()
    assert len(variants) == 13
    assert len(sent) == 3, sent
    # another mailbox at the same domain has its own count
    assert _submit(client, "annan+1@exempel.se").status_code == 303
    with app.app_context():
        assert list(db.session.scalars(select(Job.send_mail).order_by(Job.id.desc()).limit(1))) == [True]


def test_limits_switched_off_for_benchmarks_count_nothing(fresh_app, monkeypatch):
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", "0")
    app = fresh_app(PORTAL_LIMIT_SUBMIT="1 per minute", PORTAL_LIMIT_IDENTIFIER="1 per day")
    client = app.test_client()
    walk(client, EXISTING)
    assert [_submit(client, EXISTING).status_code for _ in range(3)] == [303] * 3
    with app.app_context():
        assert set(db.session.scalars(select(Job.send_mail))) == {True}


REDIS = "redis://127.0.0.1:6379/15"


def test_two_processes_sharing_redis_share_one_count(fresh_app, monkeypatch):
    """Every gunicorn worker has its own app; with Redis as storage they count together."""
    redis.Redis.from_url(REDIS).flushdb()
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URL", REDIS)
    one = fresh_app(PORTAL_LIMIT_SUBMIT="3 per minute")
    two = fresh_app(PORTAL_LIMIT_SUBMIT="3 per minute")
    first, second = one.test_client(), two.test_client()
    walk(first, EXISTING)   # 1
    walk(second, MISSING)   # 2
    assert _submit(first, EXISTING).status_code == 303   # 3
    assert _submit(second, MISSING).status_code == 429   # 4: over, though this app saw only two
    redis.Redis.from_url(REDIS).flushdb()


def test_the_limits_come_from_the_environment(fresh_app, monkeypatch):
    monkeypatch.setenv("PORTAL_LIMIT_SUBMIT", "2 per minute")
    client = fresh_app().test_client()
    walk(client, EXISTING)
    assert [_submit(client, EXISTING).status_code for _ in range(2)] == [303, 429]


def test_a_limit_that_cannot_be_read_is_refused_in_swedish(directory, monkeypatch):
    from portal.config import ConfigError

    monkeypatch.setenv("PORTAL_LIMIT_IDENTIFIER", "lots")
    with pytest.raises(ConfigError, match="PORTAL_LIMIT_IDENTIFIER ska vara gränser"):
        create_app({"TESTING": True})
