"""Health and metrics for monitoring: /healthz for load balancers, /metrics for Prometheus."""

import hmac
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .metrics import render_metrics


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; 503 otherwise (so a balancer takes the node out)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 -- any failure means "not healthy", said in the answer
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _may_scrape(request: HttpRequest) -> bool:
    """With METRICS_TOKEN set, a bearer token is required; without it, only this machine."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render_metrics(), content_type="text/plain; version=0.0.4; charset=utf-8")
