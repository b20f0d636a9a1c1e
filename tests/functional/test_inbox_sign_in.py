"""Signing in to the staff inbox (issue 6, part 1): a link by mail to the address the directory
holds, the same page for a contact and a stranger, a single-use short-lived link spent by a POST,
a cookie of its own with idle and absolute timeouts, and a sign-out that holds on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.inbox.auth import process_sign_in_requests
from portal.models import OutboxMessage, SignInRequest, StaffSession

from .directory_builder import Directory
from .inbox_flow import (
    EXP_BJORKHAGA,
    EXP_SOLVIK,
    TOKEN,
    ask_for_link,
    build_directory,
    csrf,
    follow_link,
    sign_in,
    sign_in_link,
)


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = build_directory()
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def _mails(app, template: str = "sign_in") -> list[OutboxMessage]:
    with app.app_context():
        process_sign_in_requests()  # the worker's half of asking for a link
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))


def _after_asking(app, typed: str) -> tuple[int, dict[str, str], str, int, dict[str, str], str]:
    """What a browser sees after posting the address: the POST's answer and the page it leads to."""
    client = app.test_client()
    posted = ask_for_link(client, typed)
    page = client.get(posted.headers["Location"])
    body = TOKEN.sub('name="csrf_token" value="MASKED"', page.get_data(as_text=True))
    return (posted.status_code, dict(posted.headers), posted.get_data(as_text=True),
            page.status_code, dict(page.headers), body)


def test_signed_out_requests_lead_to_the_sign_in_form_whose_field_is_email(client, directory):
    for path in ("/inkorg/", "/inkorg/arenden/7KQ29MXD"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/logga-in")
    form = client.get("/inkorg/logga-in").get_data(as_text=True)
    assert 'name="email"' in form and 'action="/inkorg/logga-in"' in form
    assert client.get("/inkorg").status_code in (301, 308)  # to /inkorg/, then as above


@pytest.mark.parametrize("typed", ["nobody@exempelby.se", "anna.andersson@exempel.se", "exp.solvik@exempelby.se"])
def test_the_page_after_asking_is_byte_for_byte_the_same_for_a_contact_and_a_stranger(app, directory, typed):
    assert _after_asking(app, typed) == _after_asking(app, EXP_BJORKHAGA[2])
    addresses = [m.to_address for m in _mails(app)]
    assert EXP_BJORKHAGA[2] in addresses
    assert "nobody@exempelby.se" not in addresses and "anna.andersson@exempel.se" not in addresses


def test_the_link_goes_to_the_address_the_directory_holds_never_the_typed_one(app, client, directory):
    ask_for_link(client, "  exp.BJORKHAGA@exempelby.SE ")
    (mail,) = _mails(app)
    assert mail.to_address == "Exp.Bjorkhaga@Exempelby.se" and mail.case_id is None
    assert set(mail.context) == {"contact", "fingerprint"}  # an id and a keyed hash: nothing personal


def test_the_sign_in_mail_has_a_link_under_the_base_url_and_no_personal_data_in_its_subject(app, client, directory):
    from portal.mail import render

    ask_for_link(client, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    assert link.startswith(app.config["PORTAL_BASE_URL"] + "/inkorg/logga-in/")
    with app.app_context():
        rendered = render(_mails(app)[0])
    assert "Bjorkhaga" not in rendered.subject and "@" not in rendered.subject
    assert "15 minuter" in rendered.text
    assert f'href="{app.config["PORTAL_BASE_URL"]}/inkorg/logga-in/' in rendered.html


def test_signing_in_through_the_link_opens_the_inbox(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/")
    assert page.status_code == 200
    assert "Inloggad som Expeditionen Björkhaga" in page.get_data(as_text=True)


def test_opening_the_link_moves_the_token_out_of_the_address_and_spends_nothing(app, client, directory):
    ask_for_link(client, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    token = link.rsplit("/", 1)[1]
    opened = client.get(f"/inkorg/logga-in/{token}")
    assert opened.status_code == 303 and opened.headers["Location"] == "/inkorg/logga-in/bekrafta"
    assert token not in opened.headers["Location"]
    # a mail scanner fetched it too: the GETs spend nothing, and the person can still sign in
    app.test_client().get(f"/inkorg/logga-in/{token}")
    confirm = client.get("/inkorg/logga-in/bekrafta").get_data(as_text=True)
    assert token not in confirm
    assert client.post("/inkorg/logga-in/bekrafta", data={"csrf_token": csrf(confirm)}).status_code == 303


def _refused_body(response) -> str:
    assert response.status_code == 400
    return response.get_data(as_text=True)


def test_a_link_used_twice_expired_or_forged_gets_one_calm_page(app, directory, clock):
    first = app.test_client()
    ask_for_link(first, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    assert follow_link(first, link).status_code == 303
    used_twice = _refused_body(follow_link(app.test_client(), link))

    ask_for_link(app.test_client(), EXP_SOLVIK[2])
    late = sign_in_link(app, EXP_SOLVIK[2])
    clock(15 * 60 + 1)
    expired = _refused_body(follow_link(app.test_client(), late))

    forged = _refused_body(follow_link(app.test_client(), link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")))
    made_up = _refused_body(follow_link(app.test_client(), "http://x/inkorg/logga-in/eyJjIjoxfQ.abc.def"))
    assert used_twice == expired == forged == made_up
    assert "Länken fungerar inte längre" in used_twice and "Be om en ny länk" in used_twice


def test_a_link_is_valid_at_its_last_second(app, client, directory, clock):
    ask_for_link(client, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    clock(15 * 60)
    assert follow_link(client, link).status_code == 303


def test_confirming_without_a_link_in_the_session_is_refused(client, directory):
    assert client.get("/inkorg/logga-in/bekrafta").status_code == 400


def test_a_re_import_that_changes_the_contact_kills_its_link_and_its_session(app, runner, directory, tmp_path):
    signed_in = app.test_client()
    sign_in(app, signed_in, EXP_BJORKHAGA)
    waiting = app.test_client()
    ask_for_link(waiting, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])

    # the same directory again re-numbers the contacts but changes nothing that matters
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "same.json"))]).exit_code == 0
    assert signed_in.get("/inkorg/").status_code == 200

    for contact in directory.data["contacts"]:
        if contact["email"] == EXP_BJORKHAGA[2]:
            contact["school"] = "22222222"  # moved to another school
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "moved.json"))]).exit_code == 0
    assert signed_in.get("/inkorg/").status_code == 303
    assert follow_link(waiting, link).status_code == 400


