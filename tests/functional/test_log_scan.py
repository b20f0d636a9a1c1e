"""The session-wide scan of everything the suite logs (tests/personal_data.py, run by tests/conftest.py at the
session's end) finds personal data of every kind, and really sees the portal's lines."""

from __future__ import annotations

import json

from tests.conftest import LOG_COLLECTOR
from tests.personal_data import leaks

CLEAN = ('{"time": "2026-12-06T05:48:32.492+00:00", "level": "info", "logger": "portal.requests", "message": '
         '"request", "request_id": "7b6527ec96e691526ec33bfd79b8bb20", "method": "GET", "endpoint": '
         '"reset.open_link", "status": 303, "duration_ms": 1234567.12}')


def test_a_clean_request_line_passes():
    assert leaks([CLEAN, "outbox 42 sent", "job 7 failed (OperationalError); attempt 2, next in 120 s"],
                 ["Anna Andersson", "anna.andersson@exempel.se"]) == []


def test_each_kind_of_personal_detail_is_found():
    lines = [
        "no account for Anna.Andersson@Exempel.se",  # an address, whatever its case
        "looked up 19800101-9802",  # a personnummer
        "looked up 198001019802",
        "token eyJhIjoiYWNjLTEiLCJjIjo0MiwiZiI6IjAxMjM0NTY3In0.Z1x2Yw.q8Jm3vX9yKc7Pp2LhT0sR5wN1dFgA4bE6iU",
        '"GET /aterstall/abc HTTP/1.1" 303',
        '"GET /inkorg/logga-in/xyz HTTP/1.1" 303',
        "renamed person ANNA ANDERSSON",  # a known name
        "user blomman77 locked",  # a known username
    ]
    found = leaks(lines, ["Anna Andersson", "blomman77"])
    for line in lines:
        assert any(line[:40] in leak for leak in found), line
    assert leaks(['"GET /aterstall/nytt-losenord HTTP/1.1" 200', '"GET /inkorg/logga-in/skickat" 200'], []) == []


def test_the_collector_sees_the_portals_request_lines(client):
    client.get("/tillganglighet")
    line = json.loads(LOG_COLLECTOR.lines[-1])
    assert (line["logger"], line["endpoint"], line["status"]) == ("portal.requests", "about.accessibility", 200)
