"""Test configuration shared by the whole suite."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    from sunshine.audit.testing import allow_flush

    # Live-server tests flush every table; the audit log's triggers are lifted for that alone.
    allow_flush()

    # Tasks run at once, in the test's own thread and transaction.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    # Cheap hashing: the suite creates many users; production keeps Argon2 (and so does a run
    # against the production stack, whose server must check the passwords the tests set).
    if not os.environ.get("SUNSHINE_LIVE_URL"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The live server speaks plain http.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages do not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def demo(db):
    """The demo city (示例市): departments, staff for every role, a citizen and an enterprise."""
    from io import StringIO
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from sunshine.org.models import Department

    call_command("load_demo", stdout=StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    return SimpleNamespace(users=users, departments=departments, password="sunshine2026")  # noqa: S106 -- the demo password


# `make serve-check`: the browser tests and the permission tests against the production stack
# of `make serve` (nginx, gunicorn, Redis, the workers) instead of a server in this process. The
# test process writes to the stack's own database (its environment comes from the stack's env
# file), which the tests empty as usual.
LIVE_URL = os.environ.get("SUNSHINE_LIVE_URL", "").rstrip("/")

if LIVE_URL:

    class _StackServer:
        """Stands in for pytest-django's live server: the address of the running stack."""

        url = LIVE_URL

        def __init__(self) -> None:
            from django.test.utils import modify_settings

            # pytest-django's helper turns these on and off around each test.
            self._live_server_modified_settings = modify_settings()

    @pytest.fixture(scope="session")
    def live_server():
        return _StackServer()

    @pytest.fixture(autouse=True)
    def _fresh_app_workers():
        """The tests empty the stack's database after each test and fill it again: the app's
        workers must not answer from what they cached of the last one (a content type's id
        above all, which the next filling numbers anew)."""
        import subprocess
        from pathlib import Path

        root = Path(__file__).resolve().parent
        subprocess.run(["bash", str(root / "scripts/serve"), "reload"], check=True)  # noqa: S603, S607

    @pytest.fixture(scope="session")
    def django_db_setup():
        """No test database: the served application reads the one the tests write."""
