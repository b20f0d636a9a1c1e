"""Extensions created unbound; create_app binds them with init_app."""

from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from .signing import PortalCSRF


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
babel = Babel()
csrf = PortalCSRF()  # Flask-WTF's check, its serializer built once
