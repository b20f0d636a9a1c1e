"""The guardians' six languages (Arabic, Somali, Tigrinya, Persian, Ukrainian, Finnish): each catalogue
is complete for every string a person asking for help reads (`public()`: the staff inbox and contacts'
mails stay Swedish or English), nothing fuzzy, every placeholder kept, no Swedish left untranslated
(a msgstr equal to its msgid only where translations/GLOSSARY.md allows it), the committed .mo is a
fresh compile, and the back-translation into Swedish covers every public string.

A language whose folder does not exist yet is skipped with the reason (the catalogues are written on
two branches and merged together); once merged, `pytest -rs tests/unit/test_catalogues.py` must list
no skip."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "tools" / "translations.py")
assert _spec and _spec.loader
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

GUARDIAN_LANGUAGES = ("ar", "so", "ti", "fa", "uk", "fi")
GLOSSARY = ROOT / "translations" / "GLOSSARY.md"
# the script each language is written in: a translation must hold at least one of its letters
SCRIPT = {"ar": "\u0600-\u06ff", "fa": "\u0600-\u06ff", "ti": "\u1200-\u139f", "uk": "\u0400-\u04ff"}


def section(title: str) -> str:
    text = GLOSSARY.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def kept_unchanged() -> list[str]:
    """The glossary's terms written as they are in every language, longest first."""
    terms = re.findall(r"^- `([^`]+)`", section("Kept unchanged"), flags=re.MULTILINE)
    return sorted(terms, key=len, reverse=True)


def allowed_equal() -> dict[str, set[str]]:
    """msgid -> the languages where it may stay as the Swedish."""
    lines = re.findall(r"^- `([^`]+)`: (.+)$", section("Allowed equal to the Swedish"), flags=re.MULTILINE)
    return {msgid: set(codes.split()) for msgid, codes in lines}


def only_kept_terms(text: str) -> bool:
    """The text is made of the glossary's unchanged terms, placeholders, digits and punctuation only."""
    for term in kept_unchanged():
        text = text.replace(term, " ")
    text = tool.PLACEHOLDER.sub(" ", text)
    return not re.search(r"[^\W\d_]", text)


def strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def first(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def catalogue(locale: str) -> Catalog:
    if not (tool.TRANSLATIONS / locale).is_dir():
        pytest.skip(f"no catalogue for {locale!r} yet (translations/{locale}/ comes from another branch; "
                    "after merging, no language may be skipped here)")
    return tool.read(tool.po_path(locale), locale)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return tool.read(tool.POT)


def public_ids(template: Catalog) -> set[str]:
    return {first(m.id) for m in tool.messages(template) if tool.public(m)}


def test_the_six_languages_are_the_menu_s_and_make_translations_knows_them():
    from portal import language

    assert set(GUARDIAN_LANGUAGES) | {"sv", "en"} == set(language.LANGUAGES) == set(tool.LOCALES)
    assert {"ar", "fa"} == language.RTL


def test_the_public_scope_is_everything_outside_the_staff_inbox_and_the_contacts_mails(template):
    inbox_only = Message("Inkorgen", locations=[("templates/inbox/cases.html", None), ("portal/inbox/views.py", None)])
    shared = Message("Sök", locations=[("templates/inbox/cases.html", None), ("templates/public/school.html", None)])
    contact_mail = Message("x", locations=[("templates/mail/contact_notification/body.txt", None)])
    assert not tool.public(inbox_only) and tool.public(shared) and not tool.public(contact_mail)
    ids = public_ids(template)
    assert "Vem är du?" in ids and "Ditt nya lösenord är sparat" in ids  # a step, the reset page
    assert "Inloggningshjälpen: svar på ärende %(reference)s" in ids  # the person's own mail
    assert "Inkorgen" not in ids  # the staff inbox
    assert 300 < len(ids) < len(list(tool.messages(template)))


def test_the_glossary_names_the_terms_and_its_lists_can_be_read():
    text = GLOSSARY.read_text(encoding="utf-8")
    for term in ("BankID", "personnummer", "samordningsnummer", "skolenhetskod", "SITHS", "ärendenummer",
                 "skolplattformen", "lärplattformen", "bedömningsportalen"):
        assert term in text
    assert {"BankID", "SITHS", "Inloggningshjälpen"} <= set(kept_unchanged())
    assert only_kept_terms("BankID") and only_kept_terms("%(n)s BankID, SITHS.") and not only_kept_terms("Hej BankID")
    assert all(codes <= set(GUARDIAN_LANGUAGES) for codes in allowed_equal().values())


@pytest.mark.parametrize("locale", GUARDIAN_LANGUAGES)
def test_every_public_string_is_translated_none_fuzzy_with_its_placeholders(locale, template):
    catalog = catalogue(locale)
    assert not catalog.fuzzy
    assert {first(m.id) for m in tool.messages(catalog)} == {first(m.id) for m in tool.messages(template)}, \
        "run `make translations`"
    wrong = {first(m.id)[:80]: why for m in tool.messages(catalog) if tool.public(m) and (why := tool.problems(m))}
    assert wrong == {}, f"fix these in translations/{locale}/LC_MESSAGES/messages.po"
    # a staff-only entry may stay empty (the inbox is never shown in this language), but one that is
    # translated keeps its placeholders too
    translated = [m for m in tool.messages(catalog) if all(strings(m)) and not m.fuzzy]
    assert [first(m.id)[:80] for m in translated if tool.problems(m)] == []


@pytest.mark.parametrize("locale", GUARDIAN_LANGUAGES)
def test_no_public_string_is_left_in_swedish(locale):
    catalog = catalogue(locale)
    allowed = {msgid for msgid, codes in allowed_equal().items() if locale in codes}
    copied = [first(m.id) for m in tool.messages(catalog) if tool.public(m)
              and any(s == first(m.id) for s in strings(m))
              and first(m.id) not in allowed and not only_kept_terms(first(m.id))]
    assert copied == [], "translate these, or add them to GLOSSARY.md's 'Allowed equal to the Swedish'"
    if locale in SCRIPT:  # a translation in another script holds at least one letter of it
        letter = re.compile(f"[{SCRIPT[locale]}]")
        latin = [first(m.id) for m in tool.messages(catalog) if tool.public(m) and not only_kept_terms(first(m.id))
                 and first(m.id) not in allowed and not all(letter.search(s) for s in strings(m))]
        assert latin == []


@pytest.mark.parametrize("locale", GUARDIAN_LANGUAGES)
def test_the_committed_mo_is_a_fresh_compile_of_its_po(locale):
    catalog = catalogue(locale)
    mo = tool.mo_path(locale)
    assert mo.is_file(), "run `make translations`"
    assert mo.read_bytes() == tool.compiled(catalog), "run `make translations`"


@pytest.mark.parametrize("locale", GUARDIAN_LANGUAGES)
def test_the_back_translation_covers_every_public_string(locale, template):
    catalogue(locale)
    path = tool.back_path(locale)
    assert path.is_file(), f"translations/{locale}/back-translation.po is missing"
    back = tool.read(path, "sv")
    assert {first(m.id) for m in tool.messages(back)} == public_ids(template), "run `make translations`"
    empty = [first(m.id)[:80] for m in tool.messages(back) if not all(strings(m)) or m.fuzzy]
    assert empty == [], f"back-translate these into Swedish in {path.relative_to(ROOT)}"


def test_a_changed_translation_marks_its_back_translation_fuzzy(tmp_path, monkeypatch):
    monkeypatch.setattr(tool, "TRANSLATIONS", tmp_path)
    (tmp_path / "ar").mkdir()
    catalog = Catalog(locale="ar")
    catalog.add("Vem är du?", "من أنت؟", locations=[("portal/public/forms.py", None)])
    catalog.add("Inkorgen", "", locations=[("templates/inbox/cases.html", None)])
    back = tool.update_back_translation(catalog, "ar")
    assert [m.id for m in tool.messages(back)] == ["Vem är du?"]  # the inbox's string is not public
    back.get("Vem är du?").string = "Vem är du?"
    tool.write(tool.back_path("ar"), back)
    again = tool.update_back_translation(catalog, "ar")
    assert again.get("Vem är du?").string == "Vem är du?" and not again.get("Vem är du?").fuzzy
    catalog.get("Vem är du?").string = "من تكون؟"
    changed = tool.update_back_translation(catalog, "ar")
    assert changed.get("Vem är du?").fuzzy and changed.get("Vem är du?").string == "Vem är du?"


def test_make_translations_starts_updates_and_checks_all_eight_languages(tmp_path, monkeypatch, capsys):
    import shutil

    folder = tmp_path / "translations"
    shutil.copytree(tool.TRANSLATIONS, folder)
    monkeypatch.setattr(tool, "TRANSLATIONS", folder)
    monkeypatch.setattr(tool, "POT", folder / "messages.pot")
    missing = [code for code in GUARDIAN_LANGUAGES if not (folder / code).is_dir()]
    if not missing:  # after the merge: start one afresh to see what a new language gets
        shutil.rmtree(folder / "fi")
        missing = ["fi"]
    assert tool.main([arg for code in missing for arg in ("--new", code)]) == 1  # the new ones are empty
    out = capsys.readouterr().out
    assert "catalogues updated and compiled: sv, en, ar, so, ti, fa, uk, fi" in out
    for code in ("sv", "en", *GUARDIAN_LANGUAGES):
        assert tool.po_path(code).is_file() and tool.mo_path(code).is_file(), code
    for code in GUARDIAN_LANGUAGES:
        assert tool.back_path(code).is_file(), code
    new = missing[0]
    assert f"  {new}: untranslated: Vem är du?" in out
    assert f"  {new} back-translation: untranslated: Vem är du?" in out
    assert f"{new}: untranslated: Inkorgen\n" not in out  # the staff inbox's strings are not asked for
    assert not any(line.startswith(("  ar:", "  fa:", "  en:", "  sv:")) for line in out.splitlines())
