"""Hypothesis against every form with generated bad input and wrong types (issue 16): the public flow's last
step, the new-password form, the staff sign-in and the three case actions. Whatever is posted (text,
lists, JSON of any shape, file parts, raw bytes, another content type), the answer is never a 5xx and never
a traceback: a Swedish page (a field error, 303, 400 or 413). The public flow's other steps have their own
random posts in test_public_input.py. Rate limits are off here (other modules test them)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .flow import token
from .inbox_flow import EXP_BJORKHAGA, build_directory, csrf, make_case, sign_in
from .reset_support import BASE_URL, load, open_link, reset_link
from .reset_support import ask as ask_for_help
from .reset_support import directory as reset_directory

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                       max_leaves=8)


@st.composite
def bodies(draw: st.DrawFn, field: str, others: tuple[str, ...] = ()) -> dict:
    """Keyword arguments for client.post: a form, a multipart with a file part, JSON, or raw bytes."""
    names = st.sampled_from((field, *others, "csrf_token")) | TEXT
    kind = draw(st.sampled_from(("form", "lists", "file", "json", "raw", "big")))
    if kind == "form":
        return {"data": draw(st.dictionaries(names, TEXT, max_size=4))}
    if kind == "lists":
        return {"data": draw(st.dictionaries(names, st.lists(TEXT, min_size=2, max_size=3), max_size=3))}
    if kind == "file":
        return {"data": {field: (io.BytesIO(draw(st.binary(max_size=50))), draw(TEXT) or "x.txt")},
                "content_type": "multipart/form-data"}
    if kind == "json":
        return {"data": json.dumps(draw(st.dictionaries(names, JSONISH, max_size=3) | JSONISH)),
                "content_type": draw(st.sampled_from(("application/json", "text/plain", "application/x-www-form-urlencoded")))}
    if kind == "raw":
        return {"data": draw(st.binary(max_size=300)),
                "content_type": draw(st.sampled_from(("application/x-www-form-urlencoded", "multipart/form-data",
                                                      "application/octet-stream", "")))}
    return {"data": {field: "å" * draw(st.integers(1_000, 20_000))}}


def post_with_token(client, path: str, body: dict, csrf_token: str):
    kwargs = dict(body)
    data = kwargs.get("data")
    if isinstance(data, dict) and "csrf_token" not in data:
        data = {**data, "csrf_token": csrf_token}
    kwargs["data"] = data
    return client.post(path, headers={"X-CSRFToken": csrf_token}, **kwargs)


def assert_calm(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code < 500, (response.status_code, page[:300])
    assert response.status_code in (200, 303, 400, 413), response.status_code
    assert "Traceback" not in page and 'File "' not in page
    if response.status_code != 303:
        assert '<html lang="sv">' in page, page[:300]


@pytest.fixture(autouse=True)
def no_limits(app):
    app.config["RATELIMIT_ENABLED"] = False
    app.extensions["portal_limiter"].enabled = False


@pytest.fixture
def inbox(app, client, runner, tmp_path: Path):
    assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
    with app.app_context():
        reference = make_case(findings=[])
    sign_in(app, client, EXP_BJORKHAGA)
    return client, reference, csrf(client.get("/inkorg/").get_data(as_text=True))


@FUZZ
@given(body=bodies("email"))
def test_the_staff_sign_in_form_answers_anything_calmly(client, body):
    page = client.get("/inkorg/logga-in").get_data(as_text=True)
    assert_calm(post_with_token(client, "/inkorg/logga-in", body, csrf(page)))


@FUZZ
@given(action=st.sampled_from((("los", "message"), ("anteckning", "note"), ("vidare", "kind"))), data=st.data())
def test_the_case_actions_answer_anything_calmly(inbox, action, data):
    client, reference, csrf_token = inbox
    path, field = action
    body = data.draw(bodies(field))
    assert_calm(post_with_token(client, f"/inkorg/arenden/{reference}/{path}", body, csrf_token))
    assert client.get(f"/inkorg/arenden/{reference}").status_code == 200  # still signed in, the case intact


@FUZZ
@given(body=bodies("password", ("confirmation",)))
def test_the_new_password_form_answers_anything_calmly(app, client, runner, tmp_path, body):
    marker = tmp_path / "loaded"
    if not marker.exists():
        app.config["PORTAL_BASE_URL"] = BASE_URL
        load(runner, reset_directory(), tmp_path / "directory.json")
        marker.write_text("1")
    with app.app_context():
        link = reset_link(ask_for_help("anna.andersson@exempel.se"))
    page = open_link(client, link).get_data(as_text=True)
    assert_calm(post_with_token(client, "/aterstall/nytt-losenord", body, token(page)))


@FUZZ
@given(body=bodies("identifier"))
def test_the_identifier_step_answers_any_type_calmly(client, runner, tmp_path, body):
    from .test_hostile_requests import answer_steps

    marker = tmp_path / "loaded"
    if not marker.exists():
        assert runner.invoke(args=["import", str(build_directory().write(tmp_path / "dir.json"))]).exit_code == 0
        marker.write_text("1")
    assert_calm(post_with_token(client, "/hjalp/uppgift", body, answer_steps(client)))
