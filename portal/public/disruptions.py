"""Disruption notices on the public pages (PRODUCT.md step 1: "shown on every page"): the notices
active now for what the person has chosen so far (portal/notices.py `active_for`), one statement per
rendered page, the same whatever anyone typed. base.html shows them above the page's own content; the
result page, which lists its own, is left to do so."""

from __future__ import annotations

from typing import Any

from flask import session

from .. import notices
from . import bp


@bp.context_processor
def disruptions() -> dict[str, Any]:
    flow = session.get("flow") or {}
    service = flow.get("service") if isinstance(flow, dict) else None
    place = flow.get("school") if isinstance(flow, dict) and service else None
    return {"disruptions": notices.active_for(service if isinstance(service, str) else None,
                                              place if isinstance(place, str) else None)}
