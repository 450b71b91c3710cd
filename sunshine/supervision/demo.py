"""Demo data: the scoring schemes the data migrations ship. A database flushed between
live-server tests has lost them, so the demo puts them back (the migrations' own functions,
idempotent)."""

from importlib import import_module
from typing import Any

from django.apps import apps

SCHEME_MIGRATIONS = ("0003_default_scheme", "0005_appeals_scheme")


def load(stdout: Any) -> None:
    for name in SCHEME_MIGRATIONS:
        import_module(f"sunshine.supervision.migrations.{name}").create(apps, None)
