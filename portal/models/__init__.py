"""SQLAlchemy tables. The directory is replaced whole by `portal import`; the rest survives it."""

from .cases import Case, CaseEvent, CaseFinding, Job, OutboxMessage
from .directory import (
    DIRECTORY_TABLES,
    Account,
    Contact,
    Group,
    GroupMember,
    GroupOwner,
    Guardianship,
    Notice,
    Organisation,
    Person,
    PersonEmail,
    Placement,
    Role,
    School,
)
from .portal_state import PortalPassword, SignInRequest, SpentToken, StaffSession
from .ss12000 import Ss12000Record, SyncState
from .statistics import CaseCount

__all__ = [
    "DIRECTORY_TABLES",
    "Account",
    "Case",
    "CaseCount",
    "CaseEvent",
    "CaseFinding",
    "Job",
    "OutboxMessage",
    "Contact",
    "Group",
    "GroupMember",
    "GroupOwner",
    "Guardianship",
    "Notice",
    "Organisation",
    "Person",
    "PersonEmail",
    "Placement",
    "PortalPassword",
    "Ss12000Record",
    "SyncState",
    "Role",
    "School",
    "SignInRequest",
    "SpentToken",
    "StaffSession",
]
