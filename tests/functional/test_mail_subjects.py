"""Every message's subject: one line, the portal's name first, and never personal data (PRODUCT.md N5):
rendered for each message with a context full of personal data, none of it reaches the subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.mail import render
from portal.models import OutboxMessage

TEMPLATES = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "templates" / "mail").iterdir()
                   if p.is_dir())
PERSONAL = ("Anna", "Andersson", "198001011234", "anna.andersson@exempel.se", "blomman77")


def test_every_message_is_covered():
    assert set(TEMPLATES) >= {"personal_findings", "no_account", "public_guidance", "contact_notification",
                              "password_changed", "case_resolved", "sign_in"}


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_subject_is_one_line_with_the_portals_name_and_no_personal_data(app, template):
    context = {"reference": "7KQ2M9XD", "kind": "school_admin", "reset": False, "account": None,
               "message": "Hej Anna Andersson, 198001011234", "name": "Anna Andersson",
               "email": "anna.andersson@exempel.se", "username": "blomman77",
               "changed_at": "2026-12-01T13:52:00+00:00", "service": "school_platform",  # password_changed
               "contact": 1, "fingerprint": "f"}  # sign_in
    with app.app_context():
        row = OutboxMessage(template=template, to_address="anna.andersson@exempel.se", context=context)
        subject = render(row).subject
    assert subject.startswith("Inloggningshjälpen: ")
    assert "\n" not in subject and "\r" not in subject
    for value in PERSONAL:
        assert value not in subject
