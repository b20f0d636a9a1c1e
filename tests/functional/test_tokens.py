"""The token service behind reset and sign-in links: a salt per purpose, an expiry second, single
use by the database (portal/tokens.py)."""

from __future__ import annotations

import pytest

from portal import tokens
from portal.extensions import db


@pytest.fixture
def at(app, clock):
    """at(t) makes "now" t seconds after the test began; the tests run inside the app."""
    with app.app_context():
        yield clock


def test_a_token_carries_its_payload_back(at):
    token = tokens.make("reset", {"account": "a1", "case": 7})
    assert tokens.read("reset", token) == {"account": "a1", "case": 7}


def test_a_reset_token_is_valid_at_its_last_second_and_refused_one_second_later(at):
    token = tokens.make("reset", {"account": "a1"})
    at(30 * 60)
    assert tokens.read("reset", token)["account"] == "a1"
    at(30 * 60 + 1)
    with pytest.raises(tokens.TokenExpired):
        tokens.read("reset", token)


def test_the_lifetime_can_be_configured(app, at):
    app.config["PORTAL_TOKEN_MAX_AGE_SIGN_IN"] = 60
    token = tokens.make("sign-in", {"contact": 1})
    at(61)
    with pytest.raises(tokens.TokenExpired):
        tokens.read("sign-in", token)


def test_a_token_of_another_purpose_is_refused(at):
    token = tokens.make("sign-in", {"contact": 1})
    with pytest.raises(tokens.TokenInvalid) as caught:
        tokens.read("reset", token)
    assert not isinstance(caught.value, tokens.TokenExpired)


@pytest.mark.parametrize("forged", ["", "x", "a.b.c", "eyJhY2NvdW50IjoiYTEifQ.ZZZZZZ.abcdef", "å" * 10, "x" * 5000])
def test_a_forged_or_malformed_token_is_refused(at, forged):
    with pytest.raises(tokens.TokenInvalid):
        tokens.read("reset", forged)


def test_an_altered_payload_is_refused(at):
    token = tokens.make("reset", {"account": "a1"})
    payload, rest = token.split(".", 1)
    other = tokens.make("reset", {"account": "a2"}).split(".", 1)[0]
    assert other != payload
    with pytest.raises(tokens.TokenInvalid):
        tokens.read("reset", f"{other}.{rest}")


def test_another_secret_does_not_accept_the_token(app, at):
    token = tokens.make("reset", {"account": "a1"})
    app.config["SECRET_KEY"] = "another secret entirely"
    with pytest.raises(tokens.TokenInvalid):
        tokens.read("reset", token)


def test_a_token_is_spent_once_and_then_refused(at):
    token = tokens.make("reset", {"account": "a1"})
    assert tokens.spend("reset", token) is True
    db.session.commit()
    assert tokens.spend("reset", token) is False
    with pytest.raises(tokens.TokenInvalid):
        tokens.read("reset", token)


def test_an_unknown_purpose_is_a_programming_error(at):
    with pytest.raises(ValueError):
        tokens.make("other", {})
