"""Reading what a person typed: e-mail, personnummer/samordningsnummer, HSA-id or username.

Pure functions (docs/contracts/README.md, "Identifier matching"). The check digit and the date are
validated by the `personnummer` library, which accepts samordningsnummer (day + 60); the century of
a 10-digit number is chosen here, against the caller's "today", as the contract says.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from personnummer import personnummer as _pnr

from .i18n import N_

MAX_IDENTIFIER_LENGTH = 254

_PNR_RE = re.compile(r"^([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})$")
_HSA_RE = re.compile(r"^[Ss][Ee][0-9]{10}-[A-Za-z0-9]+$")

# The everyday address, which email-validator always accepts: an ASCII dot-atom local part of at most 64
# characters from a subset of RFC 5322's atext; a domain of two or more letter-digit-hyphen labels (each
# 1-63 characters, no hyphen first or last, no "--" anywhere, so no Punycode or R-LDH label) ending in a
# top-level domain of letters; the whole at most 254 characters (checked by the caller) and the domain at
# most 253. Anything else (international, quoted, unusual) goes to email-validator itself.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EVERYDAY_EMAIL = re.compile(
    rf"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?=[^@]{{1,253}}\Z)(?!.*--)(?:{_LABEL}\.)+[A-Za-z]{{2,63}}\Z")
# email-validator's special-use domains, which it refuses as not deliverable
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


class InvalidIdentifier(ValueError):
    """The identifier cannot be used; `reason` is a stable code, the message Swedish."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Identifier:
    kind: str  # "email" | "personnummer" | "hsa_id" | "username"
    value: str  # normalised: the key the directory is searched with

    @property
    def masked(self) -> str:
        return mask(self)


def fold(text: str) -> str:
    """Case-fold for matching without letting a look-alike meet another address.

    ASCII letters are lower-cased; a non-ASCII letter is lower-cased only when its lower case is
    not ASCII (so the Kelvin sign never becomes "k"). No NFKC (full-width letters stay themselves)
    and no casefold (ß never becomes "ss"); dotless ı stays ı.
    """
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        low = ch.lower()
        out.append(low if ch.isascii() or not low.isascii() else ch)
    return "".join(out)


def name_key(name: str) -> str:
    """A person's name for finding look-alike records: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def normalise_email(address: str) -> str:
    return fold(address.strip())


def is_email_address(address: str) -> bool:
    """An address mail can be sent to, as email-validator reads RFC 5321/5322 (one @, a local part without
    spaces or control characters, a domain of valid labels with a dot; international addresses allowed).
    No DNS look-up: the same answer on every machine, in no time. An everyday address (`_EVERYDAY_EMAIL`)
    is answered without building email-validator's result: it would accept it."""
    if (len(address) <= MAX_IDENTIFIER_LENGTH and _EVERYDAY_EMAIL.match(address)
            and address.find("@") <= 64 and address.rpartition(".")[2].lower() not in _SPECIAL_USE):
        return True
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def mailbox_key(address: str) -> str:
    """One key for the variants that reach the same mailbox at most providers: case ignored, and a
    `+tag` after the local part dropped (`Anna+1@Exempel.se` -> `anna@exempel.se`). For counting mails
    to a typed address, never for matching the directory."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip().casefold()
    return f"{local.split('+', 1)[0] or local}@{domain}".casefold()


def normalise_hsa_id(value: str) -> str:
    return value.strip().upper()


def normalise_personnummer(text: str, today: dt.date) -> str:
    """Return the 12-digit form of a personnummer or samordningsnummer, or raise InvalidIdentifier.

    A 10-digit number takes the century that makes the person younger than 100 on `today`;
    with "+" as separator, 100 or older.
    """
    if _surely_valid(text):  # already the 12 digits of a valid number: the form a directory file has
        return text
    match = _PNR_RE.match(text.strip())
    if not match:
        raise InvalidIdentifier("format", N_("Personnumret ska ha 10 eller 12 siffror, till exempel ÅÅÅÅMMDD-NNNN."))
    head, sep, tail = match.groups()
    full = head + tail if len(head) == 8 else _choose_century(head, sep, tail, today)
    if _surely_valid(full):
        return full
    try:
        _pnr.Personnummer(full)
    except _pnr.PersonnummerException:
        raise InvalidIdentifier(
            "check_digit", N_("Personnumret stämmer inte. Kontrollera siffrorna, särskilt de fyra sista.")
        ) from None
    return full


def _surely_valid(full: str) -> bool:
    """The personnummer library's test of 12 digits, written out (it took a tenth of an import's
    time): a serial other than 000, the Luhn check digit over the last ten digits, a real date
    (a samordningsnummer's day minus 60). One-sided: False sends the number to the library, which
    has the last word, so this may only say True where the library accepts too."""
    if len(full) != 12 or not full.isascii() or not full.isdigit() or full[8:11] == "000":
        return False
    # Luhn over full[2:11]: every other digit from the first doubled (its digits summed: a table), as bytes
    total = sum(full[3:11:2].encode()) - 4 * 48 + sum(full[2:11:2].encode().translate(_LUHN_DOUBLED))
    if (10 - total % 10) % 10 != ord(full[11]) - 48:
        return False
    return birth_date_of(full) is not None


_LUHN_DOUBLED = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))  # 2·d, less 9 if over 9


def birth_date_of(personnummer12: str) -> dt.date | None:
    """The birth date in a 12-digit personnummer (samordningsnummer: day minus 60)."""
    try:
        year, month, day = int(personnummer12[:4]), int(personnummer12[4:6]), int(personnummer12[6:8])
        if day > 60:
            day -= 60
        return dt.date(year, month, day)
    except (ValueError, IndexError):
        return None


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _choose_century(head: str, sep: str, tail: str, today: dt.date) -> str:
    yy, mm, dd = int(head[:2]), int(head[2:4]), int(head[4:6])
    if dd > 60:
        dd -= 60
    want_old = sep == "+"
    for century in range(today.year // 100, today.year // 100 - 3, -1):
        year = century * 100 + yy
        try:
            born = dt.date(year, mm, dd)
        except ValueError:
            # An impossible date: let the library reject it with a sensible century.
            return f"{century:02d}{head}{tail}" if year <= today.year else f"{century - 1:02d}{head}{tail}"
        if born > today:
            continue
        age = age_on(born, today)
        if (want_old and age >= 100) or (not want_old and age < 100):
            return f"{century:02d}{head}{tail}"
    return f"{today.year // 100 - 1:02d}{head}{tail}"


def parse_identifier(text: str, today: dt.date) -> Identifier:
    """Classify and normalise what was typed, in the contract's order."""
    if text is None:
        raise InvalidIdentifier("empty", N_("Skriv din e-postadress, ditt personnummer eller ditt användarnamn."))
    raw = text.strip()
    if not raw:
        raise InvalidIdentifier("empty", N_("Skriv din e-postadress, ditt personnummer eller ditt användarnamn."))
    if len(raw) > MAX_IDENTIFIER_LENGTH:
        raise InvalidIdentifier("too_long", N_("Uppgiften är för lång. Skriv högst 254 tecken."))
    # printable ASCII holds none of these categories: only other text is looked at character by character
    if not (raw.isascii() and raw.isprintable()) and any(
            unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in raw):
        raise InvalidIdentifier("control", N_("Uppgiften innehåller tecken som inte kan användas."))
    if "@" in raw:
        if not is_email_address(raw):
            raise InvalidIdentifier("email", N_("Skriv e-postadressen så här: namn@exempel.se."))
        return Identifier("email", normalise_email(raw))
    if _PNR_RE.match(raw):
        return Identifier("personnummer", normalise_personnummer(raw, today))
    if _HSA_RE.match(raw):
        return Identifier("hsa_id", normalise_hsa_id(raw))
    return Identifier("username", fold(raw))


MASK_LENGTH = 64  # what a case keeps (Case.identifier_masked)


def mask(identifier: Identifier) -> str:
    """A form safe to show a contact: enough to recognise, too little to use; at most 64
    characters (a long domain or HSA-id suffix is cut, its end marked with …)."""
    masked = _mask(identifier)
    return masked if len(masked) <= MASK_LENGTH else masked[: MASK_LENGTH - 1] + "…"


def _mask(identifier: Identifier) -> str:
    value = identifier.value
    if identifier.kind == "personnummer":
        return f"{value[:8]}-****"
    if identifier.kind == "email":
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if identifier.kind == "hsa_id":
        return f"{value[:6]}******{value[12:]}" if len(value) > 12 else value[:4] + "***"
    return value[:2] + "***" if len(value) > 2 else "***"
