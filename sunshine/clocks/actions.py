"""Moving a clock. Called from inside the domain actions (a request's reply, a step's approval),
which check the actor's permission; each call appends one event, recomputes the derived fields
from the whole history and records the change in the audit log, in the caller's transaction.
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from sunshine.audit.actions import record
from sunshine.org.models import Department
from sunshine.workdays.calendar import get_calendar

from .engine import ClockError, Computation, EventData, compute
from .models import Clock, ClockEvent, State

DERIVED = (
    "limit",
    "state",
    "due_at",
    "warn_at",
    "yellow_at",
    "remaining",
    "stopped_at",
    "outcome",
    "on_time",
    "provisional",
)


def event_data(clock: Clock) -> list[EventData]:
    return [
        EventData(
            kind=e.kind,
            at=e.at,
            amount=e.amount,
            reason=e.reason,
            note=e.note,
            actor=str(e.actor) if e.actor_id else "",
            approver=str(e.approver) if e.approver_id else "",
        )
        for e in clock.events.select_related("actor", "approver").order_by("seq")
    ]


def _apply(clock: Clock, result: Computation) -> None:
    for name in DERIVED:
        setattr(clock, name, getattr(result, name))
    clock.started_at = result.started_at


def _snapshot(clock: Clock) -> dict[str, Any]:
    return {
        "state": clock.state,
        "limit": clock.limit,
        "due_at": clock.due_at.isoformat() if clock.due_at else None,
        "remaining": clock.remaining,
        "on_time": clock.on_time,
    }


def start_clock(
    case: models.Model,
    *,
    kind: str,
    title: str,
    department: Department,
    limit: int,
    unit: str,
    at: datetime | None = None,
    legal_basis: str = "",
    note: str = "",
    actor: Any = None,
    responsible: Any = None,
) -> Clock:
    at = at or timezone.now()
    if limit <= 0:
        raise ClockError("期限必须为正数。")
    start = EventData(kind=ClockEvent.Kind.START, at=at, note=note)
    result = compute(unit, limit, [start], get_calendar())
    with transaction.atomic():
        clock = Clock(
            content_type=ContentType.objects.get_for_model(case),
            object_id=str(case.pk),
            kind=kind,
            title=title,
            department=department,
            responsible=responsible,
            legal_basis=legal_basis,
            unit=unit,
            initial_limit=limit,
        )
        _apply(clock, result)
        clock.save()
        ClockEvent.objects.create(
            clock=clock, seq=1, kind=ClockEvent.Kind.START, at=at, note=note, actor=actor
        )
        record(actor, "clocks.start", clock, after=_snapshot(clock))
    return clock


def _append(
    clock: Clock,
    kind: str,
    *,
    at: datetime | None,
    actor: Any,
    amount: int | None = None,
    reason: str = "",
    note: str = "",
    approver: Any = None,
) -> Clock:
    at = at or timezone.now()
    with transaction.atomic():
        # Lock the clock so two concurrent moves replay one after the other.
        clock = Clock.objects.select_for_update().get(pk=clock.pk)
        before = _snapshot(clock)
        new = EventData(
            kind=kind,
            at=at,
            amount=amount,
            reason=reason,
            note=note,
            approver=str(approver) if approver else "",
        )
        if kind == ClockEvent.Kind.STOP and clock.state == State.RUNNING:
            last = clock.events.aggregate(seq=Max("seq"), at=Max("at"))
            result = _stop_running(clock, new, last["at"])
        else:
            events = event_data(clock)
            result = compute(clock.unit, clock.initial_limit, [*events, new], get_calendar())
            last = {"seq": len(events)}
        seq = (last["seq"] or 0) + 1
        ClockEvent.objects.create(
            clock=clock,
            seq=seq,
            kind=kind,
            at=at,
            amount=amount,
            reason=reason,
            note=note,
            actor=actor,
            approver=approver,
        )
        _apply(clock, result)
        clock.save(update_fields=[*DERIVED, "started_at"])
        record(actor, f"clocks.{kind}", clock, before=before, after=_snapshot(clock))
    return clock


def _stop_running(clock: Clock, stop: EventData, last_at: datetime | None) -> Computation:
    """What replaying the history would give for stopping a running clock, from the stored
    fields: the running segment's deadline is the stored due time (recompute_clock keeps it
    current when the calendar changes), so nothing else of the history is needed."""
    if last_at is not None and stop.at < last_at:
        raise ClockError("计时事件的时间不能早于上一事件。")
    return Computation(
        state=State.STOPPED,
        limit=clock.limit,
        started_at=clock.started_at,
        due_at=clock.due_at,
        stopped_at=stop.at,
        outcome=stop.note,
        on_time=stop.at < clock.due_at,
    )


def pause_clock(
    clock: Clock, *, reason: str, actor: Any, at: datetime | None = None, note: str = ""
) -> Clock:
    return _append(clock, ClockEvent.Kind.PAUSE, at=at, actor=actor, reason=reason, note=note)


def resume_clock(clock: Clock, *, actor: Any, at: datetime | None = None, note: str = "") -> Clock:
    return _append(clock, ClockEvent.Kind.RESUME, at=at, actor=actor, note=note)


def restart_clock(clock: Clock, *, actor: Any, at: datetime | None = None, note: str = "") -> Clock:
    return _append(clock, ClockEvent.Kind.RESTART, at=at, actor=actor, note=note)


def extend_clock(
    clock: Clock,
    *,
    amount: int,
    approver: Any,
    actor: Any,
    at: datetime | None = None,
    note: str = "",
) -> Clock:
    if approver is None:
        raise ClockError("延长期限须有批准人。")
    return _append(
        clock,
        ClockEvent.Kind.EXTEND,
        at=at,
        actor=actor,
        amount=amount,
        approver=approver,
        note=note,
    )


def stop_clock(clock: Clock, *, outcome: str, actor: Any, at: datetime | None = None) -> Clock:
    return _append(clock, ClockEvent.Kind.STOP, at=at, actor=actor, note=outcome)


def recompute_clock(clock: Clock) -> bool:
    """Derive the stored fields again (after the calendar changed); True if anything moved."""
    with transaction.atomic():
        clock = Clock.objects.select_for_update().get(pk=clock.pk)
        before, derived = _snapshot(clock), [getattr(clock, name) for name in DERIVED]
        _apply(clock, compute(clock.unit, clock.initial_limit, event_data(clock), get_calendar()))
        if [getattr(clock, name) for name in DERIVED] == derived:
            return False
        clock.save()
        record(None, "clocks.recompute", clock, before=before, after=_snapshot(clock))
    return True


def recompute_provisional_clocks() -> int:
    """Every clock whose due date was only an estimate, recomputed; returns how many moved."""
    ids = (
        Clock.objects.filter(provisional=True)
        .exclude(state=State.STOPPED)
        .values_list("pk", flat=True)
    )
    return sum(recompute_clock(Clock(pk=pk)) for pk in list(ids))
