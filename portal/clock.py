"""The portal's one clock, for everything that expires or waits: tokens, staff sessions, mail
back-off, purging. `PORTAL_CLOCK` in the app's config (a function returning Unix time) replaces the
wall clock, so tests reach an expiry second, a back-off or a timeout without sleeping.

Times are stored in UTC; SQLite gives them back without their zone, and `aware` puts it back.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import overload

from flask import current_app


def timestamp() -> float:
    """Unix time now: the injected clock's, else the wall clock's."""
    injected: Callable[[], float] | None = current_app.config.get("PORTAL_CLOCK")
    return injected() if injected is not None else time.time()


def now() -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp(), dt.UTC)


@overload
def aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time with its zone (UTC) back on."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment
