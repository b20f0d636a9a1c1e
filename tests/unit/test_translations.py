"""Translations never drift (docs/STYLE.md 9): the committed catalogue is what the source marks,
Swedish and English are complete, placeholders survive translation, and the committed .mo files are
what the .po files compile to. `make translations` (tools/translations.py) puts all of this right
except the English wording, which a person writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "tools" / "translations.py")
assert _spec and _spec.loader
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

LOCALES = ("sv", "en")
# the same in English: a word both languages share, and the service's name
SAME_IN_ENGLISH = {"Mentor", "Inloggningshjälpen"}  # the service keeps its name


def ids(catalog: Catalog) -> set[object]:
    return {m.id for m in tool.messages(catalog)}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """A fresh `pybabel extract` of the source, with babel.cfg."""
    out = tmp_path_factory.mktemp("extract") / "messages.pot"
    tool.extract(out)
    return tool.read(out)


def test_the_committed_template_holds_exactly_what_the_source_marks(fresh):
    committed = tool.read(tool.POT)
    missing, stale = ids(fresh) - ids(committed), ids(committed) - ids(fresh)
    assert not missing and not stale, f"run `make translations`; new: {sorted(map(str, missing))}, gone: {stale}"
    assert len(ids(fresh)) > 250  # the check texts, the steps and the pages are all in it


def test_the_strings_forms_and_checks_mark_are_extracted(fresh):
    strings = ids(fresh)
    assert "Välj vem du är." in strings  # portal/public/forms.py: lazy_gettext imported as _l
    assert "Kontot är inte spärrat" in strings  # checks/catalogue: N_
    assert "Personnumret stämmer inte. Kontrollera siffrorna, särskilt de fyra sista." in strings


@pytest.mark.parametrize("locale", LOCALES)
def test_each_catalogue_has_every_string_of_the_template_and_no_other(locale):
    assert ids(tool.read(tool.po_path(locale), locale)) == ids(tool.read(tool.POT))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated_none_fuzzy_with_the_same_placeholders(locale):
    catalog = tool.read(tool.po_path(locale), locale)
    assert not catalog.fuzzy
    wrong = {str(m.id)[:80]: why for m in tool.messages(catalog) if (why := tool.problems(m))}
    assert wrong == {}, "fix these in translations/{locale}/LC_MESSAGES/messages.po"


def test_swedish_is_the_source_so_each_swedish_entry_is_its_msgid():
    catalog = tool.read(tool.po_path("sv"), "sv")
    assert [m.id for m in tool.messages(catalog) if m.string != m.id] == []


def test_english_is_a_translation_not_a_copy_of_the_swedish():
    catalog = tool.read(tool.po_path("en"), "en")
    copied = [m.id for m in tool.messages(catalog) if m.string == m.id and m.id not in SAME_IN_ENGLISH]
    assert copied == []
    assert catalog.get("Vem är du?").string == "Who are you?"


@pytest.mark.parametrize(("text", "found"), [
    ("Steg %(n)s av 6", {"%(n)s"}), ("%(name)s, %(email)s.", {"%(name)s", "%(email)s"}),
    ("100 %% säkert", set()), ("inga", set()), ("%d dagar", {"%d"})])
def test_placeholders_are_read_as_python_formats(text, found):
    assert tool.placeholders(text) == [found]


def test_a_translation_that_loses_or_renames_a_placeholder_is_reported():
    from babel.messages.catalog import Message

    assert tool.problems(Message("Steg %(n)s av 6", "Step %(n)s of 6", flags=["python-format"])) is None
    assert tool.problems(Message("Steg %(n)s av 6", "Step of 6")) == "placeholders differ"
    assert tool.problems(Message("Steg %(n)s av 6", "Step %(num)s of 6")) == "placeholders differ"
    assert tool.problems(Message("Steg %(n)s av 6", "")) == "untranslated"
    assert tool.problems(Message("Steg %(n)s av 6", "Step %(n)s of 6", flags=["fuzzy"])) == "fuzzy"
    plural = Message(("%(num)s dag", "%(num)s dagar"), ("%(num)s day", "days"))
    assert tool.problems(plural) == "placeholders differ"


@pytest.mark.parametrize("locale", LOCALES)
def test_each_committed_mo_is_a_fresh_compile_of_its_po(locale):
    mo = tool.mo_path(locale)
    assert mo.is_file(), "run `make translations`"
    assert mo.read_bytes() == tool.compiled(tool.read(tool.po_path(locale), locale)), "run `make translations`"
