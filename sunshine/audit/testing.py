"""Test-suite support: let the flush after transactional tests empty the append-only log."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.utils import load_backend

from .triggers import TABLE, trigger_sql


def allow_flush() -> None:
    """Make every configured backend's flush drop the audit triggers and re-create them after.

    TransactionTestCase (live-server and transactional_db tests) flushes every table at
    teardown, which the triggers refuse. The dropping, the flush and the re-creating run in the
    flush's one transaction. Call it once, from pytest_configure; calling it again is harmless.
    """
    for database in settings.DATABASES.values():
        ops_class = load_backend(database["ENGINE"]).DatabaseWrapper.ops_class
        if not getattr(ops_class.sql_flush, "allows_audit_flush", False):
            ops_class.sql_flush = _wrap(ops_class.sql_flush)


def _wrap(sql_flush: Callable[..., list[str]]) -> Callable[..., list[str]]:
    @functools.wraps(sql_flush)
    def wrapper(self: BaseDatabaseOperations, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = sql_flush(self, style, tables, **kwargs)
        if not statements or TABLE not in self.connection.introspection.table_names():
            return statements
        triggers = trigger_sql(self.connection.vendor)
        return [*triggers.drop, *statements, *triggers.create]

    wrapper.allows_audit_flush = True  # type: ignore[attr-defined]
    return wrapper
