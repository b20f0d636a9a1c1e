"""Incremental runs, the schedule in `portal worker --loop`, its lease across processes, `--status`,
and the PORTAL_SS12000_* variables."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from portal.config import ConfigError
from portal.sources.ss12000 import read_config

from .ss12000_fake import Fake, serve
from .ss12000_source import build, email, person, ref
from .test_sync_ss12000 import directory, sync

LATER = "2099-01-01T00:00:00Z"  # after any watermark the first sync leaves


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    with serve(build(Fake())) as server:
        monkeypatch.setenv("PORTAL_SS12000_URL", server.url)
        monkeypatch.setenv("PORTAL_SS12000_PAGE_SIZE", "2")
        yield server


def change_the_source(fake: Fake) -> None:
    """Records added, changed and deleted."""
    fake.put("persons", person("c4", "Dina", "Ny", emails=[email("dina@skola.se")],
                               enrolments=[{"enroledAt": ref("s2"), "schoolType": "GR", "startDate": "2026-08-15"}],
                               responsibles=[{"person": ref("g2"), "relationType": "Vårdnadshavare"}]), modified=LATER)
    changed = next(p for p in fake.records["persons"] if p["id"] == "t2")
    fake.put("persons", {**changed, "familyName": "Rosén", "emails": [email("tim.rosen@friskolan.se")]}, modified=LATER)
    fake.delete("persons", "c3", LATER)
    gus = next(p for p in fake.records["persons"] if p["id"] == "g2")
    fake.delete("persons", "g2", LATER)  # deleted, then made again with the same id
    fake.put("persons", {**gus, "familyName": "Åter"}, modified=LATER)
    fake.delete("groups", "m1", LATER)
    fake.delete("duties", "d-a1-s2", LATER)
    fake.put("organisations", {"id": "s4", "displayName": "Nya skolan", "organisationType": "Skolenhet",
                               "schoolUnitCode": "41253004", "parentOrganisation": ref("h1")}, modified=LATER)
    fake.put("groups", {"id": "g-ma7a", "displayName": "Ma 7A", "groupType": "Undervisning",
                        "organisation": ref("s1"), "startDate": "2020-08-01",
                        "groupMemberships": [{"person": ref("c1")}, {"person": ref("c4")}]}, modified=LATER)


def test_an_incremental_run_leaves_the_directory_a_full_sync_would(app, runner, fake):
    assert sync(runner).exit_code == 0
    before = directory(app)
    change_the_source(fake)
    fake.log.clear()

    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "bara ändringar sedan förra gången hämtades" in result.stdout
    first = fake.requests_to("persons")[0]
    assert "meta.modified.after" in first
    assert len(fake.requests_to("persons")) == 2  # only the three changed persons, two pages
    assert fake.requests_to("deletedEntities")
    incremental = directory(app)
    assert incremental != before

    full = sync(runner, "--full")
    assert full.exit_code == 0 and "hela källan lästes" in full.stdout
    assert directory(app) == incremental
    persons = {row[0] for row in incremental["persons"]}
    assert "c4" in persons and "c3" not in persons and "g2" in persons
    assert ("m1",) not in {row[:1] for row in incremental["groups"]}


def test_a_source_that_cannot_filter_by_modification_is_read_whole(app, runner, fake):
    assert sync(runner).exit_code == 0
    change_the_source(fake)
    fake.support_incremental = False
    result = sync(runner)
    assert result.exit_code == 0, result.output
    assert "hela källan lästes" in result.stdout
    incremental = directory(app)
    fake.support_incremental = True
    assert sync(runner, "--full").exit_code == 0
    assert directory(app) == incremental


def test_worker_status_shows_the_last_sync(app, runner, fake):
    assert "SS 12000" not in runner.invoke(args=["worker", "--status"]).stdout
    assert sync(runner).exit_code == 0
    status = runner.invoke(args=["worker", "--status"]).stdout
    assert "Synkronisering från SS 12000:" in status
    assert "lyckades" in status
    assert "2 huvudmän, 3 skolor, 9 personer, 11 roller, 2 vårdnadsförhållanden, 2 grupper, 3 kontakter" in status
    fake.fail("persons", 1, 500)
    assert sync(runner).exit_code == 1
    status = runner.invoke(args=["worker", "--status"]).stdout
    assert "avbröts" in status and "senast lyckad" in status


def _sync_spans(fake: Fake) -> list[str]:
    """The order in which syncs began (their first /organisations page) and ended (their /activities)."""
    events = []
    for path, query, _ in fake.log:
        if path == "/organisations" and "pageToken" not in query:
            events.append("start")
        elif path == "/activities":
            events.append("end")
    return events


@pytest.mark.slow
def test_two_workers_never_sync_at_once(app, fake, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_INTERVAL", "1")
    fake.slow("persons", 2, 1.0, times=100)  # each sync takes over a second
    env = {**os.environ, "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "PORTAL_INSTANCE_PATH": app.instance_path, "PORTAL_SECRET_KEY": app.config["SECRET_KEY"]}
    command = [sys.executable, "-m", "portal.cli", "worker", "--loop", "--interval", "0.1"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while _sync_spans(fake).count("end") < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        outputs = [worker.communicate(timeout=30) for worker in workers]
    spans = _sync_spans(fake)
    assert spans.count("end") >= 3, outputs
    completed = spans[: len(spans) - (spans[-1] == "start")]
    assert completed == ["start", "end"] * (len(completed) // 2), spans  # never two begun before one ended
    assert all(b"Traceback" not in err for _, err in outputs)


# -- the variables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("env, expected", [
    ({"PORTAL_SS12000_URL": "ftp://x"}, "PORTAL_SS12000_URL ska vara en adress"),
    ({"PORTAL_SS12000_TOKEN": "a", "PORTAL_SS12000_TOKEN_URL": "https://x/token"}, "PORTAL_SS12000_TOKEN och"),
    ({"PORTAL_SS12000_TOKEN_URL": "https://x/token"}, "PORTAL_SS12000_CLIENT_ID saknas"),
    ({"PORTAL_SS12000_TOKEN_URL": "https://x/token", "PORTAL_SS12000_CLIENT_ID": "a"},
     "PORTAL_SS12000_CLIENT_SECRET saknas"),
    ({"PORTAL_SS12000_CA_FILE": "/finns/inte.pem"}, "PORTAL_SS12000_CA_FILE: filen /finns/inte.pem finns inte"),
    ({"PORTAL_SS12000_SERVICES": "school_platform,skolwebben"}, "PORTAL_SS12000_SERVICES ska vara tjänster ur listan"),
    ({"PORTAL_SS12000_INTERVAL": "en timme"}, "PORTAL_SS12000_INTERVAL ska vara ett heltal"),
    ({"PORTAL_SS12000_INTERVAL": "0"}, "PORTAL_SS12000_INTERVAL ska vara minst 1"),
    ({"PORTAL_SS12000_TIMEOUT": "snart"}, "PORTAL_SS12000_TIMEOUT ska vara ett tal"),
    ({"PORTAL_SS12000_PAGE_SIZE": "-5"}, "PORTAL_SS12000_PAGE_SIZE ska vara minst 1"),
    ({"PORTAL_SS12000_SETTINGS": "/finns/inte.json"}, "PORTAL_SS12000_SETTINGS: filen /finns/inte.json finns inte"),
    ({"PORTAL_SS12000_CLIENT_KEY": __file__}, "PORTAL_SS12000_CLIENT_KEY är satt men inte PORTAL_SS12000_CLIENT_CERT"),
])
def test_a_bad_variable_is_named_in_swedish(env, expected):
    with pytest.raises(ConfigError, match=expected):
        read_config({"PORTAL_SS12000_URL": "https://api.example.se/ss12000/v2.1", **env})


def test_the_variables_and_their_defaults():
    assert read_config({}) is None
    config = read_config({"PORTAL_SS12000_URL": "https://api.example.se/ss12000/v2.1/",
                          "PORTAL_SS12000_SERVICES": "school_platform, learning_platform"})
    assert config is not None
    assert (config.url, config.services, config.interval, config.timeout, config.page_size) == (
        "https://api.example.se/ss12000/v2.1", ("school_platform", "learning_platform"), 3600, 30.0, 1000)


def test_a_bad_variable_stops_the_command_with_a_message(app, runner, monkeypatch):
    monkeypatch.setenv("PORTAL_SS12000_URL", "https://api.example.se")
    monkeypatch.setenv("PORTAL_SS12000_INTERVAL", "x")
    result = sync(runner)
    assert result.exit_code == 1 and "PORTAL_SS12000_INTERVAL" in result.stderr and "Traceback" not in result.output


# -- the shipped example settings file and the privacy page ------------------------------------------


def test_the_example_settings_file_works(app, runner, fake):
    from pathlib import Path

    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Account, Contact, Notice, Organisation, School

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ss12000-settings.json"
    municipality, teacher = "9a1c0b52-5a38-4c0e-9d7e-2f3b8c1d4e01", "7d0f6c1e-2b4a-4f7e-8c55-0a1b2c3d4e5f"
    fake.put("organisations", {"id": municipality, "displayName": "Exempelby kommun", "organisationType": "Huvudman"})
    fake.put("organisations", {"id": "s5", "displayName": "Lindskolan", "organisationType": "Skolenhet",
                               "schoolUnitCode": "41253005", "parentOrganisation": ref(municipality)})
    fake.put("persons", person(teacher, "Tora", "Lund", emails=[email("tora.lund@exempelby.se", "Skola personal")]))
    fake.put("duties", {"id": "d-tora", "person": ref(teacher), "dutyAt": ref("s5"), "dutyRole": "Lärare",
                        "startDate": "2020-01-01"})
    result = sync(runner, "--settings", str(example))
    assert result.exit_code == 0, result.output
    assert "Inställningsfilen ändrade 1 huvudman, 2 skolor, 1 konto; lade till 1 konto, 1 roll, 2 kontakter, " \
           "1 driftmeddelande." in result.stdout
    with app.app_context():
        assert db.session.get(Organisation, municipality).eservice_agreement is True
        assert db.session.get(School, "41253001").guardian_login is True
        assert db.session.get(School, "41253002").account_management == "external"
        assert db.session.get(Account, f"ss12000:school_platform:{teacher}").locked is True
        assert db.session.get(Account, "prov-7d0f6c1e").username == "tora.lund"
        assert db.session.scalars(select(Contact.kind).where(Contact.kind == "agency_support")).all()
        assert db.session.get(Notice, "underhall-2026-12-12") is not None


def test_the_privacy_page_says_what_is_read_from_ss_12000(client):
    page = client.get("/personuppgifter").get_data(as_text=True)
    assert "SS 12000" in page
    assert "Vi hämtar aldrig betyg, frånvaro, adresser, telefonnummer eller foton." in page
    english = client.get("/personuppgifter", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We never fetch grades, absence, addresses, phone numbers or photos." in english


def test_the_settings_file_of_scheduled_runs_comes_from_the_environment(app, runner, fake, monkeypatch, tmp_path):
    import json

    from portal.sources.ss12000.commands import sync_if_due

    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"schools": [{"code": "41253001", "guardian_login": True}]}), encoding="utf-8")
    monkeypatch.setenv("PORTAL_SS12000_SETTINGS", str(settings))
    with app.app_context():
        summary = sync_if_due()
        assert summary is not None and "Inställningsfilen ändrade 1 skola." in summary
        assert sync_if_due() is None  # not due again for an hour
    assert "Inställningsfilen ändrade 1 skola." in sync(runner).stdout  # the command without --settings too


def test_metrics_tell_when_the_last_sync_succeeded_and_a_failed_one_does_not_move_it(app, runner, fake):
    from prometheus_client.parser import text_string_to_metric_families

    token = "scrape-token-0123456789abcdef"
    app.config["PORTAL_METRICS_TOKEN"] = token

    def last_success() -> float:
        body = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
        return next(sample.value for family in text_string_to_metric_families(body) for sample in family.samples
                    if sample.name == "portal_sync_last_success_timestamp_seconds")

    assert last_success() == 0
    before = time.time()
    assert sync(runner, "--full").exit_code == 0
    succeeded = last_success()
    assert before - 1 <= succeeded <= time.time() + 1
    fake.fail("persons", 1, 500)
    assert sync(runner, "--full").exit_code == 1
    assert last_success() == succeeded
