import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from sunshine.core.replicas import PublicReadsFromReplica, ReplicaRouter

ROOT = Path(__file__).resolve().parents[3]


def _router_choice_during(request, databases: dict) -> list:
    """What the router picks for a read while the middleware handles `request`."""
    seen = []

    def view(_request):
        seen.append(ReplicaRouter().db_for_read(object))
        return None

    from unittest import mock

    with mock.patch("sunshine.core.replicas.settings") as settings:
        settings.DATABASES = databases
        PublicReadsFromReplica(view)(request)
        seen.append(ReplicaRouter().db_for_read(object))  # after the request
    return seen


def _request(method: str, user) -> object:
    request = getattr(RequestFactory(), method.lower())("/gk/")
    request.user = user
    return request


class _Staff:
    is_authenticated = True


def test_the_public_reads_from_the_replica_during_its_request_only():
    with_replica = {"default": {}, "replica": {}}
    assert _router_choice_during(_request("GET", AnonymousUser()), with_replica) == [
        "replica",
        None,
    ]


def test_staff_posts_and_a_missing_replica_stay_on_the_primary():
    with_replica = {"default": {}, "replica": {}}
    assert _router_choice_during(_request("GET", _Staff()), with_replica) == [None, None]
    assert _router_choice_during(_request("POST", AnonymousUser()), with_replica) == [None, None]
    assert _router_choice_during(_request("GET", AnonymousUser()), {"default": {}}) == [
        None,
        None,
    ]
    router = ReplicaRouter()
    assert router.db_for_write(object) is None
    assert router.allow_migrate("replica", "foi") is False
    assert router.allow_migrate("default", "foi") is True


def test_settings_add_the_replica_when_configured():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['replica']['HOST'], s.DATABASE_ROUTERS, s.MIDDLEWARE]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sunshine.settings",
        "DATABASE_URL": "postgres://u@primary.internal/sunshine",
        "DATABASE_REPLICA_URL": "postgres://u@replica.internal/sunshine",
    }
    out = subprocess.run(  # noqa: S603 -- this interpreter, fixed code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    host, routers, middleware = json.loads(out)
    assert host == "replica.internal"
    assert routers == ["sunshine.core.replicas.ReplicaRouter"]
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert middleware[auth + 1] == "sunshine.core.replicas.PublicReadsFromReplica"
