"""The human-readable Swedish table `portal diagnose` prints without --json."""

from __future__ import annotations

from checks import BY_ID

from .diagnosis import Outcome

OUTCOME_WORDS = {"pass": "OK", "fail": "FEL", "skip": "hoppas över", "advice": "råd"}
VISIBILITY_WORDS = {"public": "offentlig", "private": "personlig"}
CONTACT_WORDS = {
    "school_admin": "skoladministratör",
    "rector": "rektor",
    "exam_admin": "provadministratör",
    "municipal_it": "huvudmannens IT-support",
    "eservice_admin": "kommunens administratör för e-tjänsten",
    "agency_support": "myndighetens support",
}


def diagnosis_table(outcome: Outcome) -> str:
    d = outcome.diagnosis
    rows = [("Kontroll", "Resultat", "Synlighet", "Skickas till")]
    for f in d.findings:
        title = BY_ID[f.check].texts.title
        rows.append((f"{title} ({f.check})", OUTCOME_WORDS[f.outcome], VISIBILITY_WORDS[f.visibility],
                     CONTACT_WORDS.get(f.route or "", "")))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"Konto hittat: {'ja' if d.matched else 'nej'}")
    if d.self_service:
        lines.append("Åtgärd: länk för nytt lösenord skickas till den registrerade e-postadressen.")
    else:
        kind = d.route_kind or ""
        who = CONTACT_WORDS.get(kind, kind)
        if outcome.contact is not None:
            who += f": {outcome.contact.name} <{outcome.contact.email}>"
        else:
            who += " (ingen kontakt registrerad)"
        lines.append(f"Ärendet går till {who}")
    return "\n".join(lines)
