"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd), started by the test.

`SmtpServer` keeps every message it accepted, with its envelope and its bytes exactly as received.
It can be told what to answer: `answer_data(["451 …"] * k)` makes the next k DATA commands fail
(then 250 again), `answer_rcpt([...])` the same for RCPT; `on_accept` is called after a message is
stored and before the 250 goes back (the SIGKILL test takes a database lock there); `down()` and
`up()` stop and restart it on the same port. `SmtpServer(tls=context)` offers STARTTLS, with
`implicit=True` it speaks TLS from the start (smtps); `users` makes it ask for a login. Fixture:
`smtp_server`; `certificate(folder)` makes a self-signed one for 127.0.0.1 with openssl.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool = False
    login: str | None = None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_type() == f"text/{subtype}"
        return str(body.get_content())  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        answer = self.server._next(self.server._rcpt_answers)
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        answer = self.server._next(self.server._data_answers)
        self.server.data_commands += 1
        if answer.startswith("250"):
            received = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content),
                                # an implicit-TLS server speaks nothing but TLS (aiosmtpd sets
                                # session.ssl only after STARTTLS)
                                tls=session.ssl is not None or self.server.implicit,
                                login=session.auth_data.decode() if session.authenticated else None)
            with self.server._lock:
                self.server.messages.append(received)
            if self.server.on_accept is not None:
                self.server.on_accept(received)
        return answer


class SmtpServer:
    def __init__(self, tls: ssl.SSLContext | None = None, *, implicit: bool = False,
                 users: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.tls = tls
        self.implicit = implicit
        self.users = users
        self.messages: list[Received] = []
        self.data_commands = 0
        self.on_accept: Callable[[Received], None] | None = None
        self._data_answers: deque[str] = deque()
        self._rcpt_answers: deque[str] = deque()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"{'smtps' if self.implicit else 'smtp'}://127.0.0.1:{self.port}"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and self.users is not None
              and self.users.get(data.login.decode()) == data.password.decode())
        return AuthResult(success=ok, auth_data=data.login if ok else None)

    def _next(self, answers: deque[str]) -> str:
        with self._lock:
            return answers.popleft() if answers else "250 2.0.0 OK"

    def answer_data(self, answers: Iterable[str]) -> None:
        with self._lock:
            self._data_answers.extend(answers)

    def answer_rcpt(self, answers: Iterable[str]) -> None:
        with self._lock:
            self._rcpt_answers.extend(answers)

    def up(self) -> None:
        kwargs: dict[str, Any] = {}
        if self.tls is not None and self.implicit:
            # aiosmtpd knows only STARTTLS as TLS when it checks AUTH; this whole connection is TLS
            kwargs.update(ssl_context=self.tls, auth_require_tls=False)
        elif self.tls is not None:
            kwargs["tls_context"] = self.tls
        if self.users is not None:  # AUTH offered; required unless implicit (see above: the test checks it)
            kwargs.update(authenticator=self._authenticate, auth_required=not self.implicit)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if m.rcpt_tos == [address]]


def certificate(folder: Any) -> tuple[ssl.SSLContext, str]:
    """A self-signed certificate for 127.0.0.1: the server's TLS context and the file a client trusts."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, str(cert)


@pytest.fixture
def smtp_server(app: Any) -> Iterator[SmtpServer]:
    """A running server; the app's PORTAL_MAIL_URL points at it."""
    server = SmtpServer()
    server.up()
    app.config["PORTAL_MAIL_URL"] = server.url
    yield server
    server.down()
