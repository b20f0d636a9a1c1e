"""The web app for gunicorn (`gunicorn -c deploy/gunicorn.conf.py wsgi:app`). It never migrates: a schema
that is behind is logged here and answered with 503 at /healthz until `portal db upgrade` has run."""

from portal import create_app
from portal.health import check_at_start
from portal.logs import configure

app = create_app()
configure(app.config["PORTAL_LOG_FORMAT"], unless_configured=True)  # gunicorn: its logconfig_dict
check_at_start(app)
