"""The Clock engine: due dates on the working-day calendar, pauses, restarts, extensions, stops."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from sunshine.clocks import actions
from sunshine.clocks.engine import ClockError, EventData, Kind, compute
from sunshine.clocks.models import Clock, PauseReason, State, Unit
from sunshine.clocks.queries import Status, explain_clock, with_status
from sunshine.workdays.calendar import get_calendar

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


def due_date(result) -> date:
    return result.due_date


@pytest.mark.django_db
def test_twenty_workdays_across_the_spring_festival():
    result = compute(Unit.WORKDAYS, 20, [EventData(Kind.START, at("2026-01-28"))], get_calendar())
    # 2026-02-14 and 2026-02-28 are worked Saturdays, 2026-02-15..23 the holiday.
    assert due_date(result) == date(2026, 3, 3)
    assert result.due_at == datetime(2026, 3, 4, tzinfo=TZ)
    # The warning comes one working day before: at the end of 2026-03-02.
    assert result.warn_at == datetime(2026, 3, 3, tzinfo=TZ)
    assert result.state == State.RUNNING and not result.provisional


@pytest.mark.django_db
def test_start_day_does_not_count_even_on_a_weekend():
    cal = get_calendar()
    saturday = compute(Unit.WORKDAYS, 1, [EventData(Kind.START, at("2026-03-07"))], cal)
    assert due_date(saturday) == date(2026, 3, 9)  # Monday is the first working day after
    friday = compute(Unit.WORKDAYS, 1, [EventData(Kind.START, at("2026-03-06", 23, 59))], cal)
    assert due_date(friday) == date(2026, 3, 9)


@pytest.mark.django_db
def test_pause_keeps_used_days_and_resumes_from_the_next_day():
    cal = get_calendar()
    events = [
        EventData(Kind.START, at("2026-03-02")),  # Monday
        EventData(Kind.PAUSE, at("2026-03-06"), reason=PauseReason.THIRD_PARTY),  # 4 used
    ]
    paused = compute(Unit.WORKDAYS, 20, events, cal)
    assert paused.state == State.PAUSED and paused.remaining == 16 and paused.due_at is None
    resumed = compute(Unit.WORKDAYS, 20, [*events, EventData(Kind.RESUME, at("2026-03-16"))], cal)
    assert resumed.state == State.RUNNING
    assert due_date(resumed) == cal.add_workdays(date(2026, 3, 16), 16)
    # Pausing and resuming on the same day changes nothing.
    same = compute(
        Unit.WORKDAYS,
        20,
        [
            EventData(Kind.START, at("2026-03-02")),
            EventData(Kind.PAUSE, at("2026-03-06")),
            EventData(Kind.RESUME, at("2026-03-06", 15)),
        ],
        cal,
    )
    assert due_date(same) == cal.add_workdays(date(2026, 3, 2), 20)


@pytest.mark.django_db
def test_restart_counts_afresh_and_extension_adds():
    cal = get_calendar()
    events = [
        EventData(Kind.START, at("2026-03-02")),
        EventData(Kind.PAUSE, at("2026-03-04"), reason=PauseReason.CORRECTION),
        EventData(Kind.RESTART, at("2026-03-20"), note="补正材料已收到"),
    ]
    restarted = compute(Unit.WORKDAYS, 20, events, cal)
    assert due_date(restarted) == cal.add_workdays(date(2026, 3, 20), 20)
    extended = compute(
        Unit.WORKDAYS,
        20,
        [*events, EventData(Kind.EXTEND, at("2026-04-10"), amount=20, approver="陈国强")],
        cal,
    )
    assert extended.limit == 40
    assert due_date(extended) == cal.add_workdays(date(2026, 3, 20), 40)


@pytest.mark.django_db
def test_stop_on_time_and_late():
    cal = get_calendar()
    start = EventData(Kind.START, at("2026-03-02"))
    on_time = compute(
        Unit.WORKDAYS, 5, [start, EventData(Kind.STOP, at("2026-03-09", 23, 59))], cal
    )
    assert on_time.state == State.STOPPED and on_time.on_time
    late = compute(Unit.WORKDAYS, 5, [start, EventData(Kind.STOP, at("2026-03-10", 0, 1))], cal)
    assert late.on_time is False


@pytest.mark.django_db
def test_hours_and_natural_days():
    cal = get_calendar()
    hours = compute(
        Unit.HOURS,
        2,
        [
            EventData(Kind.START, at("2026-02-16", 10)),  # a holiday: hours run regardless
            EventData(Kind.PAUSE, at("2026-02-16", 11)),
            EventData(Kind.RESUME, at("2026-02-16", 13, 30)),
        ],
        cal,
    )
    assert hours.due_at == at("2026-02-16", 14, 30)
    assert hours.warn_at == at("2026-02-16", 13, 30)
    days = compute(Unit.NATURAL_DAYS, 15, [EventData(Kind.START, at("2026-02-10"))], cal)
    assert due_date(days) == date(2026, 2, 25)


@pytest.mark.django_db
def test_impossible_events_are_refused():
    cal = get_calendar()
    start = EventData(Kind.START, at("2026-03-02"))
    with pytest.raises(ClockError, match="重复暂停"):
        compute(
            Unit.WORKDAYS,
            5,
            [
                start,
                EventData(Kind.PAUSE, at("2026-03-03")),
                EventData(Kind.PAUSE, at("2026-03-04")),
            ],
            cal,
        )
    with pytest.raises(ClockError, match="未暂停"):
        compute(Unit.WORKDAYS, 5, [start, EventData(Kind.RESUME, at("2026-03-03"))], cal)
    with pytest.raises(ClockError, match="已结束"):
        compute(
            Unit.WORKDAYS,
            5,
            [
                start,
                EventData(Kind.STOP, at("2026-03-03")),
                EventData(Kind.EXTEND, at("2026-03-04"), amount=1),
            ],
            cal,
        )
    with pytest.raises(ClockError, match="早于"):
        compute(Unit.WORKDAYS, 5, [start, EventData(Kind.PAUSE, at("2026-03-01"))], cal)
    with pytest.raises(ClockError, match="正数"):
        compute(Unit.WORKDAYS, 5, [start, EventData(Kind.EXTEND, at("2026-03-03"), amount=0)], cal)


@pytest.mark.django_db
def test_beyond_the_known_years_is_provisional():
    result = compute(Unit.WORKDAYS, 20, [EventData(Kind.START, at("2026-12-20"))], get_calendar())
    assert result.provisional
    assert due_date(result).year == 2027


def test_deadline_command_prints_the_due_date_first(db):
    out = StringIO()
    call_command("deadline", "2026-01-28", "20", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2026-03-03"
    text = "\n".join(lines)
    assert "春节" in text and "2026-02-15 至 2026-02-23" in text
    assert "2026-02-14（星期六）为春节调休上班日" in text
    assert "截止：2026-03-03（星期二）当日结束" in text
    out = StringIO()
    call_command("deadline", "2026-02-16T10:00", "4", "--hours", stdout=out)
    assert out.getvalue().splitlines()[0] == "2026-02-16T14:00+08:00"
    out = StringIO()
    call_command("deadline", "2026-01-28", "15", "--natural-days", stdout=out)
    assert out.getvalue().splitlines()[0] == "2026-02-12"
    with pytest.raises(CommandError, match="无法识别"):
        call_command("deadline", "28/01/2026", "20")
    with pytest.raises(CommandError, match="正数"):
        call_command("deadline", "2026-01-28", "0")


@pytest.fixture
def case(demo):
    """Any model can carry a clock; the tests hang theirs on a department."""
    return demo.departments["SLS-SWJ"]


@pytest.mark.django_db
def test_actions_store_derived_fields_history_and_audit(demo, case):
    from sunshine.audit.models import AuditEvent

    handler, director = demo.users["handler"], demo.users["director"]
    clock = actions.start_clock(
        case,
        kind="foi.reply",
        title="依申请公开答复",
        department=demo.departments["SLS-SWJ-SCYX"],
        limit=20,
        unit=Unit.WORKDAYS,
        at=at("2026-01-28"),
        actor=handler,
        legal_basis="《政府信息公开条例》第三十三条",
        note="收到申请",
    )
    assert clock.due_label == "2026-03-03"
    clock = actions.pause_clock(
        clock, reason=PauseReason.THIRD_PARTY, actor=handler, at=at("2026-02-03")
    )
    assert clock.state == State.PAUSED and clock.due_at is None
    clock = actions.resume_clock(clock, actor=handler, at=at("2026-02-10"))
    clock = actions.extend_clock(
        clock, amount=20, approver=director, actor=handler, at=at("2026-02-26"), note="情形复杂"
    )
    clock = actions.stop_clock(clock, outcome="予以公开", actor=handler, at=at("2026-03-20"))
    assert clock.state == State.STOPPED and clock.on_time and clock.outcome == "予以公开"
    # The start and the stop are kept in the row; the history replays them all the same.
    assert list(clock.events.values_list("kind", flat=True)) == ["pause", "resume", "extend"]
    assert [e.kind for e in actions.event_data(clock)] == [
        "start",
        "pause",
        "resume",
        "extend",
        "stop",
    ]
    assert (
        AuditEvent.objects.filter(object_type="clocks.clock", object_id=str(clock.pk)).count() == 5
    )
    text = "\n".join(explain_clock(clock))
    assert "征求第三方意见" in text and "批准人：陈国强" in text and "按期办结" in text
    assert "收到申请" in text and "结束（予以公开）" in text
    with pytest.raises(ClockError):
        actions.pause_clock(clock, reason=PauseReason.OTHER, actor=handler)
    with pytest.raises(ClockError, match="批准人"):
        actions.extend_clock(clock, amount=1, approver=None, actor=handler)


@pytest.mark.django_db
def test_status_of_every_clock_in_one_query(demo, case, django_assert_num_queries):
    dept = demo.departments["SLS-SWJ-SCYX"]

    def start(day, limit=20):
        return actions.start_clock(
            case, kind="t", title=day, department=dept, limit=limit, unit=Unit.WORKDAYS, at=at(day)
        )

    running, overdue = start("2026-03-02"), start("2026-02-02", 3)
    warning = start("2026-03-04", 3)  # due Monday 03-09: the prompt came at the end of Friday
    yellow = start("2026-03-02", 5)  # due 03-09 too, but 4 of its 5 days (80 %) are used
    paused = actions.pause_clock(
        start("2026-03-02"), reason=PauseReason.EXPERT, actor=None, at=at("2026-03-03")
    )
    done = actions.stop_clock(start("2026-03-02"), outcome="办结", actor=None, at=at("2026-03-04"))
    late = actions.stop_clock(
        start("2026-02-02", 1), outcome="办结", actor=None, at=at("2026-03-04")
    )
    now = at("2026-03-08", 9)  # a Sunday
    with django_assert_num_queries(1):
        status = dict(with_status(Clock.objects.filter(kind="t"), now).values_list("pk", "status"))
    assert status == {
        running.pk: Status.RUNNING,
        warning.pk: Status.WARNING,
        yellow.pk: Status.YELLOW,
        overdue.pk: Status.OVERDUE,
        paused.pk: Status.PAUSED,
        done.pk: Status.DONE_ON_TIME,
        late.pk: Status.DONE_LATE,
    }


@pytest.mark.django_db
def test_yellow_card_at_the_share_or_on_the_due_day(settings):
    cal = get_calendar()
    start = [EventData(Kind.START, at("2026-03-02"))]
    twenty = compute(Unit.WORKDAYS, 20, start, cal)
    assert twenty.yellow_at == datetime(2026, 3, 25, tzinfo=TZ)  # end of the 16th working day
    settings.CLOCK_YELLOW_SHARE = 1.0
    assert compute(Unit.WORKDAYS, 20, start, cal).yellow_at == datetime(2026, 3, 30, tzinfo=TZ)
    hours = compute(Unit.HOURS, 10, [EventData(Kind.START, at("2026-03-02", 8))], cal, share=0.5)
    assert hours.yellow_at == at("2026-03-02", 13)


@pytest.mark.django_db
def test_entering_a_year_turns_estimates_into_due_dates(demo, case):
    from sunshine.clocks.tasks import recompute_provisional
    from sunshine.workdays.models import CalendarYear, SpecialDay

    clock = actions.start_clock(
        case,
        kind="t",
        title="跨年",
        department=case,
        limit=20,
        unit=Unit.WORKDAYS,
        at=at("2026-12-20"),
    )
    assert clock.provisional
    assert clock.due_label == "2027-01-15"  # weekends only, 2027-01-01 counted as a working day
    year = CalendarYear.objects.create(year=2027, source="admin")
    SpecialDay.objects.create(year=year, date=date(2027, 1, 1), kind="holiday", name="元旦")
    recompute_provisional.enqueue()
    clock.refresh_from_db()
    assert not clock.provisional
    assert clock.due_label == "2027-01-18"
