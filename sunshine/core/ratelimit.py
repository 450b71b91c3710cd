"""Rate limits on what the public can hammer: sign-in, registration, query-code lookups, forms.

A fixed window per client address counted in the cache (shared between processes when the cache
is Redis or the database; per process with the default local-memory cache). The per-account
lockout in accounts.backends is the second line for sign-in.
"""

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sunshine.audit.middleware import client_address

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' → (10, 60)."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit]


def hit(group: str, who: str, rate: str) -> bool:
    """Count one request; False once the window's allowance is used up."""
    allowed, window = parse_rate(rate)
    key = f"ratelimit:{group}:{who}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= allowed


def ratelimit(group: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Refuse, with 429 and a page in Chinese, requests past the group's rate (settings
    RATE_LIMITS) from one client address."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                who = client_address(request) or "unknown"
                if not hit(group, who, settings.RATE_LIMITS[group]):
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
