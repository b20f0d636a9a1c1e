"""What a web process loads: a portal that signs contacts in by e-mail and reads its directory from a file
keeps the OIDC client (Authlib, requests, joserfc, cryptography), the SS 12000 HTTP client (httpx) and the
importer (jsonschema, ijson) out of every gunicorn worker (some 20 MiB each); they load where they are used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("authlib", "requests", "joserfc", "cryptography", "httpx", "jsonschema", "ijson")
PROBE = f"import json, sys; import wsgi; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"


def loaded_by_the_web_app(tmp_path: Path, **settings: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_INSTANCE_PATH=str(tmp_path / "instance"), **settings)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_web_process_without_a_provider_or_a_source_loads_no_client_and_no_importer(tmp_path) -> None:
    assert loaded_by_the_web_app(tmp_path) == []


def test_a_web_process_with_a_provider_loads_its_client(tmp_path) -> None:
    loaded = loaded_by_the_web_app(tmp_path, PORTAL_OIDC_ISSUER="https://login.exempel.se",
                                   PORTAL_OIDC_CLIENT_ID="inloggningshjalpen", PORTAL_BASE_URL="https://hjalp.exempel.se")
    assert "authlib" in loaded
