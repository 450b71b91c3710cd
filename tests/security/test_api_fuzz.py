"""Schemathesis against the Open311 GeoReport v2 API, from its OpenAPI description.

Tried: the description (sunshine/appeals/openapi/open311.yaml) is loaded and checked; for every
operation, JSON and XML, schemathesis generates requests (query strings, path parameters, form
bodies; half the time with a real api_key, service code, serial or token so that requests get
past the first check) and sends them to the application.
Must hold: no server error (5xx) on SQLite and PostgreSQL; every status code and content type is
one the description declares; every JSON body conforms to its schema; every operation of the
description exists in the application and every API route is described; the audit chain
verifies after.
"""

import os
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.urls import get_resolver
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import sunshine.appeals
from sunshine.appeals.demo import DEMO_API_KEY
from sunshine.appeals.models import Appeal, Category
from sunshine.appeals.open311 import jurisdiction
from sunshine.audit.chain import verify_chain

from .fuzzing import bounded

SPEC = Path(sunshine.appeals.__file__).parent / "openapi" / "open311.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation: raise for a longer run (API_FUZZ_EXAMPLES=200).
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))


def load() -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_path(SPEC)
    schema.app = WSGIHandler()
    return schema


def test_every_api_route_is_described():
    described = {o.ok().path for o in load().get_all_operations()}
    appeals = next(
        r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "appeals"
    )
    routes = {
        "/" + str(p.pattern).removeprefix("open311/v2/")
        for p in appeals.url_patterns
        if str(p.pattern).startswith("open311/v2/") and str(p.pattern) != "open311/v2/"
    }
    expected = set()
    for route in routes:
        for fmt in ("json", "xml"):
            path = route.replace("<str:fmt>", fmt)
            for name in ("code", "serial", "token"):
                path = path.replace(f"<str:{name}>", f"{{{name}}}")
            expected.add(path)
    named = {
        p.replace("{service_code}", "{code}").replace("{service_request_id}", "{serial}")
        for p in described
    }
    assert named == expected


@pytest.fixture
def keep_connection():
    """The test's transaction must outlive each request, as with Django's test client."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_open311_never_fails_and_conforms(demo, keep_connection):
    schema = load()
    code = Category.objects.filter(is_active=True, is_public=True, parent__isnull=False)
    code = code.values_list("code", flat=True).first()
    appeal = Appeal.objects.filter(confidential=False).first()
    real = {
        "api_key": DEMO_API_KEY,
        "service_code": code,
        "service_request_id": appeal.serial,
        "token": "",
        "jurisdiction_id": jurisdiction(),
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14
    calls = []

    for operation in operations:
        fuzz(operation, real, calls)
    assert 201 in calls and 200 in calls and 404 in calls
    assert verify_chain().fault is None


def fuzz(operation, real: dict, calls: list[int]) -> None:
    """Send generated requests for one operation; half of them carry real identifiers."""

    @bounded(EXAMPLES)
    @given(case=operation.as_strategy(), use_real=st.booleans())
    def run(case, use_real):
        if use_real:
            for where in (case.path_parameters, case.query, case.body):
                if isinstance(where, dict):
                    where.update({k: v for k, v in real.items() if k in where and v})
        response = case.call()
        calls.append(response.status_code)
        case.validate_response(response, checks=CHECKS)
        if response.status_code == 201 and operation.path.endswith(".json"):
            real["token"] = response.json()[0]["token"]

    run()
