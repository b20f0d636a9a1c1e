"""Each role's walk in chromium at 360 and 1280 px, as a person who changes their mind: "Tillbaka" from
every step shows the answer given there, a changed role asks again the service and the problem (and
nothing else), the last step shows every answer with an "Ändra" link, and a change from there returns
to the summary. axe-core on every page; a full-page screenshot of each under
test-output/screenshots/answers-<role>-<width>-NN-<page>.png.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.public.choices import ROLE_LABELS, SERVICE_LABELS, services_for, symptom_label

from .conftest import PageFactory
from .flow import STEP_PATHS, at, check_axe, no_horizontal_scroll, screenshot, submits


@dataclass(frozen=True)
class Change:
    """A walk: the first answers, then from the summary another role (with its service and problem),
    then another problem."""

    role: str
    service: str
    symptom: str
    query: str
    place: str
    place_shown: str
    new_role: str
    new_service: str
    new_symptom: str
    last_symptom: str


CHANGES = [
    Change("guardian", "school_platform", "no_access_to_content", "bjorkhaga", "11111111", "Björkhagaskolan (11111111)",
           "teacher", "school_platform", "forgot_password", "password_login_failed"),
    Change("teacher", "learning_platform", "no_access_to_content", "BJÖRKHAGA", "11111111",
           "Björkhagaskolan (11111111)", "student", "learning_platform", "forgot_password", "no_access_to_content"),
    Change("exam_admin", "eservice_permissions", "lost_credentials", "11111111", "11111111",
           "Björkhagaskolan (11111111)", "teacher", "assessment_portal", "duplicate_account", "account_inactive"),
    # one service only: the service step is answered for the person, and the next page says so
    Change("eservice_user", "agency_eservice", "siths_failed", "sjostad", "sjostad", "Sjöstads kommun",
           "eservice_admin", "agency_eservice", "changes_not_visible", "admin_change"),
]


class Visit:
    """Every page the walk meets: axe-core, no sideways scroll at 320 px on a phone, a screenshot."""

    def __init__(self, page: Page, folder: Path, prefix: str, width: int) -> None:
        self.page, self.folder, self.prefix, self.width, self.count = page, folder, prefix, width, 0

    def __call__(self, name: str) -> None:
        self.count += 1
        screenshot(self.page, self.folder, f"{self.prefix}-{self.count:02d}-{name}")
        check_axe(self.page, f"{self.prefix} {name}")
        titles = self.page.title().split(" – ")[0]
        h1 = self.page.locator("h1")
        assert h1.count() == 1, f"{self.page.url}: {h1.count()} h1"
        assert h1.inner_text() == titles, (h1.inner_text(), titles)
        if self.width == 360:
            no_horizontal_scroll(self.page, self.width)


def choose(page: Page, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    submits(page, page.get_by_role("button", name="Fortsätt").click)


def checked(page: Page, name: str) -> str | None:
    boxes = page.locator(f"input[name={name}]:checked")
    return boxes.get_attribute("value") if boxes.count() else None


def back(page: Page) -> None:
    submits(page, page.get_by_role("link", name="Tillbaka", exact=True).click)


def summary(page: Page) -> dict[str, str]:
    rows = page.locator("dl.summary > div")
    return {rows.nth(i).locator("dt").inner_text(): rows.nth(i).locator("dd").inner_text()
            for i in range(rows.count())}


def search(page: Page, query: str) -> None:
    page.get_by_role("searchbox").fill(query)
    submits(page, page.get_by_role("button", name="Sök").click)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("c", CHANGES, ids=[c.role for c in CHANGES])
def test_back_keeps_answers_a_change_asks_again_and_the_summary_changes(
        live_server: str, new_page: PageFactory, screenshots: Path, c: Change, width: int) -> None:
    page = new_page(width=width, height=800)
    visit = Visit(page, screenshots, f"answers-{c.role}-{width}", width)
    one_service = len(services_for(c.role)) == 1
    page.goto(live_server + "/")
    at(page, "role")
    visit("role")
    assert "Vi visar aldrig något om ditt konto på skärmen" in page.inner_text("main")
    choose(page, ROLE_LABELS[c.role])
    if one_service:
        at(page, "symptom")
        assert "har bara ett svar" in page.inner_text("main")
        assert SERVICE_LABELS[c.service] in page.inner_text(".notice")
    else:
        at(page, "service")
        visit("service")
        choose(page, SERVICE_LABELS[c.service])
        at(page, "symptom")
    visit("symptom")
    choose(page, symptom_label(c.role, c.service, c.symptom))
    at(page, "school")
    visit("school")
    search(page, "")  # an empty search says what to type
    assert "Skriv skolans namn" in page.inner_text("main") or "Skriv kommunens namn" in page.inner_text("main")
    visit("school-empty-search")
    search(page, c.query)
    visit("school-results")
    choose(page, c.place_shown)
    at(page, "identifier")
    visit("identifier")

    # back, step by step: every page shows the answer given there
    back(page)
    at(page, "school")
    assert checked(page, "school") == c.place
    back(page)
    at(page, "symptom")
    assert checked(page, "symptom") == c.symptom
    back(page)
    if not one_service:
        at(page, "service")
        assert checked(page, "service") == c.service
        back(page)
    at(page, "role")
    assert checked(page, "role") == c.role
    visit("role-again")

    # forward again with the same answers: each page still shows its answer, nothing is asked again
    choose(page, ROLE_LABELS[c.role])
    if not one_service:
        at(page, "service")
        assert checked(page, "service") == c.service
        choose(page, SERVICE_LABELS[c.service])
    at(page, "symptom")
    assert checked(page, "symptom") == c.symptom
    choose(page, symptom_label(c.role, c.service, c.symptom))
    at(page, "school")
    choose(page, c.place_shown)
    at(page, "identifier")
    answers = summary(page)
    assert answers["Du är"].startswith(ROLE_LABELS[c.role])
    assert answers["Problem"].startswith(symptom_label(c.role, c.service, c.symptom))
    assert c.place_shown in answers["Kommun" if c.service == "agency_eservice" else "Skola"]
    assert ("(det enda svaret)" in answers["Tjänst"]) is one_service

    # "Ändra" the role from the summary: the service and the problem are asked again, the place is kept
    submits(page, page.locator("dl.summary a", has_text="Ändra").first.click)
    at(page, "role")
    choose(page, ROLE_LABELS[c.new_role])
    if len(services_for(c.new_role)) > 1:
        at(page, "service")
        visit("service-asked-again")
        choose(page, SERVICE_LABELS[c.new_service])
    at(page, "symptom")
    visit("symptom-asked-again")
    choose(page, symptom_label(c.new_role, c.new_service, c.new_symptom))
    at(page, "identifier")  # the place still fits: not asked again
    answers = summary(page)
    assert answers["Du är"].startswith(ROLE_LABELS[c.new_role])
    assert answers["Problem"].startswith(symptom_label(c.new_role, c.new_service, c.new_symptom))
    assert c.place_shown in answers["Kommun" if c.service == "agency_eservice" else "Skola"]

    # "Ändra" the problem: only that is asked, then back to the summary
    row = page.locator("dl.summary > div", has=page.locator("dt", has_text="Problem"))
    submits(page, row.get_by_role("link", name="Ändra").click)
    at(page, "symptom")
    assert checked(page, "symptom") == c.new_symptom
    choose(page, symptom_label(c.new_role, c.new_service, c.last_symptom))
    at(page, "identifier")
    visit("identifier-changed")
    assert summary(page)["Problem"].startswith(symptom_label(c.new_role, c.new_service, c.last_symptom))

    page.get_by_label("E-postadress, personnummer eller användarnamn").fill("someone@exempel.se")
    submits(page, page.get_by_role("button", name="Skicka").click)
    page.wait_for_url(f"**{STEP_PATHS['result']}")
    visit("result")
