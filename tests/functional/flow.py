"""Walking the public flow with Flask's test client: shared by the public-flow tests."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE = re.compile(r"<strong dir=\"ltr\">([0-9A-Z]{4}-[0-9A-Z]{4})</strong>")  # kept left to right on right-to-left pages


def token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, page
    return match.group(1)


def post(client, path: str, **fields: str):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": token(page), **fields})


def walk(client, identifier: str, *, school: str = "11111111", symptom: str = "forgot_password"):
    """Every step with its form; returns the final response and the redirects seen."""
    seen = []
    for path, fields in (("/", {"role": "guardian"}), ("/hjalp/tjanst", {"service": "school_platform"}),
                         ("/hjalp/problem", {"symptom": symptom})):
        response = post(client, path, **fields)
        assert response.status_code == 303, response.get_data(as_text=True)
        seen.append(response.headers["Location"])
    page = client.get(f"/hjalp/skola?q={school}").get_data(as_text=True)
    response = client.post("/hjalp/skola", data={"csrf_token": token(page), "q": school, "school": school})
    assert response.status_code == 303
    seen.append(response.headers["Location"])
    response = post(client, "/hjalp/uppgift", identifier=identifier)
    seen.append(response.headers.get("Location", ""))
    return response, seen


def masked(body: str) -> str:
    """A page with the only parts that may differ between two people (the contract) masked."""
    body = REFERENCE.sub("<strong dir=\"ltr\">XXXX-XXXX</strong>", body)
    return TOKEN.sub('name="csrf_token" value="MASKED"', body)
