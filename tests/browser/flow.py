"""Walking the public flow in a browser, by keyboard or by pointer, and what every page is checked for."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from portal.public.choices import ROLE_LABELS, SERVICE_LABELS, services_for, symptom_label

REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
STEP_PATHS = {"role": "/", "service": "/hjalp/tjanst", "symptom": "/hjalp/problem", "school": "/hjalp/skola",
              "identifier": "/hjalp/uppgift", "result": "/hjalp/resultat"}
_axe = Axe()


@dataclass(frozen=True)
class Walk:
    """One person's answers. `query` is what they type in the school (or municipality) search."""

    role: str
    service: str
    symptom: str
    query: str
    place: str
    identifier: str
    shows: tuple[str, ...] = ()  # texts the result page shows for these answers

    @property
    def id(self) -> str:
        return self.role


def at(page: Page, step: str) -> None:
    """Wait until the page is the step's page, loaded."""
    path = STEP_PATHS[step]
    page.wait_for_url(re.compile(re.escape(path) + r"(\?.*)?$"))
    page.wait_for_load_state("load")


def submits(page: Page, action: Callable[[], object]) -> None:
    """Do what submits a form and wait for the page it leads to (a page may answer at its own URL)."""
    with page.expect_navigation():
        action()


def press_enter(page: Page) -> None:
    submits(page, lambda: page.keyboard.press("Enter"))


# -- checks -------------------------------------------------------------------------------------------

def check_axe(page: Page, what: str) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                      "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"axe on {what} ({page.url}):\n{results.generate_report()}"


# The focused element, how its focus shows, and whether it matches a selector (null: none).
FOCUS = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return {element: el.outerHTML.slice(0, 120), matches: selector ? el.matches(selector) : false,
          outline: outline ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : null,
          shadow: s.boxShadow !== 'none' ? s.boxShadow : null};
}"""


def assert_focus_visible(page: Page, selector: str | None = None) -> bool:
    """The focused element draws a focus indicator (an outline or a box shadow); True when it
    matches `selector`."""
    focus = page.evaluate(FOCUS, selector)
    assert focus is not None, f"nothing has focus on {page.url}"
    assert focus["outline"] or focus["shadow"], f"focus not visible on {page.url}: {focus}"
    return bool(focus["matches"])


def no_horizontal_scroll(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at a {width} px viewport"


# -- keyboard -----------------------------------------------------------------------------------------

def tab_to(page: Page, selector: str, *, limit: int = 30) -> None:
    """Press Tab until `selector` has focus; every element on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if assert_focus_visible(page, selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def choose_by_keyboard(page: Page, name: str, value: str) -> None:
    """Tab into the radio group, arrow to the value, Space to choose it."""
    tab_to(page, f"input[type=radio][name={name}]")
    for _ in range(20):
        if page.evaluate("document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
        assert_focus_visible(page)
    else:
        raise AssertionError(f"no radio {name}={value} on {page.url}")
    page.keyboard.press("Space")
    assert page.locator(f"input[name={name}][value='{value}']").is_checked()


# -- one step each -------------------------------------------------------------------------------------

Snap = Callable[[Page, str], None]


def _nothing(_page: Page, _step: str) -> None:
    return None


def walk(page: Page, base: str, w: Walk, *, keyboard: bool, on_page: Snap = _nothing) -> str:
    """Answer every step of the flow from the start page; returns the case reference shown.

    `on_page(page, name)` runs on every page as it is shown (and, by keyboard, again with the answer
    chosen and the submit button focused: name + "-focus").
    """
    page.goto(base + "/")
    at(page, "role")
    for step, value, label in (("role", w.role, ROLE_LABELS[w.role]),
                               ("service", w.service, SERVICE_LABELS[w.service]),
                               ("symptom", w.symptom, symptom_label(w.role, w.service, w.symptom))):
        if step == "service" and len(services_for(w.role)) == 1:
            continue  # answered for the person: the next page says so
        at(page, step)
        on_page(page, step)
        _radio_step(page, step, value, label, keyboard=keyboard, on_page=on_page)

    at(page, "school")
    on_page(page, "school")
    if keyboard:
        tab_to(page, "input#q")
        page.keyboard.type(w.query)
        press_enter(page)
    else:
        page.get_by_role("searchbox").fill(w.query)
        submits(page, page.get_by_role("button", name="Sök").click)
    at(page, "school")
    on_page(page, "school-results")
    radio = page.locator(f"input[name=school][value='{w.place}']")
    label = page.locator(f"label[for='{radio.get_attribute('id')}']").inner_text()
    _radio_step(page, "school", w.place, label, keyboard=keyboard, on_page=on_page)

    at(page, "identifier")
    on_page(page, "identifier")
    if keyboard:
        tab_to(page, "input#identifier")
        page.keyboard.type(w.identifier)
        on_page(page, "identifier-focus")
        press_enter(page)
    else:
        page.get_by_label("E-postadress, personnummer eller användarnamn").fill(w.identifier)
        submits(page, page.get_by_role("button", name="Skicka").click)

    at(page, "result")
    on_page(page, "result")
    assert page.get_by_role("heading", level=1).inner_text() == "Det här händer nu"
    assert "Om uppgifterna stämmer med ett konto har vi skickat ett meddelande" in page.inner_text("main")
    for text in w.shows:
        assert text in page.inner_text("main"), text
    reference = page.locator(".reference strong").inner_text()
    assert REFERENCE.match(reference), reference
    return reference


def _radio_step(page: Page, name: str, value: str, label: str, *, keyboard: bool, on_page: Snap) -> None:
    if keyboard:
        choose_by_keyboard(page, name, value)
        tab_to(page, "form[method=post] button[type=submit]")
        on_page(page, f"{name}-focus")
        press_enter(page)
    else:
        page.get_by_label(label, exact=True).check()
        submits(page, page.get_by_role("button", name="Fortsätt").click)


def screenshot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
