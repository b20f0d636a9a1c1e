"""What a load of the directory did, and its Swedish summary (the file import and the SS 12000 sync)."""

from __future__ import annotations

from dataclasses import dataclass, field

# (count attribute, singular, plural) in the order the summary names them
NOUNS = [
    ("organisations", "huvudman", "huvudmän"),
    ("schools", "skola", "skolor"),
    ("persons", "person", "personer"),
    ("accounts", "konto", "konton"),
    ("roles", "roll", "roller"),
    ("placements", "placering", "placeringar"),
    ("guardianships", "vårdnadsförhållande", "vårdnadsförhållanden"),
    ("groups", "grupp", "grupper"),
    ("contacts", "kontakt", "kontakter"),
    ("notices", "driftmeddelande", "driftmeddelanden"),
]


def counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


@dataclass
class ImportResult:
    """What an import loaded: records per list, and rows per table."""

    organisations: int = 0
    schools: int = 0
    persons: int = 0
    accounts: int = 0
    roles: int = 0
    placements: int = 0
    guardianships: int = 0
    groups: int = 0
    contacts: int = 0
    notices: int = 0
    # passwords set through the portal that the file's password_hash replaced
    portal_passwords_replaced: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def total_rows(self) -> int:
        """Rows written in all directory tables (e-mail addresses, group members… included)."""
        return sum(self.rows.values())

    def counts(self) -> dict[str, int]:
        return {attr: getattr(self, attr) for attr, _, _ in NOUNS}

    def summary(self) -> str:
        parts = [counted(getattr(self, attr), singular, plural) for attr, singular, plural in NOUNS]
        text = "Katalogen inläst: " + ", ".join(parts) + "."
        if self.portal_passwords_replaced:
            text += (f" {self.portal_passwords_replaced} lösenord som satts i portalen ersattes av"
                     " lösenordet i filen.")
        return text
