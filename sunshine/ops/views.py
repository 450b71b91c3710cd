"""Health and metrics for monitoring: /healthz for load balancers, /metrics for Prometheus."""

import hmac
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from .metrics import render_metrics


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the task queue answer; 503 otherwise (so a balancer takes the
    node out and monitoring sees which part failed)."""
    answer: dict[str, object] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        answer["database"] = "ok"
    except Exception:  # noqa: BLE001 -- any failure means "not healthy", said in the answer
        answer.update(status="error", database="unavailable")
    try:
        answer["queue_pending"] = HUEY.pending_count()
    except Exception:  # noqa: BLE001 -- as above, for the queue (Redis or its SQLite file)
        answer.update(status="error", queue="unavailable")
    return JsonResponse(answer, status=200 if answer["status"] == "ok" else 503)


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
