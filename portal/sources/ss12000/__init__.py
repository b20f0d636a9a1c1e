"""`portal sync ss12000`: the directory read from an SS 12000 v2.1 API (docs/contracts/README.md).

config.py (PORTAL_SS12000_*), client.py (HTTP: auth, retries, paging), staging.py (pages kept in
the database, the mirror of the source), mapping.py (SS 12000 → the import format), settings.py
(the settings file merged in), sync.py (one run, all or nothing), state.py (the lease and the last
outcome), progress.py (the bar on a terminal)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import SyncConfig, read_config
    from .sync import SyncRefused, SyncResult, run_sync

__all__ = ["SyncConfig", "SyncRefused", "SyncResult", "read_config", "run_sync"]

# Imported when first asked for (PEP 562), not with the package: every web process imports state.py (for
# /metrics), and sync.py brings the HTTP client (httpx, Authlib) and the importer (jsonschema, ijson) with it.
_MODULES = {"SyncConfig": "config", "read_config": "config", "SyncRefused": "sync", "SyncResult": "sync",
            "run_sync": "sync"}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
