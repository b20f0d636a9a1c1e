"""`portal sync ss12000`: the directory read from an SS 12000 v2.1 API (docs/contracts/README.md).

config.py (PORTAL_SS12000_*), client.py (HTTP: auth, retries, paging), staging.py (pages kept in
the database, the mirror of the source), mapping.py (SS 12000 → the import format), settings.py
(the settings file merged in), sync.py (one run, all or nothing), state.py (the lease and the last
outcome), progress.py (the bar on a terminal)."""

from .config import SyncConfig, read_config
from .sync import SyncRefused, SyncResult, run_sync

__all__ = ["SyncConfig", "SyncRefused", "SyncResult", "read_config", "run_sync"]
