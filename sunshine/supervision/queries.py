"""What the supervision screen reads: counts by status and department, and the open signals,
scoped to what the reader may see."""

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, QuerySet, Value, When

from sunshine.clocks.models import Clock, State
from sunshine.clocks.queries import Status, with_status
from sunshine.org.models import Role
from sunshine.org.permissions import departments_for, is_supervisor

from .models import Alert, Anomaly, Level, Urging


def _scope(qs: QuerySet, user: Any, field: str = "department") -> QuerySet:
    if is_supervisor(user):
        return qs
    return qs.filter(**{f"{field}__in": departments_for(user, (Role.LEADER, Role.DEPUTY_LEADER))})


def status_counts(user: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per department: how many of its clocks are in each status now (one query)."""
    qs = _scope(Clock.objects.exclude(state=State.STOPPED), user)
    rows = (
        with_status(qs, now)
        .values("department_id", "department__name", "status")
        .annotate(n=Count("pk"))
        .order_by("department__path")
    )
    order = list(Status.LABELS)
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["department_id"],
            {
                "department": row["department__name"],
                "cells": [0] * len(order),
                "total": 0,
            },
        )
        entry["cells"][order.index(row["status"])] += row["n"]
        entry["total"] += row["n"]
    return list(table.values())


def open_alerts(user: Any, level: str | None = None) -> QuerySet[Alert]:
    qs = _scope(Alert.objects.filter(state=Alert.State.OPEN), user)
    if level:
        qs = qs.filter(level=level)
    severity = Case(
        When(level=Level.RED, then=Value(0)), When(level=Level.YELLOW, then=Value(1)), default=2
    )
    return qs.select_related("clock", "department", "responsible").order_by(severity, "raised_at")


def access_alert(user: Any, pk: int) -> Alert:
    """The alert if the user may see it; another department's looks like a missing one."""
    return _scope(Alert.objects.select_related("clock", "department", "responsible"), user).get(
        pk=pk
    )


def urgings_for(user: Any) -> QuerySet[Urging]:
    """催办/督办/纠错 addressed to the user's departments, open ones first."""
    return (
        Urging.objects.filter(department__in=departments_for(user))
        .select_related("alert__clock", "department", "issued_by")
        .order_by("-state", "-issued_at")
    )


def open_anomalies(user: Any, rule: str | None = None) -> QuerySet[Anomaly]:
    qs = _scope(Anomaly.objects.filter(state=Anomaly.State.OPEN), user)
    if rule:
        qs = qs.filter(rule=rule)
    return qs.select_related("department").order_by("-occurred_at", "pk")


def access_anomaly(user: Any, pk: int) -> Anomaly:
    """The anomaly if the user may see it; another department's looks like a missing one."""
    return _scope(Anomaly.objects.select_related("department", "closed_by"), user).get(pk=pk)
