"""The form of a name that a search compares: without diacritics and case ("Björkhagaskolan" and
"bjorkhaga" meet), so a person on a keyboard without å, ä and ö finds their school."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Casefolded, accents and dots removed (å→a, ä→a, ö→o, é→e), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
