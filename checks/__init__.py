"""The check catalogue and engine: pure Python over plain data (no Flask, no database).

    from checks import diagnose, CATALOGUE
"""

from .base import Check, Texts
from .catalogue import BY_ID, CATALOGUE
from .engine import Diagnosis, Finding, applicable, default_route, diagnose
from .routing import ContactInfo, resolve_contact

__all__ = [
    "BY_ID",
    "CATALOGUE",
    "Check",
    "ContactInfo",
    "Diagnosis",
    "Finding",
    "Texts",
    "applicable",
    "default_route",
    "diagnose",
    "resolve_contact",
]
