"""Mails per second from one worker to a local SMTP server.

    python bench/bench_mail.py [--messages N] [--database-url URL]

Loads the demo directory into a new SQLite file in bench/out/mail/ (or into --database-url, never a
database named like `test`, which the test suite wipes), records one case at a demo school and N outbox
rows (half `no_account`, half `contact_notification`, each to its own address), starts aiosmtpd in its
own process (`python -m aiosmtpd`, the Sink handler: accepts and drops) on a free port of 127.0.0.1, then
times `portal.mail.delivery.deliver()` in this process: the path of `portal worker` and `portal
send-mail` (claim, render at first claim, SMTP over one kept connection, mark sent). It prints the
rate and where the time went (the SMTP dialogue vs. the database and rendering). Target (issue 5):
200 mails/s with one worker on the development machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from _common import fresh_instance

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("aiosmtpd did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url and "test" in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing a database named like 'test': the test suite wipes it")

    env = fresh_instance("mail")
    if args.database_url:
        env["PORTAL_DATABASE_URL"] = args.database_url
    port = free_port()
    env["PORTAL_MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "portal.cli", "demo"], env=env, check=True, stdout=subprocess.DEVNULL,
                   cwd=ROOT)

    from sqlalchemy import delete, insert

    from portal import create_app
    from portal.extensions import db
    from portal.mail import delivery, senders
    from portal.models import Case, OutboxMessage
    from portal.models.cases import utcnow

    app = create_app()
    n = args.messages
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Case).where(Case.reference == "BENCH001"))
        case = Case(reference="BENCH001", role="guardian", service="school_platform", symptom="forgot_password",
                    place="41253001", identifier_hash="0" * 64, identifier_masked="b***@exempel.se",
                    same_day_key="bench-mail", route_kind="school_admin", route_email="exp@exempel.se")
        db.session.add(case)
        db.session.flush()
        db.session.execute(insert(OutboxMessage), [
            {"case_id": case.id, "template": "no_account" if i % 2 else "contact_notification",
             "to_address": f"mottagare{i}@exempel.se", "context": {"reference": "BENCH001"},
             "status": "pending", "attempts": 0, "created_at": utcnow()} for i in range(n)])
        db.session.commit()

    smtp_seconds = 0.0

    class Timed(senders.Smtp):
        def send(self, envelope_from: str, to: str, message: bytes, message_id: str) -> None:
            nonlocal smtp_seconds
            started = time.perf_counter()
            try:
                super().send(envelope_from, to, message, message_id)
            finally:
                smtp_seconds += time.perf_counter() - started

    server = start_smtp(port)
    try:
        with app.app_context():
            sender = Timed(env["PORTAL_MAIL_URL"], timeout=30)
            started = time.perf_counter()
            try:
                run = delivery.deliver(sender=sender)
            finally:
                sender.close()
            seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)

    database = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    print(f"database: {database}; messages: {n}; sent {run.sent}, retrying {run.retrying}, failed {run.failed}")
    print(f"wall time: {seconds:.2f} s  ->  {run.sent / seconds:.1f} mails/s (target 200/s, one worker)")
    print(f"per mail: {1000 * seconds / n:.2f} ms, of which SMTP dialogue {1000 * smtp_seconds / n:.2f} ms, "
          f"claim + render + mark sent {1000 * (seconds - smtp_seconds) / n:.2f} ms")
    if run.sent != n:
        raise SystemExit("not every message was sent")


if __name__ == "__main__":
    main()
