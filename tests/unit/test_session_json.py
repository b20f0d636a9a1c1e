"""The session cookie's JSON (portal/signing.py, SessionJSON): the same text as Flask's tagged JSON for
what the public flow keeps, and the same values read back whatever the session holds, so a cookie
written before this change still opens and one written now opens in Flask as it is."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from portal.signing import CachedSessionInterface, SessionJSON

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
plain = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(), inner, max_size=4)), max_leaves=20)

FLOW_SESSION = {"flow": {"role": "guardian", "service": "school_platform", "symptom": "forgot_password",
                         "school": "12345678"}, "auto": ["role"], "earlier": {}, "changing": True,
                "csrf_token": "f" * 40, "reference": "R46G8PYV", "lang": "ar"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return Flask(__name__)  # Flask's own JSON settings (sorted keys, ASCII), as the session is saved with


@given(value=plain)
def test_a_plain_session_is_written_as_flask_writes_it_and_read_back_the_same(app, value) -> None:
    assert_as_flask(app, {"v": value})


def assert_as_flask(app: Flask, session: dict) -> None:
    """Ours writes the text Flask's tagged serializer writes, and both read it back as it went in."""
    with app.app_context():
        ours, flasks = SessionJSON(), TaggedJSONSerializer()
        text = ours.dumps(session)
        assert text == flasks.dumps(session)
        assert ours.loads(text) == flasks.loads(text) == session


class NoTagging:
    def dumps(self, value: object) -> str:
        pytest.fail("tagged for a plain session")

    def loads(self, value: str) -> object:
        pytest.fail("tagged for a plain session")


def test_the_public_flows_session_takes_the_plain_path(app) -> None:
    ours = SessionJSON()
    ours.tagged = NoTagging()  # type: ignore[assignment]
    with app.app_context():
        assert ours.loads(ours.dumps(FLOW_SESSION)) == FLOW_SESSION


@pytest.mark.parametrize("value", [
    [("message", "Ärendet är markerat som löst.")],  # the inbox's flashed messages are tuples
    Markup("<b>fet</b>"), b"bytes", uuid.UUID(int=7), dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC),
    {" t": ["a key that looks like a tag"]}, "{\" t\":[1]} in a text",
])
def test_what_only_tags_can_keep_comes_back_as_it_went_in(app, value) -> None:
    assert_as_flask(app, {"v": value})


def test_the_session_interface_uses_it() -> None:
    assert isinstance(CachedSessionInterface.serializer, SessionJSON)


def test_a_session_cookie_opens_in_flask_and_flasks_in_the_portal() -> None:
    """The cookie keeps Flask's salt, key derivation and digest: sessions survive either way (an upgrade,
    or a rollback to a release that used Flask's own interface)."""
    from flask.sessions import SecureCookieSessionInterface

    app = Flask(__name__)
    app.secret_key = "a secret of the test"
    ours, flasks = CachedSessionInterface(), SecureCookieSessionInterface()
    with app.app_context():
        for value in (FLOW_SESSION, {"_flashes": [("message", "Klart.")]}):
            from_ours = ours.get_signing_serializer(app).dumps(value)
            from_flask = flasks.get_signing_serializer(app).dumps(value)
            assert flasks.get_signing_serializer(app).loads(from_ours) == value
            assert ours.get_signing_serializer(app).loads(from_flask) == value
