"""Inloggningshjälpen: the Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from .extensions import babel, csrf, db
from .settings import read_all

ROOT = Path(__file__).resolve().parent.parent


class Portal(Flask):
    """Flask, with each view's and hook's synchronous form looked up once: Flask asks `inspect` whether a
    function is a coroutine every time it calls one (seven times on the public POST)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync[func]
        except KeyError:
            sync = self._sync[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # not hashable: as Flask does
            return super().ensure_sync(func)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides what the PORTAL_* environment gives."""
    # every PORTAL_* variable, checked: ConfigError (a Swedish message naming it) for one we cannot use
    settings = read_all(os.environ)
    app = Portal(
        __name__,
        instance_path=settings["PORTAL_INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "portal" / "static"),
    )
    app.config.update(settings)
    if config:
        app.config.update(config)
    from . import operations

    operations.init_app(app)

    db.init_app(app)
    from .database import check_postgresql_connections, tune_sqlite

    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            tune_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            check_postgresql_connections(db.engine)
    from . import language

    babel.init_app(app, locale_selector=language.select_locale)
    csrf.init_app(app)
    from . import signing

    signing.init_app(app)  # the session's and the CSRF token's serializers built once

    from . import (
        errors,
        inbox,
        models,  # noqa: F401  (register the tables)
        ratelimit,
        security,
    )
    from .about import bp as about_bp
    from .health import bp as health_bp
    from .mail import delivery
    from .public import bp as public_bp
    from .reset import bp as reset_bp

    security.init_app(app)
    errors.init_app(app)
    ratelimit.init_app(app)
    language.init_app(app)
    delivery.init_app(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(about_bp)
    app.register_blueprint(reset_bp)
    inbox.init_app(app)
    from . import logs, metrics

    app.register_blueprint(metrics.bp)
    from .sources.ss12000.state import last_success_timestamp

    metrics.set_sync_source(last_success_timestamp)
    logs.init_app(app)  # the request line and its count (portal/logs.py, portal/metrics.py)

    return app
