"""Reference data shipped by data migrations, put back after a flush.

A flush (the test runner's, between live-server tests) empties every table and re-emits
post_migrate but does not rerun data migrations. Apps whose data migrations are idempotent
(get_or_create) connect `rerun_after_flush` so the data comes back, as the working-day calendar
does. On an ordinary `migrate` the rerun finds everything in place and changes nothing.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def rerun_after_flush(
    config: AppConfig, migrations: tuple[str, ...], function: str = "forwards"
) -> None:
    def rerun(sender: AppConfig, **kwargs: Any) -> None:
        from django.apps import apps

        for name in migrations:
            step: Callable = getattr(import_module(f"{config.name}.migrations.{name}"), function)
            step(apps, None)

    post_migrate.connect(
        rerun, sender=config, weak=False, dispatch_uid=f"{config.label}.rerun_after_flush"
    )
