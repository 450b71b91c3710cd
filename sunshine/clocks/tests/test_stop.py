"""Stopping a running clock takes the stored due time instead of replaying the history: the
result must be what the replay gives, and the ordering rule must still hold."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sunshine.clocks import actions
from sunshine.clocks.actions import DERIVED, event_data
from sunshine.clocks.engine import ClockError, compute
from sunshine.clocks.models import Clock, PauseReason, Unit
from sunshine.workdays.calendar import get_calendar


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=ZoneInfo("Asia/Shanghai"))


def start(demo, *, limit: int, day: str) -> Clock:
    return actions.start_clock(
        demo.departments["SLS-SWJ"],
        kind="test.stop",
        title="停止计时",
        department=demo.departments["SLS-SWJ-SCYX"],
        limit=limit,
        unit=Unit.WORKDAYS,
        at=at(day),
        actor=demo.users["handler"],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("stop_day", ["2026-03-10", "2026-04-20"])
def test_stop_of_a_running_clock_equals_the_replay(demo, stop_day):
    handler, director = demo.users["handler"], demo.users["director"]
    clock = start(demo, limit=20, day="2026-01-28")
    clock = actions.pause_clock(
        clock, reason=PauseReason.EXPERT, actor=handler, at=at("2026-02-03")
    )
    clock = actions.resume_clock(clock, actor=handler, at=at("2026-02-10"))
    clock = actions.extend_clock(
        clock, amount=5, approver=director, actor=handler, at=at("2026-02-26")
    )
    with pytest.raises(ClockError, match="不能早于"):
        actions.stop_clock(clock, outcome="办结", actor=handler, at=at("2026-02-20"))
    clock = actions.stop_clock(clock, outcome="办结", actor=handler, at=at(stop_day))
    replay = compute(clock.unit, clock.initial_limit, event_data(clock), get_calendar())
    assert [getattr(clock, name) for name in DERIVED] == [getattr(replay, n) for n in DERIVED]
    assert clock.on_time is (stop_day == "2026-03-10")
    # The start and the stop are the row's own fields: only pause, resume and extension are rows.
    assert list(clock.events.values_list("kind", flat=True)) == ["pause", "resume", "extend"]


@pytest.mark.django_db
def test_a_stale_clock_is_stopped_as_the_row_now_stands(demo):
    """stop_clock trusts the clock it is given only as far as the row still matches it: one
    extended since it was read is stopped against the extended due time."""
    handler, director = demo.users["handler"], demo.users["director"]
    stale = start(demo, limit=3, day="2026-03-02")
    actions.extend_clock(
        Clock.objects.get(pk=stale.pk), amount=5, approver=director, actor=handler,
        at=at("2026-03-03"),
    )  # fmt: skip
    clock = actions.stop_clock(stale, outcome="办结", actor=handler, at=at("2026-03-09"))
    clock.refresh_from_db()
    assert (clock.state, clock.limit, clock.on_time) == ("stopped", 8, True)
    replay = compute(clock.unit, clock.initial_limit, event_data(clock), get_calendar())
    assert [getattr(clock, name) for name in DERIVED] == [getattr(replay, n) for n in DERIVED]
