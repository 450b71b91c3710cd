"""Browser tests: Playwright drives Debian's chromium (`playwright install` cannot download).

By default each test gets pytest-django's live server in this process. With SUNSHINE_LIVE_URL
set (`make serve-check`), the same tests run against the production stack of `make serve`
instead: nginx, gunicorn, Redis and the workers, with the test process writing to the stack's
own database (its environment comes from the stack's env file), which the tests empty as usual.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)


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

    @pytest.fixture(scope="session")
    def django_db_setup():
        """No test database: the served application reads the one the tests write."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def shot():
    """Save a screenshot under var/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
