"""Re-extract, update and compile the gettext catalogues (`make translations` runs this).

    python tools/translations.py            # every language whose folder exists (sv and en always)
    python tools/translations.py --new fi   # also start the catalogue of a language listed in LOCALES

1. extracts every marked string from portal/, checks/ and templates/ (rules in babel.cfg) into
   translations/messages.pot;
2. updates each catalogue from it (sv and en are created if missing; the guardians' six languages
   only with --new): new strings are added, strings gone from the source are dropped, and a changed
   string keeps its old translation marked fuzzy, as a suggestion to check;
3. fills Swedish: Swedish is the source language, so each msgstr is its msgid;
4. compiles each to messages.mo (committed; a test checks that each equals a fresh compile);
5. brings each of the six languages' back-translation (translations/<code>/back-translation.po: the
   public strings, each msgstr the translation turned back into Swedish, for review) to the same
   msgids, a changed translation's back-translation marked fuzzy;
6. lists the entries that still need work and exits 1 if there are any: English: every entry; the six
   languages: every public entry (`public()`: used outside the staff inbox and the contacts' mails,
   which stay Swedish or English), and its back-translation. An entry needs work when it is empty,
   fuzzy, or its placeholders differ from the Swedish. Translate them in
   translations/<code>/LC_MESSAGES/messages.po (remove the `#, fuzzy` line once checked), then run this
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
LOCALES = ("sv", "en", "ar", "so", "ti", "fa", "uk", "fi")
SOURCE_LOCALE = "sv"
ALWAYS = ("sv", "en")  # created when missing; the others with --new
COMPLETE = ("en",)  # every entry translated; the others: every public entry
# where a string is only read by staff (the inbox) or by contacts (their mails): outside the public scope
STAFF_ONLY = ("portal/inbox/", "templates/inbox/", "templates/mail/contact_notification/", "templates/mail/sign_in/")
# the same options as babel.cfg's comment asks for; locations without line numbers keep diffs small
EXTRACT = ["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l", "-k", "N_", "--add-location=file",
           "--project=Inloggningshjälpen", "--version=1", "--no-wrap"]
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def public(message: Message) -> bool:
    """Whether a person asking for help reads the string: it is used somewhere outside the staff-only places."""
    return any(not path.startswith(STAFF_ONLY) for path, _line in message.locations)


def present() -> tuple[str, ...]:
    """The languages of LOCALES whose folder exists, and sv and en."""
    return tuple(code for code in LOCALES if code in ALWAYS or (TRANSLATIONS / code).is_dir())


def back_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "back-translation.po"


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
    # comments as one line each: a long one is written wrapped and read back as several
    return [(m.id, m.string, m.context, sorted(m.flags), m.locations, " ".join(m.auto_comments),
             " ".join(m.user_comments), m.previous_id) for m in messages(catalog)]


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


def fingerprint(message: Message) -> str:
    """A short hash of an entry's translation: the back-translation records which one it was written for."""
    import hashlib

    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return hashlib.sha256("\x00".join(strings).encode()).hexdigest()[:12]


def update_back_translation(catalog: Catalog, locale: str) -> Catalog:
    """The back-translation of `catalog`'s public entries: the same msgids (new ones empty, gone ones
    dropped), each with the translation beside it as an extracted comment (for the reviewer); an entry
    whose translation changed since it was back-translated (its comment `translation <hash>` records the
    one it was written for) is marked fuzzy."""
    path = back_path(locale)
    old = read(path, SOURCE_LOCALE) if path.exists() else Catalog(locale=SOURCE_LOCALE)
    back = Catalog(locale=SOURCE_LOCALE, domain="back-translation", project=catalog.project, version=catalog.version,
                   fuzzy=False, creation_date=old.creation_date)
    for message in messages(catalog):
        if not public(message):
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        before = old.get(message.id, message.context)
        string: str | tuple[str, ...] = ("", "") if isinstance(message.id, (list, tuple)) else ""
        flags: set[str] = set()
        if before is not None:
            string = before.string
            flags = {"fuzzy"} & set(before.flags)
            written_for = next((c.split()[1] for c in before.user_comments if c.startswith("translation ")), None)
            if written_for is not None and written_for != fingerprint(message):
                flags.add("fuzzy")
        back.add(message.id, string, flags=flags, context=message.context,
                 auto_comments=[s.replace("\n", " ") for s in strings if s],
                 user_comments=[f"translation {fingerprint(message)}"])
    return back


def todo_for(catalog: Catalog, locale: str) -> list[str]:
    todo = []
    for message in messages(catalog):
        if locale not in COMPLETE and not public(message):
            continue
        if (why := problems(message)) is not None:
            first = message.id if isinstance(message.id, str) else message.id[0]
            todo.append(f"  {locale}: {why}: {first[:90]}")
    return todo


def main(argv: list[str] | None = None) -> int:
    import argparse
    import datetime as dt
    import tempfile

    parser = argparse.ArgumentParser(description="Re-extract, update and compile the catalogues.")
    parser.add_argument("--new", action="append", default=[], choices=LOCALES, metavar="CODE",
                        help="also start the catalogue of this language (one of %(choices)s)")
    args = parser.parse_args(argv)
    for code in args.new:
        (TRANSLATIONS / code / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    TRANSLATIONS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "messages.pot"
        extract(fresh)
        template = read(fresh)
        if not POT.exists() or entries(read(POT)) != entries(template):
            POT.write_bytes(fresh.read_bytes())
    template = read(POT)
    todo: list[str] = []
    locales = present()
    for locale in locales:
        path = po_path(locale)
        before = entries(read(path, locale)) if path.exists() else None
        catalog = update(read(POT), locale)  # a template of its own: update() shares its messages
        if entries(catalog) != before:
            catalog.revision_date = dt.datetime.now(dt.UTC)
            write(path, catalog)
        mo = compiled(read(path, locale))
        if not mo_path(locale).exists() or mo_path(locale).read_bytes() != mo:
            mo_path(locale).write_bytes(mo)
        todo += todo_for(catalog, locale)
        if locale in ALWAYS:
            continue
        back = update_back_translation(read(path, locale), locale)
        if not back_path(locale).exists() or entries(read(back_path(locale), SOURCE_LOCALE)) != entries(back):
            back.revision_date = dt.datetime.now(dt.UTC)
            write(back_path(locale), back)
        for message in messages(back):
            if (why := problems(message)) is not None:
                first = message.id if isinstance(message.id, str) else message.id[0]
                todo.append(f"  {locale} back-translation: {why}: {first[:80]}")
    count = len(list(messages(template)))
    print(f"{count} strings in {POT.relative_to(ROOT) if POT.is_relative_to(ROOT) else POT}; catalogues updated and compiled: {', '.join(locales)}")
    missing = [code for code in LOCALES if code not in locales]
    if missing:
        print(f"no catalogue yet for {', '.join(missing)} (start one with --new CODE)")
    if todo:
        print(f"{len(todo)} entries need a translation in translations/<code>/LC_MESSAGES/messages.po "
              "or translations/<code>/back-translation.po:")
        print("\n".join(todo))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