def test_a_link_for_a_renumbered_id_never_signs_in_someone_else(app, runner, directory, tmp_path):
    client = app.test_client()
    ask_for_link(client, EXP_BJORKHAGA[2])
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    directory.data["contacts"].reverse()  # every contact gets another id
    assert runner.invoke(args=["import", str(directory.write(tmp_path / "reversed.json"))]).exit_code == 0
    response = follow_link(client, link)
    assert response.status_code == 400


def _set_cookie(response) -> str:
    (header,) = [v for k, v in response.headers.items() if k == "Set-Cookie" and "inkorg=" in v]
    return header


def test_over_http_the_cookie_is_httponly_samesite_lax_path_slash_and_named_without_the_prefix(app, client, directory):
    ask_for_link(client, EXP_BJORKHAGA[2])
    cookie = _set_cookie(follow_link(client, sign_in_link(app, EXP_BJORKHAGA[2])))
    assert cookie.startswith("inkorg=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "Secure" not in cookie and "Expires" not in cookie


def test_over_https_the_cookie_is_host_prefixed_and_secure(monkeypatch, directory, _migrated_database):
    from portal import create_app

    monkeypatch.setenv("PORTAL_BASE_URL", "https://inloggningshjalp.example.se")
    app = create_app({"TESTING": True})
    client = app.test_client()
    base = "https://inloggningshjalp.example.se"
    # Flask-WTF refuses an HTTPS form post without a Referer (WTF_CSRF_SSL_STRICT); a browser sends one
    # to the same origin unless the page says no-referrer
    client.environ_base["HTTP_REFERER"] = base + "/inkorg/logga-in"
    page = client.get("/inkorg/logga-in", base_url=base).get_data(as_text=True)
    client.post("/inkorg/logga-in", data={"csrf_token": csrf(page), "email": EXP_BJORKHAGA[2]}, base_url=base)
    link = sign_in_link(app, EXP_BJORKHAGA[2])
    assert link.startswith(base + "/inkorg/logga-in/")
    token = link.rsplit("/", 1)[1]
    client.get(f"/inkorg/logga-in/{token}", base_url=base)
    confirm = client.get("/inkorg/logga-in/bekrafta", base_url=base).get_data(as_text=True)
    response = client.post("/inkorg/logga-in/bekrafta", data={"csrf_token": csrf(confirm)}, base_url=base)
    cookie = _set_cookie(response)
    assert cookie.startswith("__Host-inkorg=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert client.get("/inkorg/", base_url=base).status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _session_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StaffSession))


def test_a_cookie_kept_from_before_sign_out_is_refused(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    kept = client.get_cookie("inkorg").value
    page = client.get("/inkorg/").get_data(as_text=True)
    out = client.post("/inkorg/logga-ut", data={"csrf_token": csrf(page)})
    assert out.status_code == 303 and out.headers["Location"].endswith("/inkorg/utloggad")
    assert _session_count(app) == 0
    thief = app.test_client()
    thief.set_cookie("inkorg", kept)
    response = thief.get("/inkorg/")
    assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/logga-in")


def test_signing_in_again_rotates_the_session(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    before = client.get_cookie("inkorg").value
    sign_in(app, client, EXP_BJORKHAGA)
    after = client.get_cookie("inkorg").value
    assert before != after
    assert _session_count(app) == 1  # the earlier one is gone, not merely replaced in this browser
    old = app.test_client()
    old.set_cookie("inkorg", before)
    assert old.get("/inkorg/").status_code == 303


def test_an_altered_cookie_is_refused(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    value = client.get_cookie("inkorg").value
    client.set_cookie("inkorg", value[:-2] + ("xx" if not value.endswith("xx") else "yy"))
    assert client.get("/inkorg/").status_code == 303


def test_an_idle_session_ends_after_thirty_minutes(app, client, directory, clock):
    sign_in(app, client, EXP_BJORKHAGA)
    clock(29 * 60)
    assert client.get("/inkorg/").status_code == 200  # activity keeps it alive
    clock(29 * 60 + 30 * 60)
    assert client.get("/inkorg/").status_code == 200
    clock(29 * 60 + 60 * 60 + 1)
    assert client.get("/inkorg/").status_code == 303


def test_a_session_ends_after_eight_hours_however_active(app, client, directory, clock):
    sign_in(app, client, EXP_BJORKHAGA)
    for minutes in range(20, 8 * 60, 20):
        clock(minutes * 60)
        assert client.get("/inkorg/").status_code == 200
    clock(8 * 3600 + 1)
    assert client.get("/inkorg/").status_code == 303


def test_the_timeouts_are_configurable(app, client, directory, clock):
    app.config["PORTAL_STAFF_IDLE_MINUTES"] = 5
    sign_in(app, client, EXP_BJORKHAGA)
    clock(5 * 60 + 1)
    assert client.get("/inkorg/").status_code == 303


def test_over_the_per_address_limit_the_page_stays_the_same_and_no_link_is_queued(app, directory):
    pages = [_after_asking(app, EXP_BJORKHAGA[2]) for _ in range(5)]
    assert all(p == pages[0] for p in pages)
    assert len(_mails(app)) == 3  # PORTAL_LIMIT_TYPED_EMAIL: 3 an hour


def test_a_stranger_counts_against_the_limit_exactly_as_a_contact(app, directory):
    for _ in range(5):
        _after_asking(app, "nobody@exempelby.se")
    assert _mails(app) == []


def test_the_sign_in_post_is_limited_per_client_address(app, directory):
    app.config["PORTAL_LIMIT_SUBMIT"] = "3 per minute"
    client = app.test_client()
    codes = [ask_for_link(client, f"x{i}@exempel.se").status_code for i in range(4)]
    assert codes == [303, 303, 303, 429]


@pytest.mark.parametrize("typed", ["", "   ", "inte-en-adress", "a@b@c", "x" * 250 + "@exempel.se", "exp\x00@exempelby.se",
                                   "exp\x07@exempelby.se", "exp@exempelby", "exp @exempelby.se", "exp@exempelby..se"])
def test_a_malformed_address_gets_a_message_beside_the_field(client, directory, typed):
    response = ask_for_link(client, typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and 'id="email-error"' in page and 'aria-invalid="true"' in page


def test_posts_without_csrf_are_refused(client, directory):
    assert client.post("/inkorg/logga-in", data={"email": EXP_BJORKHAGA[2]}).status_code == 400
    assert client.post("/inkorg/logga-in/bekrafta").status_code in (400,)
    assert client.post("/inkorg/logga-ut").status_code == 400


def test_asking_for_a_link_does_the_same_work_for_a_contact_and_a_stranger(app, directory):
    """N3 on the staff side: the POST records the typed address for the worker, whoever typed it; the
    same SQL, the same keyed hashes. Only the worker looks the address up."""
    from .test_queue import counting

    work = []
    for typed in (EXP_BJORKHAGA[2], "Ingen.Alls@Exempelby.se"):  # a contact's address, and nobody's
        client = app.test_client()
        page = client.get("/inkorg/logga-in").get_data(as_text=True)
        with counting(app) as counted:
            assert client.post("/inkorg/logga-in", data={"csrf_token": csrf(page), "email": typed}).status_code == 303
        work.append((counted.statements, dict(counted.hashes)))
    assert work[0] == work[1]
    assert any("sign_in_requests" in s for s in work[0][0])
    assert not any("contacts" in s for s in work[0][0])


def test_the_worker_erases_the_typed_address_and_writes_only_to_a_contact(app, directory):
    ask_for_link(app.test_client(), EXP_BJORKHAGA[2].upper())
    ask_for_link(app.test_client(), "ingen.alls@exempelby.se")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInRequest)) == 2
    assert [m.to_address for m in _mails(app)] == [EXP_BJORKHAGA[2]]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInRequest)) == 0
