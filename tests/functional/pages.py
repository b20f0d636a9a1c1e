"""What every page is checked for (docs/STYLE.md 8): one title, `lang` on <html>, unique ids, a label
for every field, an action on every form, the language link and the footer's two links."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .directory_builder import Directory


@dataclass
class Page(HTMLParser):
    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    fields: list[dict[str, str]] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    _in_title: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
            self.titles.append("")
        elif tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append(a)
        elif tag == "form":
            self.forms.append(a)
        elif tag == "a":
            self.links.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles[-1] += data


def visible(page: str) -> str:
    """The text a person sees: tags dropped, entities read, white space collapsed."""
    body = page.split("<body>", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body)).split())


def check_page(body: str, lang: str) -> Page:
    page = Page()
    page.feed(body)
    assert page.lang == lang, page.lang
    assert len(page.titles) == 1 and page.titles[0].strip(), page.titles
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, duplicates
    unlabelled = [f for f in page.fields if f.get("id") not in page.label_for]
    assert not unlabelled, unlabelled
    assert all(f.get("action") for f in page.forms), page.forms
    hrefs = [a.get("href", "") for a in page.links]
    assert "/tillganglighet" in hrefs and "/personuppgifter" in hrefs
    # the language menu: a link to each other language (Swedish and English at least), marked with its
    # own lang (and dir), none to the page's own
    switch = {a["href"][len("/sprak/"):].split("?", 1)[0]: a for a in page.links
              if a.get("href", "").startswith("/sprak/")}
    assert lang not in switch and {"sv", "en"} - {lang} <= set(switch), switch
    assert all(a.get("lang") == code and a.get("hreflang") == code for code, a in switch.items()), switch
    assert all(a.get("dir") == ("rtl" if code in ("ar", "fa") else None) for code, a in switch.items()), switch
    return page


@pytest.fixture
def two_schools(runner, tmp_path: Path) -> Directory:
    """Björkhagaskolan with a guardian, and Solviksskolan, where guardian login is off (the result page
    then names its administrator): the directory the page and language tests walk."""
    d = Directory(name="Björkhagaskolan")
    d.add_guardian("g1", child="c1")
    d.add_school(code="22222222", name="Solviksskolan", guardian_login=False)
    d.add_contact(kind="school_admin", name="Expeditionen Solvik", email="solvik@exempel.se", school="22222222")
    assert runner.invoke(args=["import", str(d.write(tmp_path / "dir.json"))]).exit_code == 0
    return d
