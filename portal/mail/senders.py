"""Where a rendered message goes, chosen by `PORTAL_MAIL_URL` (docs/contracts/README.md):

- `outbox:` (the default) writes each message as an `.eml` file in the instance folder's `mail/`;
- `console:` prints each message (headers and plain text) on standard output;
- `smtp://[user:password@]host[:port]` sends by SMTP, with STARTTLS whenever the server offers it
  (`PORTAL_MAIL_REQUIRE_TLS=1`: never without it), and logs in when the URL has a user;
- `smtps://…` the same over implicit TLS (port 465 by default).

A sender raises `TemporaryFailure` (try again later: a 4xx answer, a refused or broken connection, a
timeout, a server that will not let us log in) or `PermanentFailure` (a 5xx answer to the recipient or
the message, an address the server cannot take). Their `reason` is short and never quotes the server's
text, which may repeat the address.
"""

from __future__ import annotations

import base64
import email
import email.policy
import os
import smtplib
import socket
import ssl
import sys
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit


class DeliveryFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


class TemporaryFailure(DeliveryFailure):
    """Worth another attempt later."""


class PermanentFailure(DeliveryFailure):
    """Another attempt would get the same answer."""


class Sender(Protocol):
    def send(self, envelope_from: str, to: str, message: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


class OutboxFolder:
    """Each message an `.eml` file named after its Message-ID, so sending it again rewrites the same file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, envelope_from: str, to: str, message: bytes, message_id: str) -> None:
        name = "".join(c if c.isalnum() or c in "-." else "_" for c in message_id.strip("<>").split("@")[0])
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.eml"
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(message)
        os.replace(partial, path)

    def close(self) -> None:
        pass


class Console:
    """For development: the headers a person sees and the plain-text body, readable."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, envelope_from: str, to: str, message: bytes, message_id: str) -> None:
        parsed = email.message_from_bytes(message, policy=email.policy.default)
        out = self.stream or sys.stdout
        lines = [f"----- {message_id} -----"]
        lines += [f"{name}: {parsed[name]}" for name in ("From", "To", "Subject", "Date") if parsed[name]]
        body = parsed.get_body(preferencelist=("plain",))
        lines += ["", body.get_content().rstrip() if body is not None else "", ""]
        out.write("\n".join(lines) + "\n")
        out.flush()

    def close(self) -> None:
        pass


class Smtp:
    """One connection, opened at the first message and kept for the next; closed after any failure."""

    def __init__(self, url: str, *, timeout: float = 30.0, require_tls: bool = False,
                 ca_file: str | None = None) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password or "")
        self.timeout = timeout
        self.require_tls = require_tls
        self.ca_file = ca_file
        self._smtp: smtplib.SMTP | None = None

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if not self.implicit_tls:
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self._tls())
                    smtp.ehlo()
                elif self.require_tls:
                    raise TemporaryFailure("the server offers no STARTTLS (PORTAL_MAIL_REQUIRE_TLS)")
            if self.user is not None:
                self._login(smtp, self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    @staticmethod
    def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
        if user.isascii() and password.isascii():
            smtp.login(user, password)
            return
        # smtplib encodes credentials as ASCII; AUTH PLAIN (RFC 4616) carries UTF-8
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
        code, _text = smtp.docmd("AUTH", "PLAIN " + token)
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, b"")

    def send(self, envelope_from: str, to: str, message: bytes, message_id: str) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            options = ["SMTPUTF8"] if not (to.isascii() and envelope_from.isascii()) else []
            if options and not self._smtp.has_extn("smtputf8"):
                raise PermanentFailure("the address needs SMTPUTF8, which the server does not offer")
            self._smtp.sendmail(envelope_from, [to], message, mail_options=options)
        except DeliveryFailure:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise classify(exc) from None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001,S110 - a broken connection needs no goodbye
                smtp.close()


def classify(exc: BaseException) -> DeliveryFailure:
    """A temporary or permanent failure with a short reason that never quotes the server's text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        code = codes[0] if codes else 0
        return _by_code(code, "recipient refused")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return TemporaryFailure(f"smtp {exc.smtp_code} sender refused")  # our configuration, not the message
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TemporaryFailure(f"smtp {exc.smtp_code} login refused")
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(exc.smtp_code, "message refused")
    if isinstance(exc, smtplib.SMTPResponseException):
        return TemporaryFailure(f"smtp {exc.smtp_code} {type(exc).__name__}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TemporaryFailure("connection closed by the server")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TemporaryFailure("the server does not support what was asked (e.g. login)")
    if isinstance(exc, ConnectionRefusedError):
        return TemporaryFailure("connection refused")
    if isinstance(exc, TimeoutError | socket.timeout):
        return TemporaryFailure("timeout")
    if isinstance(exc, ssl.SSLError):
        return TemporaryFailure(f"tls: {type(exc).__name__}")
    if isinstance(exc, OSError):
        return TemporaryFailure(f"network: {type(exc).__name__}")
    return TemporaryFailure(f"error: {type(exc).__name__}")


def _by_code(code: int, what: str) -> DeliveryFailure:
    if 500 <= code < 600:
        return PermanentFailure(f"smtp {code} {what}")
    return TemporaryFailure(f"smtp {code} {what}")


def from_url(url: str, *, instance_path: Path, timeout: float = 30.0, require_tls: bool = False,
             ca_file: str | None = None) -> Sender:
    """The sender `PORTAL_MAIL_URL` names; ValueError for a form it does not know."""
    scheme = url.partition(":")[0].lower()
    if scheme == "outbox":
        return OutboxFolder(instance_path / "mail")
    if scheme == "console":
        return Console()
    if scheme in ("smtp", "smtps"):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            raise ValueError("PORTAL_MAIL_URL har en port som inte är ett tal") from None
        if not parts.hostname:
            raise ValueError("PORTAL_MAIL_URL saknar värdnamn (smtp://värd:port)")
        return Smtp(url, timeout=timeout, require_tls=require_tls, ca_file=ca_file)
    raise ValueError("PORTAL_MAIL_URL ska börja med outbox:, console:, smtp:// eller smtps://")
