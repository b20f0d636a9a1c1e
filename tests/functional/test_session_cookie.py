"""The session cookie the portal writes (portal/signing.py, `CachedSessionInterface.save_session`) is the
header Flask's own `save_session` writes, attribute for attribute and in the same place among the
headers, for every cookie setting an operator or the portal may choose."""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Response

from portal.signing import COOKIE_ROOM

# (secure, samesite, domain, path, httponly, partitioned): the portal's own (http and https), each
# setting changed alone, and everything changed at once
PORTAL = (False, "Lax", None, None, True, False)
SETTINGS = [PORTAL, (True, *PORTAL[1:]), (False, "Strict", *PORTAL[2:]), (False, None, *PORTAL[2:]),
            (*PORTAL[:2], "portal.exempelby.se", *PORTAL[3:]), (*PORTAL[:3], "/hjalp", *PORTAL[4:]),
            (*PORTAL[:4], False, False), (*PORTAL[:5], True),
            (True, "Strict", "portal.exempelby.se", "/hjalp", False, True)]
FLOW = {"flow": {"role": "guardian", "service": "school_platform", "symptom": "forgot_password",
                 "school": "41253001"}, "auto": ["service"], "earlier": {}, "csrf_token": "a" * 40,
        "reference": "7KQ2MZ4T"}


def both(app, data: dict, *, accessed: bool = True) -> tuple[list, list]:
    """The headers of two responses: the portal's `save_session`, then Flask's, for the same session."""
    interface = app.session_interface
    answers = []
    with app.test_request_context("/"):
        for save in (interface.save_session, lambda *a: SecureCookieSessionInterface.save_session(interface, *a)):
            session = SecureCookieSession(data)
            session.modified, session.accessed = True, accessed
            response = Response("x")
            save(app, session, response)
            answers.append(list(response.headers.items()))
    return answers[0], answers[1]


@pytest.fixture
def still(monkeypatch):
    """One second for the whole test: both cookies carry the same signed timestamp."""
    monkeypatch.setattr("time.time", lambda: 1_796_000_000.0)


@pytest.mark.parametrize(("secure", "samesite", "domain", "path", "httponly", "partitioned"), SETTINGS)
def test_the_cookie_is_flasks_for_every_setting(app, still, secure, samesite, domain, path, httponly, partitioned):
    app.config.update(SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_SAMESITE=samesite, SESSION_COOKIE_DOMAIN=domain,
                      SESSION_COOKIE_PATH=path, SESSION_COOKIE_HTTPONLY=httponly,
                      SESSION_COOKIE_PARTITIONED=partitioned)
    ours, flasks = both(app, FLOW)
    assert ours == flasks
    assert [name for name, _ in ours].count("Set-Cookie") == 1


def test_the_portals_own_settings_give_flasks_cookie_with_and_without_an_earlier_look_at_the_session(app, still):
    for accessed in (True, False):
        ours, flasks = both(app, FLOW, accessed=accessed)
        assert ours == flasks
        cookie = dict(ours)["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_session_too_large_for_the_quick_way_and_an_emptied_one_are_flasks(app, still):
    big = {**FLOW, "earlier": {f"step{i}": "x" * 40 for i in range(COOKIE_ROOM // 40)}}
    with pytest.warns(UserWarning):  # werkzeug's warning that the cookie is too large: Flask's way was taken
        ours, flasks = both(app, big)
    assert ours == flasks
    ours, flasks = both(app, {})
    assert ours == flasks
