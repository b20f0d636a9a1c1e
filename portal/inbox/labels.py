"""Plain Swedish words the inbox shows for vocabulary values (source strings marked for Babel).

Roles, services and symptoms reuse the public flow's labels (portal/public/choices.py).
"""

from __future__ import annotations

from checks.i18n import N_

from ..public.choices import ROLE_LABELS, SERVICE_LABELS, SYMPTOM_LABELS

__all__ = ["KIND_LABELS", "MAIL_LABELS", "OUTCOME_LABELS", "ROLE_LABELS", "SERVICE_LABELS", "STATUS_LABELS", "SYMPTOM_LABELS"]

# Cases a contact still has to act on; the rest are closed.
OPEN_STATUSES = ("open", "passed_on")

# The case's messages, named for a contact who sees that one could not be delivered.
MAIL_LABELS = {
    "personal_findings": N_("Svaret till personen"),
    "no_account": N_("Beskedet att inget konto hittades"),
    "public_guidance": N_("Vägledningen till personen"),
    "contact_notification": N_("Aviseringen till kontaktpersonen"),
    "password_changed": N_("Beskedet att lösenordet är bytt"),
    "case_resolved": N_("Ditt meddelande till personen"),
}

STATUS_LABELS = {
    "received": N_("Inte granskat än"),
    "open": N_("Öppet"),
    "passed_on": N_("Skickat vidare"),
    "resolved": N_("Löst"),
    "self_served": N_("Löst av personen själv"),
}

KIND_LABELS = {
    "school_admin": N_("Skoladministratör"),
    "rector": N_("Rektor"),
    "exam_admin": N_("Provadministratör"),
    "municipal_it": N_("Huvudmannens IT-support"),
    "eservice_admin": N_("Kommunens administratör för e-tjänsten"),
    "agency_support": N_("Myndighetens support"),
}

OUTCOME_LABELS = {
    "pass": N_("Stämmer"),
    "fail": N_("Behöver åtgärdas"),
    "skip": N_("Kontrollerades inte"),
    "advice": N_("Råd till personen"),
}
