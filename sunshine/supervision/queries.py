"""What the supervision screen reads: counts by status and department, and the open signals,
scoped to what the reader may see."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from sunshine.clocks.models import Clock, State
from sunshine.clocks.queries import Status
from sunshine.org.models import Department, Role
from sunshine.org.permissions import departments_for, is_supervisor

from .cases import clocks_for, links
from .models import Alert, Anomaly, ClockTally, Level, Notification, Urging


def _scope(qs: QuerySet, user: Any, field: str = "department") -> QuerySet:
    if user is None or is_supervisor(user):
        return qs
    return qs.filter(**{f"{field}__in": departments_for(user, (Role.LEADER, Role.DEPUTY_LEADER))})


# The statuses of open clocks, in the order of Status.LABELS.
OPEN_STATUSES = [Status.RUNNING, Status.PAUSED, Status.WARNING, Status.YELLOW, Status.OVERDUE]


def _open_counts(user: Any, now: datetime | None, by_department: bool) -> dict[Any, Counter]:
    """Open clocks by status, per department or (key None) in all.

    Running and paused come from ClockTally, a handful of rows; the clocks past a threshold are
    range counts on the partial indexes of running clocks (due, yellow, prompt times), so the
    work follows the clocks near a threshold, never all of them. It relies on what the engine
    guarantees: a clock's yellow and prompt times never come after its due time.
    """
    now = now or timezone.now()
    running = _scope(Clock.objects.filter(state=State.RUNNING), user)
    # "+ 0" keeps SQLite from walking the (state, department) index of every clock to group.
    department = ExpressionWrapper(F("department_id") + 0, output_field=IntegerField())

    def count(**past: datetime) -> Counter:
        qs = running.filter(**{f"{name}__lte": now for name in past})
        if not by_department:
            return Counter({None: qs.count()})
        rows = qs.values(key=department).annotate(n=Count("pk")).values_list("key", "n")
        return Counter(dict(rows.order_by()))

    overdue = count(due_at=now)
    yellow = count(yellow_at=now) - overdue
    warning = count(warn_at=now) - count(warn_at=now, yellow_at=now)
    table: dict[Any, Counter] = {}
    tally = _scope(ClockTally.objects.all(), user, "department_id")
    for key, state, n in tally.values_list("department_id", "state").annotate(n=Sum("n")):
        cells = table.setdefault(key if by_department else None, Counter())
        cells[Status.RUNNING if state == State.RUNNING else Status.PAUSED] += n
    for status, figures in (
        (Status.OVERDUE, overdue),
        (Status.YELLOW, yellow),
        (Status.WARNING, warning),
    ):
        for key, n in figures.items():
            cells = table.setdefault(key, Counter())
            cells[status] += n
            cells[Status.RUNNING] -= n
    return table


def status_totals(user: Any = None, now: datetime | None = None) -> dict[str, int]:
    """How many open clocks are in each status now, over all the user may see (everything
    when no user is given)."""
    cells = _open_counts(user, now, by_department=False).get(None, Counter())
    return {status: cells[status] for status in OPEN_STATUSES}


def status_counts(user: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per department: how many of its clocks are in each status now."""
    table = _open_counts(user, now, by_department=True)
    names = dict(Department.objects.filter(pk__in=table).order_by("path").values_list("pk", "name"))
    rows = []
    for pk, name in names.items():
        cells = [table[pk][status] for status in OPEN_STATUSES]
        if any(cells):
            rows.append({"department": name, "cells": cells, "total": sum(cells)})
    return rows


def open_alerts(user: Any, level: str | None = None) -> QuerySet[Alert]:
    qs = _scope(Alert.objects.filter(state=Alert.State.OPEN), user)
    if level:
        qs = qs.filter(level=level)
    severity = Case(
        When(level=Level.RED, then=Value(0)), When(level=Level.YELLOW, then=Value(1)), default=2
    )
    return (
        qs.select_related("clock", "department", "responsible")
        .prefetch_related(_latest_urgings())
        .order_by(severity, "raised_at")
    )


def _latest_urgings() -> Prefetch:
    """Each alert's 催办/督办/纠错, latest first (`urging_list`), for the list to show the
    last one's state: a single query for the page."""
    return Prefetch("urgings", Urging.objects.order_by("-issued_at", "-pk"), to_attr="urging_list")


def access_alert(user: Any, pk: int) -> Alert:
    """The alert if the user may see it; another department's looks like a missing one."""
    return _scope(Alert.objects.select_related("clock", "department", "responsible"), user).get(
        pk=pk
    )


def urgings_for(user: Any) -> QuerySet[Urging]:
    """催办/督办/纠错 addressed to the user's departments or on a case the user answers for
    (`cases.clocks_for`), open ones first: one query."""
    answered = Clock.objects.filter(clocks_for(user)).values("pk")
    return (
        Urging.objects.filter(
            Q(department__in=departments_for(user)) | Q(alert__clock__in=answered)
        )
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


def unread_notifications(user: Any) -> QuerySet[Notification]:
    """The person's unread notifications, newest first, each with its alert's clock at hand
    for `with_pages`."""
    return (
        user.notifications.filter(read_at__isnull=True)
        .select_related("alert__clock", "urging")
        .order_by("-created_at", "-pk")
    )


def with_pages(notifications: Iterable[Notification]) -> list[Notification]:
    """The notifications, each with the page it leads to (`page`, empty when there is none):
    the staff page of the case its alert's clock runs on (`cases.links`, a query per kind of
    case); for the issuer of a 催办/督办 told of its answer, the alert, where the answer is read
    and the alert closed or urged again."""
    notifications = list(notifications)
    pages = links(n.alert.clock for n in notifications if n.alert_id)
    for notification in notifications:
        if not notification.alert_id:
            notification.page = ""
        elif notification.urging_id and notification.urging.issued_by_id == (
            notification.recipient_id
        ):
            notification.page = reverse("supervision:alert", args=[notification.alert_id])
        else:
            notification.page = pages.get(notification.alert.clock_id, "")
    return notifications
