"""GET /metrics (docs/contracts/README.md, "Running in production"): the Prometheus text format, only with
`Authorization: Bearer <PORTAL_METRICS_TOKEN>` (else the ordinary 404 page); counts summed over processes in
prometheus_client's multiprocess mode; no personal detail anywhere in it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from portal import metrics
from portal.config import ConfigError
from portal.operations import read
from portal.worker import process_queue

from .test_queue import ask, directory  # noqa: F401  (directory is a fixture)

TOKEN = "m3tr1cs-t0ken-for-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


def test_without_the_token_metrics_is_the_ordinary_404_page(app, client):
    missing = client.get("/finns-inte")
    assert client.get("/metrics", headers=AUTH).status_code == 404  # no PORTAL_METRICS_TOKEN: never
    app.config["PORTAL_METRICS_TOKEN"] = TOKEN
    for headers in ({}, {"Authorization": "Bearer fel-token-som-inte-stammer"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert (response.status_code, response.get_data()) == (404, missing.get_data())
    assert client.get("/metrics", headers=AUTH).status_code == 200


def test_metrics_count_requests_by_endpoint_and_read_the_queue_and_outbox_when_scraped(app, client, directory):  # noqa: F811
    app.config["PORTAL_METRICS_TOKEN"] = TOKEN
    with app.app_context():
        ask("Anna.Andersson@Exempel.se")
        ask("nobody@exempel.se")
    before = samples(client.get("/metrics", headers=AUTH).get_data(as_text=True))  # counts are per process
    client.get("/")
    client.get("/aterstall/eyJhIjoiYWNjLTEifQ.Z1x2Yw.q8Jm3vX9yKc7Pp2LhT0sR5wN1dFgA4bE6iU")
    client.get("/finns-inte")
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    got = samples(body)
    assert got[("portal_jobs", (("status", "queued"),))] == 2
    assert got[("portal_jobs", (("status", "done"),))] == 0
    assert got[("portal_cases_total", ())] == 2
    assert got[("portal_outbox", (("status", "pending"),))] == 0
    assert got[("portal_outbox_oldest_unsent_seconds", ())] == 0
    assert got[("portal_sync_last_success_timestamp_seconds", ())] == 0
    counted = {labels: v - before.get((name, labels), 0) for (name, labels), v in got.items()
               if name == "portal_http_requests_total"}
    assert counted[(("endpoint", "public.start"), ("status", "200"))] == 1
    assert counted[(("endpoint", "reset.open_link"), ("status", "303"))] == 1
    assert counted[(("endpoint", "none"), ("status", "404"))] == 1
    assert counted[(("endpoint", "metrics.metrics"), ("status", "200"))] == 1  # the scrape before

    with app.app_context():
        process_queue()
    got = samples(client.get("/metrics", headers=AUTH).get_data(as_text=True))
    assert got[("portal_jobs", (("status", "done"),))] == 2 and got[("portal_jobs", (("status", "queued"),))] == 0
    assert got[("portal_outbox", (("status", "pending"),))] >= 2  # the replies (and the school's notice)
    assert got[("portal_outbox_oldest_unsent_seconds", ())] >= 0
    body += client.get("/metrics", headers=AUTH).get_data(as_text=True)
    for detail in ("anna", "nobody", "exempel", "@", "aterstall", "eyJ", "q8Jm3v"):
        assert detail not in body.lower()


def test_the_sync_last_success_comes_from_the_function_the_sync_registers(app, client):
    app.config["PORTAL_METRICS_TOKEN"] = TOKEN
    metrics.set_sync_source(lambda: 1_790_000_000.0)
    try:
        got = samples(client.get("/metrics", headers=AUTH).get_data(as_text=True))
    finally:
        metrics._sync_source = None
    assert got[("portal_sync_last_success_timestamp_seconds", ())] == 1_790_000_000.0


def test_a_token_given_to_create_app_is_the_one_metrics_answers_to_and_is_checked_like_the_environments(
        app, monkeypatch):
    from portal import create_app
    from portal.extensions import db

    monkeypatch.delenv("PORTAL_METRICS_TOKEN", raising=False)
    alone = create_app({"TESTING": True, "PORTAL_METRICS_TOKEN": TOKEN, "PORTAL_LOG_FORMAT": "JSON"})
    monkeypatch.setenv("PORTAL_METRICS_TOKEN", "the-environments-own-token-0123")
    monkeypatch.setenv("PORTAL_LOG_FORMAT", "text")
    over = create_app({"TESTING": True, "PORTAL_METRICS_TOKEN": TOKEN, "PORTAL_LOG_FORMAT": "JSON"})
    for configured in (alone, over):
        client = configured.test_client()
        assert client.get("/metrics", headers=AUTH).status_code == 200
        assert client.get("/metrics", headers={"Authorization": "Bearer the-environments-own-token-0123"}
                          ).status_code == 404
        assert configured.config["PORTAL_LOG_FORMAT"] == "json"  # what `portal` commands and wsgi.py log in
        with configured.app_context():
            db.engine.dispose()
    with pytest.raises(ConfigError, match="PORTAL_METRICS_TOKEN ska vara minst 16 tecken"):
        create_app({"TESTING": True, "PORTAL_METRICS_TOKEN": "kort"})
    with pytest.raises(ConfigError, match="PORTAL_JOB_STALE_AFTER ska vara ett helt antal sekunder"):
        create_app({"TESTING": True, "PORTAL_JOB_STALE_AFTER": 0})


def test_the_metrics_token_is_checked_at_start():
    assert read({}).metrics_token is None
    assert read({"PORTAL_METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    with pytest.raises(ConfigError, match="PORTAL_METRICS_TOKEN ska vara minst 16 tecken"):
        read({"PORTAL_METRICS_TOKEN": "kort"})


COUNT = """
import os, sys
from portal import create_app
app = create_app({"TESTING": True})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    assert client.get("/tillganglighet").status_code == 200
if len(sys.argv) > 2:
    app.config["PORTAL_METRICS_TOKEN"] = sys.argv[2]
    sys.stdout.write(client.get("/metrics", headers={"Authorization": "Bearer " + sys.argv[2]}).get_data(as_text=True))
"""


def test_in_multiprocess_mode_a_scrape_sums_the_counts_of_every_process(app, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder),
           "PORTAL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PORTAL_INSTANCE_PATH": app.instance_path,
           "PORTAL_SECRET_KEY": app.config["SECRET_KEY"]}

    def run(*args: str) -> str:
        result = subprocess.run([sys.executable, "-c", COUNT, *args], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("3")
    run("4")
    got = samples(run("5", TOKEN))  # three processes, one file each; the third scrapes
    assert got[("portal_http_requests_total", (("endpoint", "about.accessibility"), ("status", "200")))] == 12
