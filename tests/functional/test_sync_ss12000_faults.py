"""The sync when the source misbehaves: authentication, 429/503, 410, 500, a dropped connection,
malformed JSON, a timeout, records that fail validation. Every failure: exit 1, a Swedish message,
the directory exactly as before. Through real HTTP to the fake server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Ss12000Record
from portal.sources.ss12000 import SyncRefused, read_config, run_sync

from .ss12000_fake import CLIENT_ID, CLIENT_SECRET, Fake, serve
from .ss12000_source import build, email, person, ref
from .test_sync_ss12000 import assert_refused, directory, sync


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    with serve(build(Fake())) as server:
        monkeypatch.setenv("PORTAL_SS12000_URL", server.url)
        monkeypatch.setenv("PORTAL_SS12000_PAGE_SIZE", "2")
        yield server


@pytest.fixture
def synced(app, runner, fake) -> dict[str, Any]:
    """A first good sync; then the source changes (a person added), so a failed second sync is seen
    to change nothing."""
    assert sync(runner).exit_code == 0
    fake.put("persons", person("new1", "Ny", "Person"), modified="2027-01-01T00:00:00Z")
    return directory(app)


def staged_rows(app) -> int:
    with app.app_context():
        table = Ss12000Record.__table__
        return db.session.execute(select(func.count()).where(table.c.run != "mirror")).scalar_one()


def first_pages(fake: Fake, resource: str) -> int:
    return sum(1 for query in fake.requests_to(resource) if "pageToken" not in query)


# -- the directory unchanged ---------------------------------------------------------------------


@pytest.mark.parametrize("fault, expected", [
    (lambda f: f.fail("persons", 2, 500), "/persons svarade 500"),
    (lambda f: f.drop("persons", 3, times=3),
     "/persons gick inte att läsa: anslutningen bröts mitt i svaret (3 försök)"),
    (lambda f: f.garble("duties", 1), "/duties svarade med något som inte är giltig JSON"),
    (lambda f: f.fail("groups", 1, 403), "/groups svarade 403: portalen har inte behörighet"),
], ids=["500", "dropped", "malformed", "403"])
def test_a_failure_half_way_changes_nothing(app, runner, fake, synced, fault, expected):
    fault(fake)
    result = sync(runner, "--full")
    assert_refused(result, "Synkroniseringen avbröts, inget ändrades", expected)
    assert directory(app) == synced
    assert staged_rows(app) == 0  # the pages fetched before the failure are gone


def test_a_request_that_takes_too_long_is_given_up(app, runner, fake, synced, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_TIMEOUT", "0.3")
    fake.slow("persons", 2, 1.5)
    assert_refused(sync(runner, "--full"), "/persons gick inte att läsa: inget svar inom tidsgränsen")
    assert directory(app) == synced


def test_a_record_that_fails_validation_is_named_by_resource_id_and_field(app, runner, fake, synced):
    fake.put("persons", person("bad1", "Bo", "Fel", emails=[email("bo@exempel.se"), email("inte-en-adress")]))
    assert_refused(sync(runner, "--full"), "SS 12000-källan godtogs inte, inget ändrades",
                   "/persons, id bad1, fältet emails[1]: är inte en giltig e-postadress")
    assert directory(app) == synced


def test_a_guardian_who_is_not_among_the_persons_is_named_with_the_child(app, runner, fake, synced):
    fake.put("persons", person("c9", "Cilla", "Ek", responsibles=[{"person": ref("nobody"),
                                                                  "relationType": "Vårdnadshavare"}]))
    assert_refused(sync(runner, "--full"), "/persons, id c9, fältet responsibles", '"nobody"',
                   "finns inte i SS 12000-källan")
    assert directory(app) == synced


def test_a_school_unit_without_a_huvudman_is_refused(app, runner, fake, synced):
    fake.put("organisations", {"id": "s9", "displayName": "Lösa skolan", "organisationType": "Skolenhet",
                               "schoolUnitCode": "41253009"})
    assert_refused(sync(runner, "--full"), "/organisations, id s9: skolenheten 41253009 har ingen organisation "
                                           "av typen Huvudman")
    assert directory(app) == synced


# -- retries -------------------------------------------------------------------------------------


def test_429_and_503_are_retried_after_retry_after(app, fake):
    fake.fail("persons", 2, 429, {"Retry-After": "3"})
    fake.fail("duties", 1, 503, {"Retry-After": "7"}, times=2)
    fake.fail("groups", 1, 503)  # without Retry-After: a short default wait
    waits: list[float] = []
    with app.app_context():
        result = run_sync(read_config(), sleep=waits.append)
    assert result.counts["persons"] == 9
    assert waits == [3.0, 7.0, 7.0, 5.0]
    assert len([q for q in fake.requests_to("duties") if "pageToken" not in q]) == 3


def test_a_source_that_stays_busy_fails_after_a_bounded_number_of_attempts(app, runner, fake, synced):
    fake.fail("persons", 1, 503, {"Retry-After": "0"}, times=10)
    assert_refused(sync(runner, "--full"), "/persons svarade 503")
    assert len(fake.requests_to("persons")) == 5 + 5  # the first sync's five pages, then five attempts
    assert directory(app) == synced


def test_a_connection_dropped_once_is_tried_again_and_the_sync_completes(app, runner, fake, synced, caplog):
    fake.hang_up("persons", 2)  # closed without an answer
    fake.drop("duties", 1)  # broken off in the middle of the body
    before = len(fake.requests_to("persons"))
    result = sync(runner, "--full")
    assert result.exit_code == 0, result.output
    assert len(fake.requests_to("persons")) == before + 5 + 1  # five pages, the second asked twice
    assert len(directory(app)["persons"]) == len(synced["persons"]) + 1  # the person added after the first sync
    warned = [r.getMessage() for r in caplog.records if r.name == "portal.sources.ss12000.client"]
    assert warned == ["ss12000 sync: /persons: the connection failed (RemoteProtocolError); try 2 of 3 in 0.5 s",
                      "ss12000 sync: /duties: the connection failed (RemoteProtocolError); try 2 of 3 in 0.5 s"]


def test_a_connection_that_keeps_dropping_fails_after_three_tries_and_changes_nothing(app, runner, fake, synced):
    fake.hang_up("persons", 2, times=5)
    before = len(fake.requests_to("persons"))
    assert_refused(sync(runner, "--full"), "Synkroniseringen avbröts, inget ändrades",
                   "/persons gick inte att läsa: anslutningen bröts mitt i svaret (3 försök)")
    assert len(fake.requests_to("persons")) == before + 1 + 3  # the first page, then the second three times
    assert directory(app) == synced
    assert staged_rows(app) == 0


def test_a_source_that_refuses_connections_is_tried_three_times_with_a_growing_wait(app, fake, monkeypatch):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setenv("PORTAL_SS12000_URL", f"http://127.0.0.1:{closed.getsockname()[1]}")
    waits: list[float] = []
    with app.app_context(), pytest.raises(SyncRefused, match="det gick inte att ansluta \\(3 försök\\)"):
        run_sync(read_config(), sleep=waits.append)
    assert waits == [0.5, 1.0]


def test_a_page_token_answered_410_starts_the_resource_over_once(app, runner, fake):
    fake.fail("persons", 3, 410)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert first_pages(fake, "persons") == 2
    assert "9 personer" in result.stdout


def test_a_second_410_fails_the_sync(app, runner, fake, synced):
    fake.fail("persons", 3, 410)
    fake.fail("persons", 2, 410)
    assert_refused(sync(runner, "--full"), "/persons svarade 410")
    assert directory(app) == synced


# -- authentication ------------------------------------------------------------------------------


@pytest.fixture
def oauth(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Fake:
    fake.require_token = True
    monkeypatch.setenv("PORTAL_SS12000_TOKEN_URL", fake.url + "/token")
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("PORTAL_SS12000_SCOPE", "ss12000:read")
    return fake


def test_client_credentials_fetch_one_token_with_basic_auth_and_the_scope(app, runner, oauth):
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert len(oauth.token_requests) == 1
    request = oauth.token_requests[0]
    assert request["authorization"].startswith("Basic ")
    assert (request["grant_type"], request["scope"]) == ("client_credentials", "ss12000:read")
    assert "client_secret" not in request  # the secret goes in the header only


def test_a_401_half_way_gets_a_fresh_token_and_goes_on(app, runner, oauth):
    oauth.revoke("duties", 2)
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert len(oauth.token_requests) == 2


def test_a_401_after_a_fresh_token_fails(app, runner, oauth):
    oauth.fail("persons", 1, 401, times=2)
    assert_refused(sync(runner), "/persons svarade 401: källan godtog inte inloggningen")
    assert len(oauth.token_requests) == 2


def test_an_expiring_token_is_renewed_before_it_is_used(app, runner, oauth):
    oauth.expires_in = 30  # inside Authlib's minute of leeway: stale at once
    assert sync(runner).exit_code == 0
    used = [auth for _, _, auth in oauth.log]
    assert len(set(used)) == len(used)  # a new token for every request
    assert len(oauth.token_requests) == len(used) + 1  # (the first one was stale before its first use)


def test_wrong_client_credentials_are_refused_in_swedish(app, runner, oauth, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_CLIENT_SECRET", "fel")
    assert_refused(sync(runner), "Ingen token från PORTAL_SS12000_TOKEN_URL")


def test_a_static_bearer_token(app, runner, fake, monkeypatch):
    fake.static_token = "operatorns-token"
    monkeypatch.setenv("PORTAL_SS12000_TOKEN", "operatorns-token")
    assert sync(runner).exit_code == 0
    assert {auth for _, _, auth in fake.log} == {"Bearer operatorns-token"}
    monkeypatch.setenv("PORTAL_SS12000_TOKEN", "fel")
    assert_refused(sync(runner), "svarade 401: källan godtog inte inloggningen")


def test_the_lease_refuses_a_second_sync_while_one_runs(app, fake):
    from portal.sources.ss12000.state import Lease, owner_id

    with app.app_context():
        other = Lease(db.engine, owner_id())
        assert other.take()
        with pytest.raises(SyncRefused, match="En annan synkronisering från SS 12000 pågår redan"):
            run_sync(read_config())
        other.release("ok", "full", {}, None)
        assert run_sync(read_config()).counts["persons"] == 9


def test_fields_of_the_wrong_type_are_as_good_as_absent(app, runner, fake):
    fake.put("groups", {"id": "odd", "displayName": "Udda", "groupType": ["Mentor"], "organisation": "s1",
                        "groupMemberships": "c1"})
    fake.put("persons", person("odd1", "Udda", "Typer", emails="odd@exempel.se", enrolments={"enroledAt": "s1"},
                               civicNo="19800101-0000", securityMarking=["Sekretessmarkering"],
                               eduPersonPrincipalNames=[None, "odd@exempelby.se"]))
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "10 personer" in result.stdout and "2 grupper" in result.stdout


def test_a_sync_that_lost_its_lease_stops_and_changes_nothing(app, runner, fake, synced):
    """It stood still past the lease (here: the lease row is handed to another process half-way)."""
    from sqlalchemy import update

    from portal.models import SyncState

    def steal(_seconds: float) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(SyncState.__table__).values(locked_by="another-host:1"))

    fake.fail("persons", 2, 503, {"Retry-After": "1"})
    with app.app_context(), pytest.raises(SyncRefused, match="tappade sitt lås"):
        run_sync(read_config(), full=True, sleep=steal)
    assert directory(app) == synced
