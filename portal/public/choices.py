"""What the public flow offers each role: the services and symptoms that make sense, in plain words.

Labels are Swedish source strings marked for Babel; the values are CHECKS.md's vocabulary.
"""

from __future__ import annotations

from checks.i18n import N_

ROLE_LABELS = {
    "guardian": N_("Vårdnadshavare"),
    "student": N_("Elev"),
    "teacher": N_("Lärare"),
    "mentor": N_("Mentor"),
    "exam_admin": N_("Provadministratör"),
    "eservice_user": N_("Kommunanställd som använder en myndighets e-tjänst"),
    "eservice_admin": N_("Kommunens administratör för en myndighets e-tjänst"),
}

SERVICE_LABELS = {
    "school_platform": N_("Skolplattformen (schema, frånvaro, kontakt med skolan)"),
    "learning_platform": N_("Lärplattformen (uppgifter och grupper i skolans Microsoft-miljö)"),
    "assessment_portal": N_("Bedömningsportalen (bedömningsstöd och prov för lärare)"),
    "eservice_permissions": N_("Behörighetssystemet för e-tjänster (användarnamn, lösenord och matris)"),
    "agency_eservice": N_("En myndighets e-tjänst för kommunens personal (SITHS-kort)"),
}

# the same services named inside a sentence ("logga in i skolplattformen"): the messages and the
# reset pages use these
SERVICE_NAMES = {
    "school_platform": N_("skolplattformen"),
    "learning_platform": N_("lärplattformen"),
    "assessment_portal": N_("bedömningsportalen"),
    "eservice_permissions": N_("behörighetssystemet för e-tjänster"),
    "agency_eservice": N_("myndighetens e-tjänst"),
}

SYMPTOM_LABELS = {
    "forgot_password": N_("Jag har glömt mitt lösenord"),
    "password_login_failed": N_("Jag skriver lösenordet men kommer inte in"),
    "bankid_failed": N_("Inloggningen med BankID fungerar inte"),
    "siths_failed": N_("Inloggningen med SITHS-kort fungerar inte"),
    "account_inactive": N_("Det står att kontot är inaktivt"),
    "no_access_to_content": N_("Jag kommer in men ser inte det jag ska se"),
    "wrong_portal": N_("Jag vet inte var jag ska logga in"),
    "lost_credentials": N_("Jag har tappat bort lösenordet eller inloggningsmatrisen"),
    "matrix_problem": N_("Matrisen fungerar inte"),
    "cannot_delete_account": N_("Jag kan inte ta bort ett konto"),
    "duplicate_account": N_("Det finns två konton för samma person"),
    "changes_not_visible": N_("En ändring jag gjort syns inte"),
    "admin_change": N_("Vi vill byta, lägga till eller ta bort en administratör"),
    "wants_bankid": N_("Jag vill logga in med BankID"),
    "new_rector": N_("Skolan har fått en ny rektor. Fungerar mitt konto?"),
}

# The same symptoms as the person in each role says them: only where the general label reads oddly.
ROLE_SYMPTOM_LABELS = {
    ("guardian", "no_access_to_content"): N_("Jag kommer in men ser inte mitt barn"),
    ("student", "no_access_to_content"): N_("Jag kommer in men ser inte min klass eller mina kurser"),
    ("mentor", "no_access_to_content"): N_("Jag kommer in men ser inte min mentorsgrupp"),
    ("teacher", "no_access_to_content"): N_("Jag kommer in men ser inte mina elever eller grupper"),
}
# felkod 31 is the assessment portal's and the permission system's code for an inactive account
SERVICE_SYMPTOM_LABELS = {
    ("assessment_portal", "account_inactive"): N_("Det står att kontot är inaktivt (felkod 31)"),
    ("eservice_permissions", "account_inactive"): N_("Det står att kontot är inaktivt (felkod 31)"),
}

ROLE_SERVICES = {
    "guardian": ("school_platform", "learning_platform"),
    "student": ("learning_platform", "school_platform"),
    "mentor": ("learning_platform",),
    "teacher": ("assessment_portal", "learning_platform", "school_platform"),
    "exam_admin": ("eservice_permissions", "assessment_portal"),
    "eservice_user": ("agency_eservice",),
    "eservice_admin": ("agency_eservice",),
}

SERVICE_SYMPTOMS = {
    "school_platform": ("forgot_password", "password_login_failed", "bankid_failed", "wants_bankid",
                        "account_inactive", "no_access_to_content"),
    "learning_platform": ("forgot_password", "password_login_failed", "no_access_to_content", "account_inactive"),
    "assessment_portal": ("account_inactive", "password_login_failed", "forgot_password", "duplicate_account",
                          "wrong_portal", "new_rector"),
    "eservice_permissions": ("lost_credentials", "forgot_password", "matrix_problem", "password_login_failed",
                             "account_inactive", "cannot_delete_account", "duplicate_account", "new_rector"),
    "agency_eservice": ("siths_failed", "wants_bankid", "password_login_failed", "changes_not_visible",
                        "admin_change"),
}

# Symptoms only some roles have.
SYMPTOM_ROLES = {
    "bankid_failed": {"guardian", "teacher", "student"},
    "wants_bankid": {"guardian", "teacher", "student", "eservice_user", "eservice_admin"},
    "wrong_portal": {"exam_admin"},
    "new_rector": {"exam_admin", "teacher"},
    "changes_not_visible": {"eservice_admin"},
    "admin_change": {"eservice_admin"},
    "cannot_delete_account": {"exam_admin"},
}


def services_for(role: str) -> tuple[str, ...]:
    return ROLE_SERVICES.get(role, ())


def symptoms_for(role: str, service: str) -> tuple[str, ...]:
    if service not in services_for(role):
        return ()
    return tuple(s for s in SERVICE_SYMPTOMS[service] if role in SYMPTOM_ROLES.get(s, {role}))


def symptom_label(role: str, service: str, symptom: str) -> str:
    """The symptom in the words of a person in `role` using `service` (a source string for Babel)."""
    return ROLE_SYMPTOM_LABELS.get((role, symptom)) or SERVICE_SYMPTOM_LABELS.get((service, symptom)) \
        or SYMPTOM_LABELS[symptom]
