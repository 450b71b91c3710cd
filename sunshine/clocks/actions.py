"""Moving a clock. Called from inside the domain actions (a request's reply, a step's approval),
which check the actor's permission; each call writes the clock row (and an event row for what
happens between start and stop), derives the stored fields and records the change in the audit
log, in the caller's transaction.

The start and the stop live in the clock row itself (`started_at` and `note`, `stopped_at` and
`outcome`): starting a clock is one INSERT and stopping a running one one UPDATE, which is what
a workflow advance does to every step's clock.
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from sunshine.audit.actions import record
from sunshine.org.models import Department
from sunshine.workdays.calendar import get_calendar

from .engine import Calendar, ClockError, Computation, EventData, compute
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
Kind = ClockEvent.Kind


def event_data(clock: Clock) -> list[EventData]:
    """The clock's history: its start, the event rows in between, its stop."""
    return _history(clock)[0]


def _history(clock: Clock) -> tuple[list[EventData], int]:
    """The history and the seq the next event row takes."""
    rows = list(clock.events.select_related("actor", "approver").order_by("seq"))
    events = [EventData(kind=Kind.START, at=clock.started_at, note=clock.note)]
    events += [
        EventData(
            kind=e.kind,
            at=e.at,
            amount=e.amount,
            reason=e.reason,
            note=e.note,
            actor=str(e.actor) if e.actor_id else "",
            approver=str(e.approver) if e.approver_id else "",
        )
        for e in rows
    ]
    if clock.state == State.STOPPED:
        events.append(EventData(kind=Kind.STOP, at=clock.stopped_at, note=clock.outcome))
    return events, (rows[-1].seq + 1 if rows else 1)


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


def new_clock(
    case: models.Model,
    *,
    kind: str,
    title: str,
    department: Department | int,
    limit: int,
    unit: str,
    at: datetime | None = None,
    legal_basis: str = "",
    note: str = "",
    responsible: Any = None,
    calendar: Calendar | None = None,
) -> Clock:
    """A running clock on a saved case, its due and alert times computed, not yet saved: give
    it to `start_clocks` (with others started at once: one INSERT for them all). `department`
    may be given by id; `calendar` saves asking for it again when starting several."""
    at = at or timezone.now()
    if limit <= 0:
        raise ClockError("期限必须为正数。")
    start = EventData(kind=Kind.START, at=at, note=note)
    clock = Clock(
        content_type=ContentType.objects.get_for_model(case),
        object_id=str(case.pk),
        kind=kind,
        title=title,
        responsible=responsible,
        legal_basis=legal_basis,
        note=note,
        unit=unit,
        initial_limit=limit,
    )
    if isinstance(department, Department):
        clock.department = department
    else:
        clock.department_id = department
    _apply(clock, compute(unit, limit, [start], calendar or get_calendar()))
    return clock


_FIELDS = [f for f in Clock._meta.concrete_fields if not f.primary_key]
_INSERT = 'INSERT INTO "{}" ({}) VALUES '.format(  # noqa: S608
    Clock._meta.db_table, ", ".join(f'"{f.column}"' for f in _FIELDS)
)
_ROW = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
_DATETIMES = frozenset(f.attname for f in _FIELDS if f.get_internal_type() == "DateTimeField")


def start_clocks(clocks: list[Clock], *, actor: Any) -> list[Clock]:
    """Save clocks made by `new_clock` (one INSERT for them all) and record each start, in the
    caller's transaction. Raw SQL: every workflow step starts clocks here."""
    connection = transaction.get_connection()
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    params: list[Any] = []
    for clock in clocks:
        clock.created_at = clock.updated_at = now
        for f in _FIELDS:
            value = getattr(clock, f.attname)
            params.append(adapt(value) if f.attname in _DATETIMES else value)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_INSERT + ", ".join([_ROW] * len(clocks)) + " RETURNING id", params)
        for clock, (pk,) in zip(clocks, cursor.fetchall(), strict=True):
            clock.pk = pk
            clock._state.adding, clock._state.db = False, connection.alias
        for clock in clocks:
            record(actor, "clocks.start", clock, after=_snapshot(clock))
    return clocks


def start_clock(case: models.Model, *, actor: Any = None, **fields: Any) -> Clock:
    """Start a clock on the case: `fields` are those of `new_clock` (kind, title, department,
    limit, unit, at, legal_basis, note, responsible)."""
    return start_clocks([new_clock(case, **fields)], actor=actor)[0]


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
        events, seq = _history(clock)
        new = EventData(
            kind=kind,
            at=at,
            amount=amount,
            reason=reason,
            note=note,
            approver=str(approver) if approver else "",
        )
        result = compute(clock.unit, clock.initial_limit, [*events, new], get_calendar())
        if kind != Kind.STOP:
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
        clock.save(update_fields=[*DERIVED, "started_at", "updated_at"])
        record(actor, f"clocks.{kind}", clock, before=before, after=_snapshot(clock))
    return clock


def pause_clock(
    clock: Clock, *, reason: str, actor: Any, at: datetime | None = None, note: str = ""
) -> Clock:
    return _append(clock, Kind.PAUSE, at=at, actor=actor, reason=reason, note=note)


def resume_clock(clock: Clock, *, actor: Any, at: datetime | None = None, note: str = "") -> Clock:
    return _append(clock, Kind.RESUME, at=at, actor=actor, note=note)


def restart_clock(clock: Clock, *, actor: Any, at: datetime | None = None, note: str = "") -> Clock:
    return _append(clock, Kind.RESTART, at=at, actor=actor, note=note)


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
        clock, Kind.EXTEND, at=at, actor=actor, amount=amount, approver=approver, note=note
    )


# A running clock as read, unless it moved since (an extension, a pause, an event after `at`).
_STOP = (
    f"UPDATE \"{Clock._meta.db_table}\" SET state = '{State.STOPPED}', stopped_at = %s, "  # noqa: S608
    "outcome = %s, on_time = %s, warn_at = NULL, yellow_at = NULL, remaining = NULL, "
    f"provisional = FALSE, updated_at = %s WHERE id = %s AND state = '{State.RUNNING}' "
    'AND "limit" = %s AND due_at = %s AND NOT EXISTS (SELECT 1 FROM '
    f'"{ClockEvent._meta.db_table}" WHERE clock_id = %s AND at > %s)'
)


def stop_clock(clock: Clock, *, outcome: str, actor: Any, at: datetime | None = None) -> Clock:
    """Stop the clock. A running clock as read in this transaction stops with one guarded
    UPDATE: replaying its history would only confirm the stored due time (recompute_clock keeps
    it current when the calendar changes). If the row moved meanwhile, or was not read, the
    clock is locked and replayed."""
    at = at or timezone.now()
    if clock.state == State.RUNNING and clock.due_at is not None and at >= clock.started_at:
        stopped = Computation(
            state=State.STOPPED,
            limit=clock.limit,
            started_at=clock.started_at,
            due_at=clock.due_at,
            stopped_at=at,
            outcome=outcome,
            on_time=at < clock.due_at,
        )
        connection = transaction.get_connection()
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            now, due = adapt(timezone.now()), adapt(clock.due_at)
            values = [adapt(at), outcome, stopped.on_time, now, clock.pk, clock.limit, due]
            cursor.execute(_STOP, [*values, clock.pk, adapt(at)])
            if cursor.rowcount:
                before = _snapshot(clock)
                _apply(clock, stopped)
                record(actor, "clocks.stop", clock, before=before, after=_snapshot(clock))
                return clock
    return _append(clock, Kind.STOP, at=at, actor=actor, note=outcome)


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
