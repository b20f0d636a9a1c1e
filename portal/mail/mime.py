"""The bytes of one message: headers, then the plain text and the HTML as `multipart/alternative`,
both UTF-8 and quoted-printable, lines ending in CRLF.

Written out by hand rather than with `email.message.EmailMessage`, which spent about 4 ms per message
parsing and folding its own headers (bench/bench_mail.py). Header values come from our templates and
settings; the recipient is the row's address exactly as stored (already checked against
`delivery.ADDRESS`). A display name or subject that is not ASCII becomes an RFC 2047 encoded word, so
the message is 7-bit unless the address itself needs SMTPUTF8.
"""

from __future__ import annotations

import binascii
import datetime as dt
import secrets
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("a header value may not hold a line break")
    return value


def _text(name: str, value: str) -> str:
    """A free-text header (the subject), folded, encoded words where it is not ASCII."""
    header = Header(_one_line(value), "us-ascii" if value.isascii() else "utf-8", header_name=name)
    return header.encode(linesep="\r\n")


def _sender(value: str) -> str:
    name, address = parseaddr(_one_line(value))
    return formataddr((name, address), charset="utf-8")


def _quoted_printable(text: str) -> bytes:
    plain = text.replace("\r\n", "\n").replace("\r", "\n")
    return binascii.b2a_qp(plain.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")


def compose(*, sender: str, to: str, subject: str, date: dt.datetime, message_id: str, text: str,
            html: str, language: str = "sv") -> bytes:
    boundary = "=_" + secrets.token_hex(12)
    headers = [
        ("From", _sender(sender)),
        ("To", _one_line(to)),
        ("Subject", _text("Subject", subject)),
        ("Date", format_datetime(date)),
        ("Message-ID", _one_line(message_id)),
        ("Auto-Submitted", "auto-generated"),
        ("Content-Language", _one_line(language)),
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8")
    out = [head, b"\r\n"]
    for subtype, body in (("plain", text), ("html", html)):
        out += [f"--{boundary}\r\n".encode(),
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode(),
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                _quoted_printable(body), b"\r\n"]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)
