"""gunicorn's configuration for the portal (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`); README, "Running in
production". Command-line options win over these (the tests pass `--bind` and `--workers`).

- workers: `WEB_CONCURRENCY` (gunicorn's own variable), else 2 x CPUs + 1, at most 12 (each holds a pool
  of database connections; an argon2id hash needs 64 MiB while it runs).
- timeouts: a request gets 30 s (the public POST takes milliseconds; a hash a fraction of a second); on
  SIGTERM or a reload a worker finishes its requests for up to 30 s (systemd waits 40 s).
- max_requests with jitter: each worker is replaced after about 2 000 requests, never all at once, so no
  slow growth in memory lives long.
- no access log: gunicorn's holds the raw path (reset and sign-in links carry tokens); the portal writes
  its own request line (portal/logs.py: the route's name, never the path). gunicorn's own lines (start,
  workers, signals) go to stderr in the format PORTAL_LOG_FORMAT names.
- metrics: PROMETHEUS_MULTIPROC_DIR (systemd's RuntimeDirectory in deploy/systemd, else a new temporary
  folder) is emptied at start; each worker writes its counts there and /metrics sums them; a worker's
  files are marked dead when it exits.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout, for `portal` and `wsgi`

# before any import of prometheus_client, here or in a worker
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")

from portal.logs import gunicorn_logconfig  # noqa: E402

wsgi_app = "wsgi:app"
bind = [os.environ.get("PORTAL_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 12))
worker_class = "sync"  # nginx in front buffers slow clients
timeout = 30
graceful_timeout = 30
keepalive = 5  # nginx keeps its upstream connections open
max_requests = 2000
max_requests_jitter = 200
preload_app = False  # each worker opens its own database connections after the fork
# the heartbeat files in memory, not on a disk that may stall (gunicorn FAQ)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "portal-web"
control_socket_disable = True  # gunicorn 25+: one fixed path per user; two masters on a host would share it

accesslog = None
disable_redirect_access_to_syslog = True
errorlog = "-"
logconfig_dict = gunicorn_logconfig((os.environ.get("PORTAL_LOG_FORMAT") or "text").strip().lower())

# what a request line may be: the portal's forms are small (nginx caps the body too)
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190


def on_starting(server: object) -> None:
    """Empty the metrics folder: counts of an earlier run's processes must not be summed again."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
