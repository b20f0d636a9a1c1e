"""Disruption notices from the inbox (issue 14, part 2): a contact publishes one for its scope, it shows
at once on the public pages of that scope and no other, and on the case pages it affects; it ends,
it can be withdrawn, an import keeps it; only the scope's contacts may publish or withdraw."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Notice

from .directory_builder import Directory
from .inbox_flow import (
    ANNAN,
    BJORKHAGA,
    EXP_BJORKHAGA,
    EXP_SOLVIK,
    IT_KOMMUN,
    SOLVIK,
    build_directory,
    csrf,
    make_case,
    sign_in,
)

FROM_FILE = "Planerat underhåll i skolplattformen hela helgen."
E_SERVICE = ("agency_support", "E-tjänstens support", "etjanst@myndighet.example.se", {"service": "agency_eservice"})


@pytest.fixture
def directory(runner, tmp_path: Path) -> Directory:
    d = build_directory()
    d.add_contact(kind=E_SERVICE[0], name=E_SERVICE[1], email=E_SERVICE[2], **E_SERVICE[3])
    d.add_notice(id="fil-1", text=FROM_FILE, service="learning_platform", **{"from": "2026-01-01T00:00:00+01:00"})
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d


def public_page(app, school: str, service: str = "school_platform", role: str = "guardian") -> str:
    """The identifier page of a person who chose `school` (a fresh browser each time)."""
    client = app.test_client()
    response = client.get(f"/?role={role}&service={service}&symptom=forgot_password&school={school}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def publish(client, *, reach: str, text: str, starts: str = "", ends: str = "", service: str = ""):
    page = client.get("/inkorg/driftstorningar").get_data(as_text=True)
    if not starts:
        starts = re.search(r'name="starts" value="([^"]*)"', page).group(1)
    return client.post("/inkorg/driftstorningar", data={"csrf_token": csrf(page), "reach": reach, "service": service,
                                                        "starts": starts, "ends": ends, "text": text})


def withdraw(client, notice_id: str):
    page = client.get("/inkorg/driftstorningar").get_data(as_text=True)
    return client.post(f"/inkorg/driftstorningar/{notice_id}/ta-tillbaka", data={"csrf_token": csrf(page)})


def inbox_notice(app) -> Notice:
    with app.app_context():
        return db.session.scalars(select(Notice).where(Notice.origin == "inbox")).one()


def test_a_schools_notice_shows_at_once_on_that_schools_pages_only(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    text = "Skolplattformen går inte att logga in på just nu. Vi felsöker."
    response = publish(client, reach=f"{BJORKHAGA}||", text=text)
    assert response.status_code == 303
    assert "Driftstörningen är publicerad" in client.get("/inkorg/driftstorningar").get_data(as_text=True)
    assert text in public_page(app, BJORKHAGA)
    assert text in public_page(app, BJORKHAGA, service="learning_platform", role="teacher")
    assert text not in public_page(app, SOLVIK)
    assert text not in public_page(app, ANNAN)
    start = app.test_client().get("/").get_data(as_text=True)  # no school chosen yet
    assert text not in start
    notice = inbox_notice(app)
    assert (notice.school_code, notice.organisation_id, notice.service) == (BJORKHAGA, None, None)
    assert (notice.published_by_name, notice.published_by_email) == (EXP_BJORKHAGA[1], EXP_BJORKHAGA[2])


def test_a_notice_narrowed_to_a_service_shows_on_that_service_only(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    text = "Lärplattformen är långsam."
    assert publish(client, reach=f"{BJORKHAGA}||", service="learning_platform", text=text).status_code == 303
    assert text in public_page(app, BJORKHAGA, service="learning_platform", role="teacher")
    assert text not in public_page(app, BJORKHAGA)


def test_an_organisations_notice_shows_at_each_of_its_schools_and_in_their_cases(app, client, directory):
    sign_in(app, client, IT_KOMMUN)
    text = "Kommunens inloggningstjänst har en störning."
    assert publish(client, reach="|kommun|", text=text).status_code == 303
    assert text in public_page(app, BJORKHAGA) and text in public_page(app, SOLVIK)
    assert text not in public_page(app, ANNAN)
    with app.app_context():
        here = make_case(place=SOLVIK, route=IT_KOMMUN)
        elsewhere = make_case(place=ANNAN, organisation="annan", route=IT_KOMMUN)
    assert text in client.get(f"/inkorg/arenden/{here}").get_data(as_text=True)
    other = client.get(f"/inkorg/arenden/{elsewhere}")
    assert text not in other.get_data(as_text=True)


def test_an_agency_supports_notice_shows_on_its_service_only(app, client, directory):
    sign_in(app, client, E_SERVICE)
    text = "E-tjänsten är stängd för underhåll."
    assert publish(client, reach="||agency_eservice", text=text).status_code == 303
    assert text in public_page(app, "kommun", service="agency_eservice", role="eservice_user")
    assert text not in public_page(app, BJORKHAGA)


def test_a_notice_ends_at_its_end_and_a_withdrawn_one_at_once(app, client, clock, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    page = client.get("/inkorg/driftstorningar").get_data(as_text=True)
    starts = re.search(r'name="starts" value="([^"]*)"', page).group(1)  # now, as the form offers it
    ends = (dt.datetime.fromisoformat(starts) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert publish(client, reach=f"{BJORKHAGA}||", text="Kort störning.", ends=ends).status_code == 303
    assert "Kort störning." in public_page(app, BJORKHAGA)
    clock.move(2 * 3600)
    assert "Kort störning." not in public_page(app, BJORKHAGA)

    clock(0)
    client2 = app.test_client()
    sign_in(app, client2, EXP_BJORKHAGA)
    assert publish(client2, reach=f"{BJORKHAGA}||", text="Längre störning.").status_code == 303
    with app.app_context():
        notice_id = db.session.scalars(select(Notice.id).where(Notice.text == "Längre störning.")).one()
    assert "Längre störning." in public_page(app, BJORKHAGA)
    assert withdraw(client2, notice_id).status_code == 303
    assert "Längre störning." not in public_page(app, BJORKHAGA)
    listed = client2.get("/inkorg/driftstorningar").get_data(as_text=True)
    assert f"av {EXP_BJORKHAGA[1]}" in listed and "Borttagen" in listed
    with app.app_context():
        withdrawn = db.session.get(Notice, notice_id)
        assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_by_email == EXP_BJORKHAGA[2]


def test_an_import_keeps_the_inbox_notices_and_replaces_the_files(app, client, runner, tmp_path, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    assert publish(client, reach=f"{BJORKHAGA}||", text="Störning som ska överleva.").status_code == 303
    directory.data["notices"] = [{"id": "fil-2", "text": "En ny från filen.", "from": "2026-01-01T00:00:00+01:00"}]
    result = runner.invoke(args=["import", str(directory.write(tmp_path / "dir2.json"))])
    assert result.exit_code == 0, result.output
    page = public_page(app, BJORKHAGA)
    assert "Störning som ska överleva." in page and "En ny från filen." in page
    with app.app_context():
        texts = set(db.session.scalars(select(Notice.text)))
    assert FROM_FILE not in texts and len(texts) == 2


def test_an_import_keeps_a_notice_whose_school_has_left_the_directory(app, client, runner, tmp_path, directory):
    sign_in(app, client, EXP_SOLVIK)
    assert publish(client, reach=f"{SOLVIK}||", text="Solvik har en störning.").status_code == 303
    directory.data["schools"] = [s for s in directory.data["schools"] if s["code"] != SOLVIK]
    directory.data["contacts"] = [c for c in directory.data["contacts"] if c.get("school") != SOLVIK]
    result = runner.invoke(args=["import", str(directory.write(tmp_path / "dir2.json"))])
    assert result.exit_code == 0, result.output
    assert inbox_notice(app).text == "Solvik har en störning."


def test_another_contacts_notice_answers_404_and_a_scope_not_ones_own_is_refused(app, client, directory):
    sign_in(app, client, EXP_BJORKHAGA)
    assert publish(client, reach=f"{BJORKHAGA}||", text="Björkhagas störning.").status_code == 303
    notice_id = inbox_notice(app).id
    other = app.test_client()
    sign_in(app, other, EXP_SOLVIK)
    assert "Björkhagas störning." not in other.get("/inkorg/driftstorningar").get_data(as_text=True)
    assert withdraw(other, notice_id).status_code == 404
    assert withdraw(other, "fil-1").status_code == 404  # a notice from the file is no inbox notice
    refused = publish(other, reach=f"{BJORKHAGA}||", text="Försök.")
    assert refused.status_code == 400 and "Välj var störningen gäller." in refused.get_data(as_text=True)
    assert "Björkhagas störning." in public_page(app, BJORKHAGA)
    # the organisation's contact covers Björkhaga, but the notice is the school's: not theirs to withdraw
    it = app.test_client()
    sign_in(app, it, IT_KOMMUN)
    assert withdraw(it, notice_id).status_code == 404


@pytest.mark.parametrize(("fields", "message"), [
    ({"text": ""}, "Skriv vad som har hänt"),
    ({"starts": "i morgon"}, "Skriv tiden som år-månad-dag timme:minut"),
    ({"starts": "2026-11-23T10:00", "ends": "2026-11-23T09:00"}, "Sluttiden måste vara efter starttiden."),
    ({"starts": "2020-11-23T10:00", "ends": "2020-11-23T11:00"}, "Sluttiden har redan passerat."),
    ({"text": "a\x00b"}, "Texten innehåller tecken som inte går att spara."),
])
def test_a_notice_that_cannot_be_published_says_why_in_swedish(app, client, directory, fields, message):
    sign_in(app, client, EXP_BJORKHAGA)
    response = publish(client, reach=f"{BJORKHAGA}||", **{"text": "Störning.", **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Notice).where(Notice.origin == "inbox")).first() is None


def test_the_notice_pages_need_a_signed_in_contact(client, directory):
    response = client.get("/inkorg/driftstorningar")
    assert response.status_code == 303 and response.headers["Location"].endswith("/inkorg/logga-in")
