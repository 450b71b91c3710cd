"""Reads from a PostgreSQL read replica, for the public's page views only.

With DATABASE_REPLICA_URL set, anonymous GET requests (the portal, the catalogue, search, the
service guides: nearly all of a city's traffic) read from the replica. Staff, signed-in citizens
and every write stay on the primary, so nobody handling a case reads data that lags behind.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_public_read: ContextVar[bool] = ContextVar("public_read", default=False)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _public_read.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # a streaming replica gets its schema from the primary


class PublicReadsFromReplica:
    """Marks an anonymous GET/HEAD request as one whose reads may come from the replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return self.get_response(request)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)
