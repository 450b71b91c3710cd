"""With SUNSHINE_LIVE_URL set (`make serve-check`), the permission matrix and the object-level
permission tests ask the running production stack over HTTP instead of Django's test client:
the same answers must come through nginx, gunicorn and the stack's own settings."""

import http.client
import os
from urllib.parse import urlsplit

import pytest

LIVE_URL = os.environ.get("SUNSHINE_LIVE_URL", "").rstrip("/")


class _Answer:
    def __init__(self, status: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code, self.headers, self.content = status, headers, content

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


class StackClient:
    """Django's test client's `force_login`, `logout` and `get`, over HTTP to the stack."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.session = ""

    def force_login(self, user) -> None:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        self.session = store.session_key

    def logout(self) -> None:
        self.session = ""

    def get(self, path: str) -> _Answer:
        from django.conf import settings

        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.session}"
        conn.request("GET", path, headers={"Cookie": cookie} if self.session else {})
        response = conn.getresponse()
        answer = _Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
        conn.close()
        return answer


if LIVE_URL:

    @pytest.fixture
    def client(live_server):
        """Requesting the live server also makes the test's writes committed, so the stack
        sees the demo users and their sessions."""
        return StackClient(live_server.url)
