"""Due dates from a clock's history: a pure function of its events and the working-day calendar.

Counting follows Chinese law: the day of the triggering event does not count (期间开始的当日不计入),
and a limit of N working days ends at the end of the N-th working day after it. Periods the law
excludes (补正, 征求意见, 鉴定…) are pauses: the units used before the pause are kept and the count
goes on from the day of resumption, which again does not count. A restart (as after 补正 under
条例第三十条) begins the full count afresh. Hours run on the wall clock, to the minute.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import ClockEvent, State, Unit

Kind = ClockEvent.Kind


class Calendar(Protocol):
    def add_workdays(self, d: date, n: int) -> date: ...
    def workdays_between(self, a: date, b: date) -> int: ...
    def is_provisional(self, d: date) -> bool: ...


class ClockError(ValueError):
    """An event that cannot happen in the clock's present state (message in Chinese)."""


@dataclass(frozen=True)
class EventData:
    kind: str
    at: datetime
    amount: int | None = None
    reason: str = ""
    note: str = ""
    actor: str = ""
    approver: str = ""


@dataclass(frozen=True)
class Segment:
    """A stretch during which the clock ran: from `start` (not counted) to `end` or the due time."""

    start: datetime
    end: datetime | None


@dataclass
class Computation:
    state: str
    limit: int
    started_at: datetime
    due_at: datetime | None = None
    warn_at: datetime | None = None
    yellow_at: datetime | None = None
    remaining: int | None = None
    stopped_at: datetime | None = None
    outcome: str = ""
    on_time: bool | None = None
    provisional: bool = False
    segments: list[Segment] = field(default_factory=list)

    @property
    def due_date(self) -> date | None:
        """The last day of the limit, for day units (due_at is the midnight that ends it)."""
        if self.due_at is None:
            return None
        return (local(self.due_at) - timedelta(microseconds=1)).date()


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    return moment.astimezone(tz())


def end_of_day(d: date) -> datetime:
    """The midnight that ends day d, in the local time zone."""
    return datetime.combine(d + timedelta(days=1), time.min, tzinfo=tz())


class _Axis:
    """Measures and adds units of one kind; grains are days, or minutes for hours."""

    def __init__(self, unit: str, calendar: Calendar) -> None:
        self.unit = unit
        self.calendar = calendar

    def grains(self, amount: int) -> int:
        return amount * 60 if self.unit == Unit.HOURS else amount

    def used(self, start: datetime, end: datetime) -> int:
        if self.unit == Unit.HOURS:
            return int((end - start).total_seconds() // 60)
        a, b = local(start).date(), local(end).date()
        if self.unit == Unit.WORKDAYS:
            return self.calendar.workdays_between(a, b)
        return (b - a).days

    def deadline(self, start: datetime, remaining: int) -> datetime:
        if self.unit == Unit.HOURS:
            return start + timedelta(minutes=remaining)
        d = local(start).date()
        if self.unit == Unit.WORKDAYS:
            return end_of_day(self.calendar.add_workdays(d, remaining))
        return end_of_day(d + timedelta(days=remaining))

    def warning(self, due: datetime) -> datetime:
        """One unit before the due time: for working days, the end of the previous working day."""
        if self.unit == Unit.HOURS:
            return due - timedelta(hours=1)
        last_day = (local(due) - timedelta(microseconds=1)).date()
        if self.unit == Unit.WORKDAYS:
            return end_of_day(self.calendar.add_workdays(last_day, -1))
        return end_of_day(last_day - timedelta(days=1))

    def yellow(self, start: datetime, total: int, used: int, share: float) -> datetime:
        """黄牌: when `share` of the whole limit is used, or when the due day is reached."""
        due = self.deadline(start, total - used)
        at_share = self.deadline(start, max(0, math.ceil(total * share) - used))
        if self.unit == Unit.HOURS:
            return min(at_share, due)
        return min(at_share, due - timedelta(days=1))

    def provisional(self, start: datetime, due: datetime) -> bool:
        if self.unit != Unit.WORKDAYS:
            return False
        first, last = local(start).date(), local(due).date()
        return any(
            self.calendar.is_provisional(date(year, 1, 1))
            for year in range(first.year, last.year + 1)
        )


def yellow_share() -> float:
    """The share of a limit after which a running clock shows a yellow card (settings)."""
    return float(getattr(settings, "CLOCK_YELLOW_SHARE", 0.8))


def compute(
    unit: str,
    limit: int,
    events: list[EventData],
    calendar: Calendar,
    share: float | None = None,
) -> Computation:
    """Replay the events; raise ClockError at the first one that cannot happen."""
    if not events or events[0].kind != Kind.START:
        raise ClockError("计时必须以“起算”开始。")
    axis = _Axis(unit, calendar)
    start = events[0].at
    result = Computation(state=State.RUNNING, limit=limit, started_at=start)
    total = axis.grains(limit)
    used = 0
    segment_start: datetime | None = start
    previous = start

    for event in events[1:]:
        if event.at < previous:
            raise ClockError("计时事件的时间不能早于上一事件。")
        previous = event.at
        if result.state == State.STOPPED:
            raise ClockError("计时已结束，不能再变更。")
        if event.kind == Kind.PAUSE:
            if segment_start is None:
                raise ClockError("计时已暂停，不能重复暂停。")
            used += axis.used(segment_start, event.at)
            result.segments.append(Segment(segment_start, event.at))
            segment_start = None
        elif event.kind == Kind.RESUME:
            if segment_start is not None:
                raise ClockError("计时未暂停，无需恢复。")
            segment_start = event.at
        elif event.kind == Kind.RESTART:
            if segment_start is not None:
                result.segments.append(Segment(segment_start, event.at))
            used, segment_start = 0, event.at
        elif event.kind == Kind.EXTEND:
            if not event.amount or event.amount <= 0:
                raise ClockError("延长的时限必须为正数。")
            result.limit += event.amount
            total += axis.grains(event.amount)
        elif event.kind == Kind.STOP:
            if segment_start is not None:
                due = axis.deadline(segment_start, total - used)
                result.on_time = event.at < due
                result.segments.append(Segment(segment_start, event.at))
                result.due_at = due
            else:
                result.on_time = True
            result.state = State.STOPPED
            result.stopped_at = event.at
            result.outcome = event.note
        else:
            raise ClockError(f"未知的计时事件：{event.kind}")

    if result.state == State.STOPPED:
        return result
    if segment_start is None:
        result.state = State.PAUSED
        result.remaining = total - used
        return result
    result.due_at = axis.deadline(segment_start, total - used)
    result.warn_at = axis.warning(result.due_at)
    result.yellow_at = axis.yellow(
        segment_start, total, used, yellow_share() if share is None else share
    )
    result.segments.append(Segment(segment_start, None))
    result.provisional = axis.provisional(start, result.due_at)
    return result
