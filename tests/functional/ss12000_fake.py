"""A fake SS 12000 v2.1 server of our own: a real HTTP(S) server on 127.0.0.1 in a thread (werkzeug).

It serves /organisations, /persons, /duties, /groups, /activities and /deletedEntities from plain
lists of records in SS 12000's shape, in small pages (`limit`, an opaque `pageToken`), with
`meta.modified.after`, and a token endpoint (OAuth 2.0 client credentials with HTTP Basic). Faults
are queued on demand: `fail(resource, page, status, headers)`, `drop(resource, page)` (the body broken
off), `hang_up(resource, page)` (the socket closed without an answer), `garble(...)`.
Every request is logged (path, query, Authorization) for the tests to look at."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.logs import RequestHandler  # quiet: no request lines (they would hold tokens and states)

RESOURCES = ("organisations", "persons", "duties", "groups", "activities")
CLIENT_ID, CLIENT_SECRET = "portal", "s3cret"


def stamp(day: int = 1) -> str:
    return f"2026-11-{day:02d}T10:00:00Z"


@dataclass
class Fault:
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "status"  # status, drop, hang_up, garble, slow, revoke


@dataclass
class Fake:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {r: [] for r in RESOURCES})
    deleted: list[tuple[str, str, str]] = field(default_factory=list)  # (resource, id, when)
    faults: dict[tuple[str, int], list[Fault]] = field(default_factory=dict)
    log: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # issued token -> expiry (epoch seconds)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    require_token: bool = False  # only tokens from /token are accepted
    static_token: str | None = None
    expires_in: int = 3600
    support_incremental: bool = True
    generation: int = 0  # bumped to make old page tokens answer 410
    url: str = ""
    after_of: dict[str, str | None] = field(default_factory=dict)

    # -- data ---------------------------------------------------------------------------------------

    def put(self, resource: str, record: dict[str, Any], modified: str | None = None) -> dict[str, Any]:
        record.setdefault("meta", {"created": stamp(1), "modified": modified or stamp(1)})
        if modified:
            record["meta"]["modified"] = modified
        items = self.records[resource]
        for index, old in enumerate(items):
            if old["id"] == record["id"]:
                items[index] = record
                return record
        items.append(record)
        return record

    def delete(self, resource: str, record_id: str, when: str) -> None:
        self.records[resource] = [r for r in self.records[resource] if r["id"] != record_id]
        self.deleted.append((resource, record_id, when))

    def fail(self, resource: str, page: int, status: int, headers: dict[str, str] | None = None,
             times: int = 1) -> None:
        self.faults.setdefault((resource, page), []).extend(Fault(status, headers or {}) for _ in range(times))

    def drop(self, resource: str, page: int, times: int = 1) -> None:
        """The connection closes after a part of the promised body (the next `times` asks of the page)."""
        self.faults.setdefault((resource, page), []).extend(Fault(kind="drop") for _ in range(times))

    def hang_up(self, resource: str, page: int, times: int = 1) -> None:
        """The server closes the connection without answering (the next `times` asks of the page)."""
        self.faults.setdefault((resource, page), []).extend(Fault(kind="hang_up") for _ in range(times))

    def garble(self, resource: str, page: int) -> None:
        self.faults.setdefault((resource, page), []).append(Fault(kind="garble"))

    def slow(self, resource: str, page: int, seconds: float, times: int = 1) -> None:
        self.faults.setdefault((resource, page), []).extend(
            Fault(kind="slow", headers={"seconds": str(seconds)}) for _ in range(times))

    def revoke(self, resource: str, page: int) -> None:
        """The tokens issued so far stop working when this page is asked for (401)."""
        self.faults.setdefault((resource, page), []).append(Fault(kind="revoke"))

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def requests_to(self, resource: str) -> list[dict[str, list[str]]]:
        return [query for path, query, _ in self.log if path == f"/{resource}"]

    # -- HTTP ---------------------------------------------------------------------------------------

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        response = self.answer(request)
        return response(environ, start_response)

    def answer(self, request: Request) -> Response:
        path = request.path
        query = {key: request.args.getlist(key) for key in request.args}
        if path == "/token":
            return self.token(request)
        self.log.append((path, query, request.headers.get("Authorization")))
        if not self.authorised(request.headers.get("Authorization")):
            return _json({"code": "unauthorized", "message": "no"}, 401)
        resource = path.strip("/")
        if resource not in (*RESOURCES, "deletedEntities"):
            return _json({"code": "notFound", "message": "no"}, 404)
        token = request.args.get("pageToken")
        if token is not None:
            try:
                _, offset_text, generation = token.split(".")
                offset = int(offset_text)
                if int(generation) != self.generation:
                    return _json({"code": "gone", "message": "page token expired"}, 410)
            except (ValueError, IndexError):
                return _json({"code": "badRequest", "message": "bad page token"}, 400)
        else:
            offset = 0
            if "meta.modified.after" in request.args and not self.support_incremental:
                return _json({"code": "badRequest", "message": "filter not supported"}, 400)
        limit = int(request.args.get("limit", "1000"))
        page = offset // limit + 1
        faults = self.faults.get((resource, page))
        if faults:
            fault = faults.pop(0)
            if fault.kind == "slow":
                time.sleep(float(fault.headers["seconds"]))
                return self.page(request, resource, token, offset, limit)
            if fault.kind == "revoke":
                self.tokens.clear()
                return _json({"code": "unauthorized", "message": "token revoked"}, 401)
            if fault.kind == "drop":
                # the connection closes after a part of the promised body
                return Response(iter([b'{"data": [{"id": "']), content_type="application/json",
                                headers={"Content-Length": "5000", "Connection": "close"})
            if fault.kind == "hang_up":
                connection = request.environ["werkzeug.socket"]
                connection.shutdown(socket.SHUT_RDWR)  # the client reads the end of the stream, no status line
                return Response(b"", status=204)  # what werkzeug then fails to write goes nowhere
            if fault.kind == "garble":
                return Response(b'{"data": [{"id": "x",,}', content_type="application/json")
            return _json({"code": "fault", "message": "on demand"}, fault.status, fault.headers)
        return self.page(request, resource, token, offset, limit)

    def page(self, request: Request, resource: str, token: str | None, offset: int, limit: int) -> Response:
        if resource == "deletedEntities":
            if not self.support_incremental:
                return _json({"code": "notFound", "message": "no"}, 404)
            return self.deleted_page(request)
        items = self.records[resource]
        after = request.args.get("meta.modified.after") if token is None else self.after_of.get(token)
        if after:
            items = [r for r in items if r["meta"]["modified"] > after]
        chunk = items[offset:offset + limit]
        body: dict[str, Any] = {"data": chunk}
        if offset + limit < len(items):
            next_token = f"{secrets.token_hex(4)}.{offset + limit}.{self.generation}"
            self.after_of[next_token] = after
            body["pageToken"] = next_token
        return _json(body)

    def deleted_page(self, request: Request) -> Response:
        after = request.args.get("after", "")
        names = {"activities": "activitites"}
        data: dict[str, list[str]] = {}
        for resource, record_id, when in self.deleted:
            if when > after:
                data.setdefault(names.get(resource, resource), []).append(record_id)
        return _json({"data": data})

    def authorised(self, header: str | None) -> bool:
        if self.require_token:
            if not header or not header.startswith("Bearer "):
                return False
            expiry = self.tokens.get(header[7:])
            return expiry is not None and expiry > dt.datetime.now(dt.UTC).timestamp()
        if self.static_token is not None:
            return header == f"Bearer {self.static_token}"
        return True

    def token(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        form = request.form.to_dict()
        self.token_requests.append({"authorization": header, **form})
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if header != expected or form.get("grant_type") != "client_credentials":
            return _json({"error": "invalid_client"}, 401)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = dt.datetime.now(dt.UTC).timestamp() + self.expires_in
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in})


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers or {},
                    content_type="application/json")


@contextmanager
def serve(fake: Fake, ssl_context: ssl.SSLContext | None = None) -> Iterator[Fake]:
    server = make_server("127.0.0.1", 0, fake, threaded=True, ssl_context=ssl_context,
                         request_handler=RequestHandler)
    scheme = "https" if ssl_context else "http"
    fake.url = f"{scheme}://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
