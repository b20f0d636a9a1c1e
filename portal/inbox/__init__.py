"""The staff inbox under /inkorg: contacts sign in by e-mail link and work the cases routed to them
or within their scope (issue 6; docs/contracts/README.md, last section).

- `auth.py`: who is signed in, the sign-in link, `start_session` (the one way in; an OIDC sign-in
  would call it too)
- `sessions.py`: the staff cookie, the server-side session row, idle and absolute timeouts
- `scope.py`: which cases a contact sees, as a pure function and as one SQL WHERE clause
- `queries.py`: the reads, a fixed number of statements per page
- `actions.py`: resolve, pass on, note; each recorded with who and when
- `views.py`, `signin.py`: thin views; `mail.py`: the `sign_in` and `case_resolved` messages
"""

from flask import Blueprint, Flask

bp = Blueprint("inbox", __name__, url_prefix="/inkorg")


def init_app(app: Flask) -> None:
    from . import driftstorning, mail, oidc, sessions, signin, statistik, views  # noqa: F401  (routes and mail builders register)

    sessions.init_app(app)
    oidc.init_app(app)
    app.register_blueprint(bp)
