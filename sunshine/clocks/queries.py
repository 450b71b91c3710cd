"""Reads over clocks: status at any moment as one indexed query, and the officer's open clocks."""

from datetime import datetime

from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunshine.workdays.calendar import get_calendar

from .engine import compute
from .explain import explain
from .models import Clock, State


class Status:
    RUNNING = "running"
    PAUSED = "paused"
    WARNING = "warning"
    YELLOW = "yellow"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"

    LABELS = {
        RUNNING: _("正常"),
        PAUSED: _("暂停"),
        WARNING: _("预警"),
        YELLOW: _("黄牌"),
        OVERDUE: _("超期"),
        DONE_ON_TIME: _("按期办结"),
        DONE_LATE: _("超期办结"),
    }
    # For the public (an applicant's own page): 预警 and 黄牌 are the supervision office's
    # signals, not a state of the case.
    PUBLIC_LABELS = {
        **LABELS,
        RUNNING: _("办理中"),
        WARNING: _("办理中"),
        YELLOW: _("办理中"),
        OVERDUE: _("已超期"),
    }


def with_status(qs: QuerySet[Clock], now: datetime | None = None) -> QuerySet[Clock]:
    """Annotate `status` from the stored due and alert times: no Python loop, no sweep needed.

    The most severe level reached wins: 超期 (红牌) over 黄牌 over 预警.
    """
    now = now or timezone.now()
    return qs.annotate(
        status=Case(
            When(state=State.STOPPED, on_time=True, then=Value(Status.DONE_ON_TIME)),
            When(state=State.STOPPED, then=Value(Status.DONE_LATE)),
            When(state=State.PAUSED, then=Value(Status.PAUSED)),
            When(due_at__lte=now, then=Value(Status.OVERDUE)),
            When(yellow_at__lte=now, then=Value(Status.YELLOW)),
            When(warn_at__lte=now, then=Value(Status.WARNING)),
            default=Value(Status.RUNNING),
            output_field=CharField(),
        )
    )


def explain_clock(clock: Clock) -> list[str]:
    from .actions import event_data

    calendar = get_calendar()
    events = event_data(clock)
    result = compute(clock.unit, clock.initial_limit, events, calendar)
    return explain(clock.unit, clock.initial_limit, clock.legal_basis, events, result, calendar)


def status_totals(qs: QuerySet[Clock] | None = None, now: datetime | None = None) -> dict[str, int]:
    """How many open clocks are in each status now.

    Each figure is a range count on a partial index of running clocks (due, yellow, prompt
    times), so the work follows the clocks near a threshold rather than every clock; only the
    total of running clocks is a count over an index of them all. It relies on what the engine
    guarantees: a clock's yellow and prompt times never come after its due time.
    """
    now = now or timezone.now()
    qs = Clock.objects.all() if qs is None else qs
    running = qs.filter(state=State.RUNNING)
    overdue = running.filter(due_at__lte=now).count()
    yellow = running.filter(yellow_at__lte=now).count() - overdue
    prompted = running.filter(warn_at__lte=now)
    warning = prompted.count() - prompted.filter(yellow_at__lte=now).count()
    return {
        Status.RUNNING: running.count() - overdue - yellow - warning,
        Status.WARNING: warning,
        Status.YELLOW: yellow,
        Status.OVERDUE: overdue,
        Status.PAUSED: qs.filter(state=State.PAUSED).count(),
    }
