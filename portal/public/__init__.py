"""The public help flow: who you are, service, what happened, school, identifier, result."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from . import disruptions, views  # noqa: E402,F401  (registers the routes and the notices)
