"""A worker asked to stop (SIGTERM from systemd, `kill`, a deploy; or Ctrl+C) stops at once and gives back
what it claimed: the message being sent is finished and marked, every other claimed outbox row goes back to
`pending` untried (portal/mail/delivery.py), no further job is taken (a job is claimed and finished in one
transaction, so none is left `running`), and the loop does not sleep out its interval. Nothing waits for
PORTAL_JOB_STALE_AFTER / PORTAL_MAIL_STALE_AFTER; those are for a worker that was killed outright.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

requested = threading.Event()


def _handler(signum: int, _frame: FrameType | None) -> None:
    if requested.is_set() and signum == signal.SIGINT:  # a second Ctrl+C: stop without tidying up
        raise KeyboardInterrupt
    requested.set()


def install() -> None:
    """Catch SIGTERM and SIGINT in this (main) thread; `requested` is set when one arrives."""
    requested.clear()
    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)


def wait(seconds: float) -> bool:
    """Sleep up to `seconds`, less when a stop is asked for; True when it was."""
    return requested.wait(seconds)
