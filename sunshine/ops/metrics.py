"""The figures monitoring needs, in the Prometheus text exposition format (version 0.0.4)."""

from django.db.models import Count

from sunshine.audit.models import AuditEvent
from sunshine.supervision.models import Alert, Notification, SweepLock
from sunshine.supervision.queries import status_totals


def _line(name: str, value: float, **labels: str) -> str:
    if labels:
        inner = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
        return f"{name}{{{inner}}} {value}"
    return f"{name} {value}"


def render_metrics() -> str:
    """The clock figures are the supervision screen's (its tally kept by the database), so
    monitoring and the screen count in one place and neither reads every clock."""
    lines = [
        "# HELP sunshine_clocks Open clocks by status.",
        "# TYPE sunshine_clocks gauge",
    ]
    lines += [_line("sunshine_clocks", n, status=s) for s, n in status_totals().items()]
    lines += [
        "# HELP sunshine_alerts_open Open supervision alerts by level.",
        "# TYPE sunshine_alerts_open gauge",
    ]
    open_alerts = dict(
        Alert.objects.filter(state=Alert.State.OPEN).values_list("level").annotate(n=Count("pk"))
    )
    lines += [
        _line("sunshine_alerts_open", open_alerts.get(level, 0), level=level)
        for level in ("prompt", "yellow", "red")
    ]
    lock = SweepLock.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    lines += [
        "# HELP sunshine_notifications_undelivered Notifications not yet sent.",
        "# TYPE sunshine_notifications_undelivered gauge",
        _line(
            "sunshine_notifications_undelivered",
            Notification.objects.filter(delivered_at__isnull=True).count(),
        ),
        "# HELP sunshine_audit_events_total Events in the audit log.",
        "# TYPE sunshine_audit_events_total counter",
        _line(
            "sunshine_audit_events_total",
            AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0,
        ),
        "# HELP sunshine_sweep_last_run_timestamp_seconds When the supervision sweep last ran.",
        "# TYPE sunshine_sweep_last_run_timestamp_seconds gauge",
        _line("sunshine_sweep_last_run_timestamp_seconds", lock.timestamp() if lock else 0),
    ]
    return "\n".join(lines) + "\n"
