"""Re-extract, update and compile the gettext catalogues (`make translations` runs this).

    python tools/translations.py

1. extracts every marked string from portal/, checks/ and templates/ (rules in babel.cfg) into
   translations/messages.pot;
2. updates translations/sv and translations/en from it (creating them if missing): new strings are
   added, strings gone from the source are dropped, and a changed English string keeps its old
   translation marked fuzzy, as a suggestion to check;
3. fills Swedish: Swedish is the source language, so each msgstr is its msgid;
4. compiles both to messages.mo (committed; a test checks that each equals a fresh compile);
5. lists the English entries that still need a translation (empty or fuzzy) or whose placeholders
   differ from the Swedish, and exits 1 if there are any. Translate them in
   translations/en/LC_MESSAGES/messages.po (remove the `#, fuzzy` line once checked), then run this
   again to compile.

Run it from the repository root with the project's virtualenv (make translations does).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("sv", "en")
SOURCE_LOCALE = "sv"
# the same options as babel.cfg's comment asks for; locations without line numbers keep diffs small
EXTRACT = ["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l", "-k", "N_", "--add-location=file",
           "--project=Inloggningshjälpen", "--version=1", "--no-wrap"]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extract(output: Path) -> None:
    """`pybabel extract` of the source into `output`, run from the repository root."""
    import os

    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run([*EXTRACT, "-o", str(output), "."])
    finally:
        os.chdir(here)


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, include_previous=True)


def compiled(catalog: Catalog) -> bytes:
    """What `pybabel compile` writes for the catalogue (fuzzy entries left out)."""
    from io import BytesIO

    out = BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def placeholders(text: str | tuple[str, ...] | list[str]) -> list[set[str]]:
    texts = [text] if isinstance(text, str) else list(text)
    return [set(PLACEHOLDER.findall(t or "")) - {"%%"} for t in texts]


def problems(message: Message) -> str | None:
    """Why an entry is not ready to use, or None."""
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    if not all(strings):
        return "untranslated"
    if message.fuzzy:
        return "fuzzy"
    wanted = set().union(*placeholders(message.id))
    if any(found != wanted for found in placeholders(message.string)):
        return "placeholders differ"
    return None


def entries(catalog: Catalog) -> list[tuple[object, ...]]:
    """What a catalogue says, without its dates: so an unchanged one is left as it is."""
    return [(m.id, m.string, m.context, sorted(m.flags), m.locations, m.auto_comments, m.previous_id)
            for m in messages(catalog)]


def update(template: Catalog, locale: str) -> Catalog:
    """The locale's catalogue brought up to date with `template` (created if missing)."""
    path = po_path(locale)
    if path.exists():
        catalog = read(path, locale)
        catalog.update(template, no_fuzzy_matching=locale == SOURCE_LOCALE)
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=locale, domain="messages", project=template.project, version=template.version,
                          fuzzy=False, creation_date=template.creation_date)
        catalog.update(template)
    catalog.fuzzy = False
    if locale == SOURCE_LOCALE:
        for message in messages(catalog):
            message.string = message.id
            message.flags.discard("fuzzy")
            message.previous_id = []
    return catalog


def main() -> int:
    import datetime as dt
    import tempfile

    TRANSLATIONS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "messages.pot"
        extract(fresh)
        template = read(fresh)
        if not POT.exists() or entries(read(POT)) != entries(template):
            POT.write_bytes(fresh.read_bytes())
    template = read(POT)
    todo: list[str] = []
    for locale in LOCALES:
        path = po_path(locale)
        before = entries(read(path, locale)) if path.exists() else None
        catalog = update(read(POT), locale)  # a template of its own: update() shares its messages
        if entries(catalog) != before:
            catalog.revision_date = dt.datetime.now(dt.UTC)
            write(path, catalog)
        mo = compiled(read(path, locale))
        if not mo_path(locale).exists() or mo_path(locale).read_bytes() != mo:
            mo_path(locale).write_bytes(mo)
        for message in messages(catalog):
            if (why := problems(message)) is not None:
                first = message.id if isinstance(message.id, str) else message.id[0]
                todo.append(f"  {locale}: {why}: {first[:90]}")
    count = len(list(messages(template)))
    print(f"{count} strings in {POT.relative_to(ROOT)}; catalogues updated and compiled: {', '.join(LOCALES)}")
    if todo:
        print(f"{len(todo)} entries need a translation in {po_path('en').relative_to(ROOT)}:")
        print("\n".join(todo))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
