"""Logs without personal data (PRODUCT.md N5; docs/contracts/README.md, "Running in production").

- `configure(format)`: one handler on stderr for the process, `text` (readable) or `json` (one object a
  line), called by the entry points (wsgi.py, the `portal` command, deploy/gunicorn.conf.py); never by
  `create_app`, so tests and embedding programs keep their own logging.
- `init_app(app)`: one line per request, written by the portal itself: time, request id, method, the
  route's endpoint name (never the path: `/aterstall/<token>` and `/inkorg/logga-in/<token>` carry
  tokens, and a query string may carry anything), status and duration. An unhandled error is logged by
  endpoint and exception type with the traceback's frames, never the exception's text or the path.
- `RequestHandler`: Werkzeug's development server (`portal run`) without its own request lines, which
  hold the raw path.
- `worker_run(...)`, `sync_run(...)`: the line for each run of the worker and of a directory sync.

Nothing here formats an identifier, an address, a name or a token; what callers pass is counts and names
of things (endpoints, templates, exception types).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time
import traceback
from types import TracebackType
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from werkzeug.serving import WSGIRequestHandler

log = logging.getLogger("portal.requests")
runs = logging.getLogger("portal.runs")

HANDLER_NAME = "portal"
REQUEST_ID = re.compile(r"[0-9a-f]{32}")  # nginx's $request_id; anything else is replaced
# what the portal's own code logs at INFO; the rest of the world at WARNING (SQLAlchemy at INFO would log
# every statement)
# (`portal db upgrade` shows alembic's lines itself)
LEVELS = {"": logging.WARNING, "portal": logging.INFO, "gunicorn.error": logging.INFO, "alembic": logging.WARNING}
EXTRA = ("request_id", "method", "endpoint", "status", "duration_ms", "event")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    given = record.__dict__
    fields = {key: given[key] for key in EXTRA if key in given}
    counts = getattr(record, "counts", None)
    if isinstance(counts, dict):
        fields.update(counts)
    if "request_id" not in fields and has_request_context():
        request_id = g.get("request_id")
        if request_id:
            fields["request_id"] = request_id
    return fields


def _exception(record: logging.LogRecord) -> str | None:
    """The exception's type and the traceback's frames; never its text (it may quote a value)."""
    if not record.exc_info or record.exc_info[0] is None:
        return None
    kind, _value, tb = record.exc_info
    # where it happened, not the source lines (a literal there may be anything)
    frames = [f'  File "{f.filename}", line {f.lineno}, in {f.name}'
              for f in (traceback.extract_tb(tb) if isinstance(tb, TracebackType) else [])]
    return "\n".join([kind.__name__, *frames])


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        exception = _exception(record)
        if exception:
            line["exception"] = exception
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created))
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        text = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}" + (f" {fields}" if fields else "")
        exception = _exception(record)
        return f"{text}\n{exception}" if exception else text


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure(kind: str = "text", stream: Any = None, *, unless_configured: bool = False) -> None:
    """The process's logging: one handler on stderr (replacing ours if set up before), levels as LEVELS.
    `unless_configured`: leave a process whose root logger has handlers alone (a gunicorn worker: its
    `logconfig_dict`, deploy/gunicorn.conf.py, already writes the portal's format)."""
    # the records' fields no formatter of ours writes, left uncollected (the logging HOWTO's
    # "Optimization"): the caller's file and line (a walk up the stack for every line), thread and process
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    if unless_configured and root.handlers:
        return
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(kind))
    root.addHandler(handler)
    for name, level in LEVELS.items():
        logging.getLogger(name).setLevel(level)
    for name in ("gunicorn.error", "werkzeug"):  # into the same handler, in the same format
        other = logging.getLogger(name)
        for h in list(other.handlers):
            other.removeHandler(h)
        other.propagate = True


def gunicorn_logconfig(kind: str) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its own lines (start, workers, signals) in the portal's format;
    no access log (the portal writes its request lines itself)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": {"()": f"{__name__}.{'JsonFormatter' if kind == 'json' else 'TextFormatter'}"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "portal", "stream": "ext://sys.stderr"}},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            "portal": {"level": "INFO", "handlers": [], "propagate": True},
            "alembic": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def _request_id(trusted: bool) -> str:
    # only a proxy the portal trusts may name the request (nginx's $request_id): 32 hex characters, nothing else
    given = request.headers.get("X-Request-Id", "") if trusted else ""
    return given if given and REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def init_app(app: Flask) -> None:
    """The request line, and errors logged by endpoint instead of Flask's "Exception on <path>"."""
    trusted = int(app.config.get("PORTAL_TRUSTED_PROXIES") or 0) > 0
    from . import metrics

    count = metrics.request_counter()

    def start() -> None:
        request.environ["portal.started"] = time.perf_counter()
        g.request_id = _request_id(trusted)

    def finish(response: Response) -> Response:
        started = request.environ.get("portal.started")
        endpoint = request.endpoint or "none"  # "none": no route (404, 405 before routing)
        status = response.status_code
        count(endpoint, status)
        if log.isEnabledFor(logging.INFO):
            duration = (time.perf_counter() - started) * 1000 if started else 0.0
            log.info("request", extra={"request_id": g.get("request_id"), "method": request.method,
                                       "endpoint": endpoint, "status": status, "duration_ms": round(duration, 2)})
        # no X-Request-Id header back: two people's answers must stay byte for byte the same (N1)
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request_funcs.setdefault(None, []).insert(0, finish)  # they run in reverse: this one last

    def log_exception(exc_info: Any) -> None:
        logging.getLogger("portal.errors").error(
            "unhandled error", exc_info=exc_info,
            extra={"endpoint": request.endpoint or "none", "method": request.method})

    app.log_exception = log_exception  # type: ignore[method-assign]


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler for `portal run`, without its request lines (they hold the raw path, and with it
    reset and sign-in tokens): the portal writes its own (`init_app`)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002  (http.server's name)
        # http.server's errors quote the request line ("Bad request version ('…')"): say only that it failed
        logging.getLogger("portal.requests").warning("malformed request refused by the development server")


def worker_run(queue: Any, mail: Any, seconds: float) -> None:
    """The line for one run of the worker (counts only)."""
    runs.info("worker run", extra={"event": "worker_run", "duration_ms": round(seconds * 1000, 1), "counts": {
        "jobs_processed": queue.processed, "jobs_retrying": queue.failed,
        "mail_sent": mail.sent, "mail_retrying": mail.retrying, "mail_failed": mail.failed}})


def sync_run(outcome: str, seconds: float, counts: dict[str, int] | None = None) -> None:
    """The line for one directory sync (SS 12000; portal/sync): `outcome` a word such as "ok" or "failed",
    `counts` numbers of records by kind. Call it once per sync run; on success also
    `portal.metrics.sync_succeeded()`."""
    level = logging.INFO if outcome == "ok" else logging.WARNING
    runs.log(level, "sync run", extra={"event": "sync_run", "duration_ms": round(seconds * 1000, 1),
                                       "counts": {"outcome": outcome, **(counts or {})}})
