"""Reset links and new passwords (PRODUCT.md "Reset links", step 7; issue 5 items 3–5).

- `state`: what a link is bound to (the account and a fingerprint of its password state).
- `links`: making a link for a message, and reading one back.
- `service`: storing a new password in the one transaction that spends the link.
- `views`, `forms`: the pages under /aterstall.
- `mail`: the context of the messages `personal_findings` and `password_changed`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reset", __name__)

from . import mail, views  # noqa: E402,F401  (register the routes and the messages' context builders)
