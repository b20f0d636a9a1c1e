"""The `portal` command (docs/contracts/README.md). Each command is thin: it calls a plain function.

Exit status: 0 success, 1 input refused (a Swedish message on stderr), 2 wrong usage.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo

from checks.vocab import ROLES, SERVICES, SYMPTOMS

from . import create_app
from .database import prepare, upgrade


class Refused(click.ClickException):
    """Input refused: exit 1 with the message on stderr."""

    exit_code = 1

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        click.echo(f"Fel: {self.format_message()}", err=True)


class WrongUsage(click.UsageError):
    """Wrong usage: exit 2 with a Swedish message and where the help is (click's own are English)."""

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        command = self.ctx.command_path if self.ctx is not None else "portal"
        click.echo(f"Fel: {self.format_message()}\nSe `{command} --help`.", err=True)


def _swedish_usage(exc: click.UsageError) -> WrongUsage:
    param = getattr(exc, "param", None)
    names = "/".join(param.opts) if param is not None and getattr(param, "opts", None) else None
    if isinstance(exc, click.MissingParameter):
        if param is not None and param.param_type_name == "argument":
            text = f"argumentet {(param.name or '').upper()} saknas."
        else:
            text = f"{names or 'ett värde'} saknas."
    elif isinstance(exc, click.NoSuchOption):
        text = f"det finns inget alternativ {exc.option_name}."
    elif isinstance(exc, click.BadParameter):
        kind = {"float": "ett tal", "integer": "ett heltal"}.get(getattr(getattr(param, "type", None), "name", ""))
        text = f"ogiltigt värde för {names or 'ett argument'}" + (f": ska vara {kind}." if kind else ".")
    elif "No such command" in exc.message:
        text = f"det finns inget sådant kommando: {exc.message.split(chr(39))[1] if chr(39) in exc.message else ''}."
    elif "requires an argument" in exc.message and "'" in exc.message:
        text = f"{exc.message.split(chr(39))[1]} behöver ett värde."
    elif "Got unexpected extra argument" in exc.message:
        text = "för många argument."
    else:
        text = exc.message
    return WrongUsage(text, ctx=exc.ctx)


class PortalGroup(FlaskGroup):
    """The command group; a database that does not answer is a message, not a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        from .config import ConfigError
        from .database import SchemaBehind

        try:
            return super().invoke(ctx)
        except WrongUsage:
            raise
        except click.UsageError as exc:
            raise _swedish_usage(exc) from None
        except (ConfigError, SchemaBehind) as exc:
            raise Refused(str(exc)) from None
        except OperationalError:
            raise Refused("databasen svarar inte. Kontrollera PORTAL_DATABASE_URL och att databasen är igång.") \
                from None


def _create_app(info: ScriptInfo | None = None):  # type: ignore[no-untyped-def]
    from .logs import configure

    app = create_app()
    configure(app.config["PORTAL_LOG_FORMAT"])  # PORTAL_LOG_FORMAT: text or json on stderr (portal/logs.py)
    return app


@click.group(cls=PortalGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Inloggningshjälpen: hjälp för den som inte kan logga in."""


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port att lyssna på.")
@click.option("--worker", is_flag=True, help="Kör också arbetaren (kön) i en bakgrundstråd.")
def run_command(host: str, port: int, worker: bool) -> None:
    """Starta utvecklingsservern (skapar databasen om den saknas)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    if worker:
        from .worker import start_background_worker

        start_background_worker(app)
    # Flask ignores app.run() inside its own CLI, so serve with Werkzeug directly.
    from werkzeug.serving import run_simple

    click.echo(f"Inloggningshjälpen lyssnar på http://{host}:{port}/ (avsluta med Ctrl+C)")
    from .logs import RequestHandler  # the portal's request lines, never Werkzeug's (they hold raw paths)

    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True,
               request_handler=RequestHandler)


@main.group("db")
def db_group() -> None:
    """Databasens schema: `portal db upgrade` (en gång per version, före processerna) och `portal db current`."""


@db_group.command("upgrade")
def db_upgrade_command() -> None:
    """Uppgradera databasen till den senaste versionen av schemat (skapar det om det saknas)."""
    import logging

    from .extensions import db

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)  # "Running upgrade 0008 -> 0009"
    upgrade(app)
    click.echo(_describe_schema(db.engine))


@db_group.command("current")
def db_current_command() -> None:
    """Visa vilken version av schemat databasen har. Ändrar ingenting; slutstatus 1 om den inte är den senaste."""
    from .extensions import db

    text = _describe_schema(db.engine)
    if "senaste versionen" not in text:
        raise Refused(text)
    click.echo(text)


def _describe_schema(engine):  # type: ignore[no-untyped-def]
    from .database import schema_state

    with engine.connect() as connection:
        return schema_state(connection).describe()


@main.command("import")
@click.argument("file")  # the importer says in Swedish what is wrong with it (a folder, missing, unreadable)
@click.option("--progress/--no-progress", default=None,
              help="Visa förloppsindikator (standard: när stderr är en terminal).")
def import_command(file: str, progress: bool | None) -> None:
    """Läs in katalogen från FILE (JSON enligt import.schema.json; - för stdin)."""
    from .importer import ImportRefused, import_path

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        result = import_path(file, progress=show)
    except ImportRefused as exc:
        raise Refused(str(exc)) from None
    click.echo(result.summary())


@main.command("demo")
def demo_command() -> None:
    """Läs in demokatalogen (flera skolor, alla roller, fall för varje mottagare)."""
    from .importer import ImportRefused, import_demo

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app)
    try:
        result = import_demo()
    except ImportRefused as exc:  # pragma: no cover - the shipped file is tested
        raise Refused(str(exc)) from None
    click.echo(result.summary())


@main.command("worker")
@click.option("--loop", is_flag=True, help="Fortsätt tills processen stoppas.")
@click.option("--interval", default=2.0, show_default=True, type=float, help="Sekunder mellan varven (--loop).")
@click.option("--status", "show_status", is_flag=True,
              help="Visa bara läget: kön och utkorgen per status, äldsta väntande brev, misslyckade brev.")
def worker_command(loop: bool, interval: float, show_status: bool) -> None:
    """Behandla kön (diagnostisera, spara, lägg breven i utkorgen) och skicka sedan utkorgens brev."""
    import time

    from .worker import describe, work_once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    prepare(app)
    if show_status:
        from .mail.delivery import now
        from .mail.status import describe as describe_status
        from .mail.status import outbox_status

        click.echo(describe_status(outbox_status(), now()))
        from .sources.ss12000.commands import describe_last_sync

        if last := describe_last_sync():
            click.echo(last)
        return
    from . import stopping

    stopping.install()  # SIGTERM: finish the message being sent, give back the rest, stop (portal/stopping.py)
    from .logs import worker_run
    from .sources.ss12000.commands import sync_if_due

    while True:
        if loop and (synced := sync_if_due()):
            click.echo(synced)
        started = time.monotonic()
        queue, mail = work_once()
        worker_run(queue, mail, time.monotonic() - started)
        if queue.processed or queue.failed or mail.sent or mail.retrying or mail.failed or not loop:
            click.echo(describe(queue, mail))
        if not loop or stopping.wait(interval):
            break
    if stopping.requested.is_set():
        import logging

        logging.getLogger("portal.runs").info("worker stopped on a signal; what it had claimed was given back",
                                              extra={"event": "worker_stopped"})


@main.command("send-mail")
def send_mail_command() -> None:
    """Som `portal worker` en gång: behandla kön och skicka utkorgens brev (namnet som cron-rader använder)."""
    from . import stopping
    from .worker import describe, work_once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    prepare(app)
    stopping.install()
    click.echo(describe(*work_once()))


@main.command("diagnose")
@click.option("--role", required=True, help=f"Vem som frågar: {', '.join(ROLES)}.")
@click.option("--service", required=True,
              help=f"Tjänsten personen försökte logga in i: {', '.join(SERVICES)} (vilka som passar en roll "
                   "står i felmeddelandet om de inte passar).")
@click.option("--symptom", required=True, help=f"Vad som hände: {', '.join(SYMPTOMS)}.")
@click.option("--school", "place", required=True,
              help="Skolenhetskod (åtta siffror), eller huvudmannens id för agency_eservice.")
@click.option("--identifier", required=True, help="E-post, personnummer, HSA-id eller användarnamn.")
@click.option("--today", default=None, help="Datum som kontrollerna räknar med (ÅÅÅÅ-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut ett JSON-objekt.")
def diagnose_command(role: str, service: str, symptom: str, place: str, identifier: str,
                     today: str | None, as_json: bool) -> None:
    """Kör kontrollerna för en fråga. Skickar ingen e-post och sparar inget ärende."""
    import json

    from .diagnosis import QuestionRefused, run
    from .report import diagnosis_table

    try:
        day = datetime.strptime(today, "%Y-%m-%d").date() if today is not None else None
    except ValueError:
        raise Refused(f"--today ska vara ett datum som 2026-11-23 (ÅÅÅÅ-MM-DD), inte {(today or '')[:20]!r}") from None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    prepare(app)
    try:
        outcome = run(role, service, symptom, place, identifier, day)
    except QuestionRefused as exc:
        raise Refused(str(exc)) from None
    if as_json:
        click.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
    else:
        click.echo(diagnosis_table(outcome))


@main.command("check", with_appcontext=False)
def check_command() -> None:
    """Visa inställningarna som gäller (alla PORTAL_*), med hemligheter dolda. Avslutar med 1 och
    säger vad som är fel om någon inte går att använda."""
    import os

    from .settings import check

    report = check(os.environ)
    for line in report.lines:
        click.echo(line)
    if report.problems:
        raise Refused(f"{len(report.problems)} inställning(ar) går inte att använda: " + "; ".join(report.problems))


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Räkna bara, radera inget.")
def purge_command(dry_run: bool) -> None:
    """Radera ärenden äldre än PORTAL_CASE_RETENTION_DAYS (med historik, jobb och utkorg),
    använda länkar och utgångna inloggningar i inkorgen."""
    from .purge import purge

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    prepare(app)
    click.echo(purge(dry_run=dry_run).summary(dry_run=dry_run))


def _add_source_commands() -> None:
    from .sources.ss12000.commands import sync_group

    main.add_command(sync_group)


_add_source_commands()

if __name__ == "__main__":  # python -m portal.cli
    main()
