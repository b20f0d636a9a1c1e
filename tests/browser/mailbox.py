"""Mail in the browser tests: the portal delivers to a real SMTP server on 127.0.0.1 (aiosmtpd, the
same `SmtpServer` as the functional mail tests), and a test takes its link out of the message that
arrived, as the person would."""

from __future__ import annotations

import re

from flask import Flask

from portal.mail.delivery import deliver
from portal.worker import process_queue

from ..functional.smtp import Received, SmtpServer


def deliver_all(app: Flask) -> None:
    """What `portal worker` does once: the queue, then the outbox."""
    with app.app_context():
        process_queue()
        deliver()


def link_in(server: SmtpServer, to: str, path: str, *, subject: str | None = None) -> str:
    """The one link under `path` in the newest message delivered to `to` (plain text and HTML agree)."""
    arrived: list[Received] = [m for m in server.messages if m.rcpt_tos == [to]]
    assert arrived, f"no message reached {to}: {[m.rcpt_tos for m in server.messages]}"
    message = arrived[-1]
    if subject is not None:
        assert message.message["Subject"] == subject
    links = re.findall(r"https?://127\.0\.0\.1:\d+" + re.escape(path) + r"[^\s<>\"]*", message.part("plain"))
    assert len(links) == 1, message.part("plain")
    assert f'href="{links[0]}"' in message.part("html")
    return links[0]
