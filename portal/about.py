"""Pages about the service: the accessibility statement (tillgänglighetsredogörelse, as the law on
accessible digital public services requires) and what is stored about a person and for how long.

Who to write to comes from configuration: `PORTAL_ACCESSIBILITY_CONTACT` (else `PORTAL_CONTROLLER`,
else `PORTAL_FALLBACK_CONTACT`) and `PORTAL_CONTROLLER`, each "Name <address>" or an address.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, current_app, render_template

bp = Blueprint("about", __name__)

# When the site was last reviewed for accessibility (the browser tests and axe-core run on every
# change; this is the date a person last read the results and this statement). Update it with them.
REVIEWED = dt.date(2026, 12, 1)
DIGG_REPORT = "https://www.digg.se/tdosanmalan"
IMY = "https://www.imy.se/privatperson/"
NAME_ADDRESS = re.compile(r"^(.*?)\s*<([^<>]+)>\s*$")


def contact(value: str | None) -> dict[str, str] | None:
    """"Name <address>" or an address, as a name and an address to show; None when not set."""
    if not value:
        return None
    match = NAME_ADDRESS.match(value)  # a comma in the name ("Kommun, nämnd <a@b>") is fine here
    name, address = (match.group(1).strip().strip('"'), match.group(2).strip()) if match else ("", value.strip())
    if "@" not in address or any(c.isspace() for c in address):
        return None
    return {"name": name or address, "email": address}


@bp.get("/tillganglighet")
def accessibility() -> str:
    minutes = int(current_app.config.get("WTF_CSRF_TIME_LIMIT") or 3600) // 60
    return render_template("about/accessibility.html", reviewed=REVIEWED, digg=DIGG_REPORT,
                           contact=contact(current_app.config.get("PORTAL_ACCESSIBILITY_CONTACT")),
                           form_minutes=minutes)


@bp.get("/personuppgifter")
def privacy() -> str:
    return render_template("about/privacy.html", imy=IMY,
                           days=current_app.config["PORTAL_CASE_RETENTION_DAYS"],
                           controller=contact(current_app.config.get("PORTAL_CONTROLLER")))
