"""New passwords (NIST SP 800-63B, section 5.1.1.2) and how they are hashed.

- Length is counted in Unicode code points after NFKC normalisation: at least 8, at most 256, and
  nothing is ever cut off. Any character is allowed, spaces and emoji included; no composition rules.
- Refused: the shipped list of common passwords (`data/common-passwords.txt`, see data/README.md)
  and the words of this context (the username, the person's name and its parts, the portal's name),
  compared case-insensitively.
- Hashed with argon2id, RFC 9106's second recommended option (argon2-cffi's RFC_9106_LOW_MEMORY:
  64 MiB, 3 passes, 4 lanes); the NFKC form is what is hashed, so the same password typed on
  another keyboard still matches.

The policy returns problem codes; the page turns them into Swedish sentences.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
RECOMMENDED_LENGTH = 15
MAX_LENGTH = 256
PORTAL_WORDS = ("Inloggningshjälpen", "Inloggningshjalpen", "lösenord", "losenord")
BLOCKLIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PARAMETERS)
_NOT_LETTERS = re.compile(r"[\W\d_]+")

# codes -> fields they belong to
EMPTY, TOO_SHORT, TOO_LONG, COMMON, USERNAME, NAME, PORTAL = (
    "empty", "too_short", "too_long", "common", "username", "name", "portal")
NO_CONFIRMATION, MISMATCH = "no_confirmation", "mismatch"


@dataclass(frozen=True)
class Problem:
    field: str  # "password" or "confirmation"
    code: str


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def length(password: str) -> int:
    """Code points after NFKC: what "8 characters" means here."""
    return len(normalise(password))


@cache
def common_passwords() -> frozenset[str]:
    with BLOCKLIST.open(encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if line.strip())


def _fold(text: str) -> str:
    return normalise(text).casefold()


def _letters(text: str) -> str:
    """The letters alone, case-folded: "Anna.Andersson-1980!" -> "annaandersson"."""
    return _NOT_LETTERS.sub("", _fold(text))


def _is_word(password: str, words: Iterable[str]) -> bool:
    """The password is one of the words, whatever the case, the digits or punctuation around it."""
    folded, letters = _fold(password).strip(), _letters(password)
    for word in words:
        if not word or not word.strip():
            continue
        if folded == _fold(word).strip() or (letters and letters == _letters(word)):
            return True
    return False


def name_parts(name: str | None) -> list[str]:
    if not name:
        return []
    parts = [p for p in re.split(r"[\s\-.,]+", name) if p]
    return [name, *parts]


def check(password: str, confirmation: str, *, username: str | None = None,
          name: str | None = None) -> list[Problem]:
    """Every problem with a new password and its confirmation; empty when it may be stored."""
    problems: list[Problem] = []
    if password == "":
        problems.append(Problem("password", EMPTY))
    elif length(password) < MIN_LENGTH:
        problems.append(Problem("password", TOO_SHORT))
    elif length(password) > MAX_LENGTH:
        problems.append(Problem("password", TOO_LONG))
    elif _fold(password) in common_passwords() or _fold(password).strip() in common_passwords():
        problems.append(Problem("password", COMMON))
    elif username and _is_word(password, [username]):
        problems.append(Problem("password", USERNAME))
    elif _is_word(password, name_parts(name)):
        problems.append(Problem("password", NAME))
    elif _is_word(password, PORTAL_WORDS):
        problems.append(Problem("password", PORTAL))
    if confirmation == "":
        problems.append(Problem("confirmation", NO_CONFIRMATION))
    elif password and confirmation != password:
        problems.append(Problem("confirmation", MISMATCH))
    return problems


def hash_password(password: str) -> str:
    """argon2id of the NFKC form, in the PHC string format ($argon2id$v=19$m=65536,t=3,p=4$…)."""
    return _hasher.hash(normalise(password))


def verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def parameters_text() -> str:
    p = PARAMETERS
    return f"argon2id m={p.memory_cost} KiB t={p.time_cost} p={p.parallelism}"

