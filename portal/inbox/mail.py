"""The inbox's two messages: `sign_in` (a contact's sign-in link) and `case_resolved` (the
contact's note to the person that their case is solved). Templates in templates/mail/<name>/."""

from __future__ import annotations

from typing import Any

from ..mail import context_builder
from ..models import OutboxMessage
from . import auth
from .forms import MESSAGE_MAX


@context_builder("sign_in")
def sign_in_context(message: OutboxMessage) -> dict[str, Any]:
    """The link is made now, when the mail is rendered, so its 15 minutes start when it is sent."""
    token = auth.link_token(dict(message.context or {}))
    return {"sign_in_path": f"/inkorg/logga-in/{token}", "minutes": auth.link_minutes()}


@context_builder("case_resolved")
def case_resolved_context(message: OutboxMessage) -> dict[str, Any]:
    stored = message.context or {}
    return {"message": str(stored.get("message") or "")[:MESSAGE_MAX], "by": str(stored.get("by") or ""),
            "start_path": "/"}
