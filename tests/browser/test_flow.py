"""The whole public flow in chromium for a guardian, a teacher, an exam administrator and a municipal
officer, with JavaScript on and off, on a phone (360 × 740) and a desktop (1280 × 800), by keyboard
only (Tab into a radio group, arrows to the answer, Space, Tab to the button, Enter) and by pointer.

Each role walks three times: on the phone by keyboard with JavaScript on and by pointer with it off,
and on the desktop either by pointer with JavaScript on or by keyboard with it off (two roles each), so
every role meets both viewports, JavaScript on and off and a keyboard-only walk, each viewport is
walked both by keyboard and by pointer, and every pairing of viewport and JavaScript is walked (a walk
costs ~2 s; the four-way product for every role would push the browser suite past a minute).
The phone walk with JavaScript on also runs axe-core on every page, checks that the page fits a
320 px screen without scrolling sideways, and saves a full-page screenshot of every step (and of every
answer focused) under test-output/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import NOTICE, SOLVIK, SOLVIK_ADMIN, PageFactory
from .flow import Walk, check_axe, no_horizontal_scroll, screenshot, walk

WALKS = [
    # a guardian at a school that has turned guardian login off: the one public finding naming a contact
    Walk("guardian", "school_platform", "no_access_to_content", "solvik", SOLVIK, "19800101-1231",
         shows=("Skolan har stängt av inloggningen för vårdnadshavare", SOLVIK_ADMIN[0], SOLVIK_ADMIN[1])),
    # a teacher, searching by skolenhetskod, on a service with an active disruption notice
    Walk("teacher", "learning_platform", "forgot_password", "11111111", "11111111", "mats.ek",
         shows=("Driftstörning", NOTICE)),
    Walk("exam_admin", "eservice_permissions", "lost_credentials", "björkhaga", "11111111", "pernilla.strand"),
    # a municipal officer using an agency's e-service: the place is the municipality
    Walk("eservice_user", "agency_eservice", "siths_failed", "Sjöstad", "sjostad", "SE2321000016-K1"),
]

# (JavaScript, width, height, keyboard)
PHONE_KEYBOARD = (True, 360, 740, True, "js-phone-keyboard")
PHONE_POINTER = (False, 360, 740, False, "nojs-phone-pointer")
DESKTOP_POINTER = (True, 1280, 800, False, "js-desktop-pointer")
DESKTOP_KEYBOARD = (False, 1280, 800, True, "nojs-desktop-keyboard")
CASES = [
    pytest.param(w, *way[:4], id=f"{w.id}-{way[4]}")
    for i, w in enumerate(WALKS)
    for way in (PHONE_KEYBOARD, PHONE_POINTER, DESKTOP_POINTER if i % 2 == 0 else DESKTOP_KEYBOARD)
]


@pytest.mark.parametrize(("w", "javascript", "width", "height", "keyboard"), CASES)
def test_the_whole_flow(live_server: str, new_page: PageFactory, screenshots: Path, w: Walk,
                        javascript: bool, width: int, height: int, keyboard: bool) -> None:
    page = new_page(width=width, height=height, javascript=javascript)
    checked = []

    def on_page(page: Page, name: str) -> None:
        if javascript and width == 360:
            screenshot(page, screenshots, f"flow-{w.role}-{len(checked) + 1:02d}-{name}")
            if not name.endswith("-focus"):  # the same page as the one before, with an answer focused
                check_axe(page, f"{w.role}, {name}")
                page.set_viewport_size({"width": 320, "height": height})
                no_horizontal_scroll(page, 320)
                page.set_viewport_size({"width": width, "height": height})
        checked.append(name)

    walk(page, live_server, w, keyboard=keyboard, on_page=on_page)
    assert checked[-1] == "result"
