"""The vocabularies of docs/CHECKS.md. They are a contract: never rename a value."""

ROLES = ("guardian", "teacher", "exam_admin", "student", "mentor", "eservice_user", "eservice_admin")
SERVICES = (
    "school_platform",
    "learning_platform",
    "assessment_portal",
    "eservice_permissions",
    "agency_eservice",
)
SYMPTOMS = (
    "forgot_password",
    "password_login_failed",
    "bankid_failed",
    "siths_failed",
    "account_inactive",
    "no_access_to_content",
    "wrong_portal",
    "lost_credentials",
    "matrix_problem",
    "cannot_delete_account",
    "duplicate_account",
    "changes_not_visible",
    "admin_change",
    "wants_bankid",
    "new_rector",
)
CONTACT_KINDS = ("school_admin", "rector", "exam_admin", "municipal_it", "eservice_admin", "agency_support")
OUTCOMES = ("pass", "fail", "skip", "advice")
VISIBILITIES = ("public", "private")

# Services whose place is an organisation (huvudman), not a school.
ORGANISATION_SERVICES = frozenset({"agency_eservice"})
# Services where an account is registered per school.
SCHOOL_REGISTERED_SERVICES = frozenset({"assessment_portal", "eservice_permissions"})
