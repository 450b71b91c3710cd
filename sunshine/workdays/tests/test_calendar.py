"""The engine against chinesecalendar's data, without a database."""

from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sunshine.workdays.calendar import FIRST_DAY, LAST_DAY, WorkCalendar
from sunshine.workdays.seeding import chinesecalendar_schedule

from . import reference

SCHEDULE = chinesecalendar_schedule()
CALENDAR = WorkCalendar([day for days in SCHEDULE.values() for day in days], SCHEDULE)

known_dates = st.dates(date(2004, 1, 1), date(2026, 12, 31))
counts = st.integers(-60, 60)
examples = settings(max_examples=150, deadline=None)


def test_every_day_matches_chinesecalendar():
    d = date(2003, 1, 1)
    while d <= date(2027, 12, 31):
        assert CALENDAR.is_workday(d) == reference.is_workday(d), d
        d += timedelta(days=1)


def test_years_without_a_schedule_count_weekends_only():
    days = np.arange(FIRST_DAY, LAST_DAY + timedelta(days=1), dtype="datetime64[D]")
    years = days.astype("datetime64[Y]").astype(int) + 1970
    outside = (years < 2004) | (years > 2026)
    weekday = (days.view(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    assert np.array_equal(CALENDAR.is_work[outside], weekday[outside] < 5)


@examples
@given(known_dates)
def test_is_workday(d):
    assert CALENDAR.is_workday(d) == reference.is_workday(d)


@examples
@given(known_dates, counts)
def test_add_workdays(d, n):
    assert CALENDAR.add_workdays(d, n) == reference.add_workdays(d, n)


@examples
@given(known_dates, st.integers(-150, 150))
def test_workdays_between(a, offset):
    b = a + timedelta(days=offset)
    assert CALENDAR.workdays_between(a, b) == reference.workdays_between(a, b)


@examples
@given(known_dates, st.integers(0, 60))
def test_workdays_between_undoes_add_workdays(d, n):
    assert CALENDAR.workdays_between(d, CALENDAR.add_workdays(d, n)) == n


@examples
@given(st.lists(st.tuples(known_dates, counts), min_size=1, max_size=20))
def test_add_workdays_many(pairs):
    dates = np.array([d for d, _ in pairs], dtype="datetime64[D]")
    ns = np.array([n for _, n in pairs])
    expected = np.array([reference.add_workdays(d, n) for d, n in pairs], dtype="datetime64[D]")
    assert np.array_equal(CALENDAR.add_workdays_many(dates, ns), expected)


def test_add_workdays_many_equals_the_scalar_version_across_the_range():
    rng = np.random.default_rng(20260128)
    first = np.datetime64(date(2000, 3, 1))
    dates = first + rng.integers(0, 36_300, size=5_000)
    ns = rng.integers(-40, 41, size=5_000)
    many = CALENDAR.add_workdays_many(dates, ns)
    for d, n, result in zip(dates.tolist(), ns.tolist(), many.tolist(), strict=True):
        assert CALENDAR.add_workdays(d, n) == result


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Spring Festival 2026: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked.
        (date(2026, 1, 28), 20, date(2026, 3, 3)),
        (date(2026, 3, 3), -20, date(2026, 1, 28)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        # National Day 2025: 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked.
        (date(2025, 9, 26), 1, date(2025, 9, 28)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 10, 10), 1, date(2025, 10, 11)),
        (date(2025, 10, 5), -1, date(2025, 9, 30)),
        (date(2025, 10, 5), -3, date(2025, 9, 28)),
        # Year boundaries: 2026-01-01..03 off and Sunday 01-04 worked; 2025-01-01 off.
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2024, 12, 31), 1, date(2025, 1, 2)),
        (date(2025, 1, 2), -1, date(2024, 12, 31)),
        # n = 0 is the start day itself, even a holiday.
        (date(2026, 2, 17), 0, date(2026, 2, 17)),
        # A Saturday start counts Monday as the first day; a negative count, Friday.
        (date(2025, 3, 8), 1, date(2025, 3, 10)),
        (date(2025, 3, 8), 5, date(2025, 3, 14)),
        (date(2025, 3, 8), -1, date(2025, 3, 7)),
        (date(2025, 3, 10), -1, date(2025, 3, 7)),
    ],
)
def test_add_workdays_examples(start, n, due):
    assert CALENDAR.add_workdays(start, n) == due
    many = CALENDAR.add_workdays_many(np.array([start], "datetime64[D]"), np.array([n]))
    assert many[0] == np.datetime64(due)


def test_saturday_start_differs_from_find_workday():
    saturday = date(2025, 3, 8)
    assert chinese_calendar.find_workday(1, saturday) == date(2025, 3, 11)
    assert CALENDAR.add_workdays(saturday, 1) == date(2025, 3, 10)


def test_adjusted_saturdays_are_workdays():
    assert CALENDAR.is_workday(date(2026, 2, 14))
    assert CALENDAR.is_workday(date(2026, 2, 28))
    assert CALENDAR.is_workday(date(2025, 9, 28))
    assert CALENDAR.is_workday(date(2025, 10, 11))
    assert not CALENDAR.is_workday(date(2025, 10, 8))


def test_workdays_between_examples():
    assert CALENDAR.workdays_between(date(2026, 1, 28), date(2026, 3, 3)) == 20
    assert CALENDAR.workdays_between(date(2026, 3, 3), date(2026, 1, 28)) == -20
    assert CALENDAR.workdays_between(date(2026, 2, 17), date(2026, 2, 17)) == 0
    assert CALENDAR.workdays_between(date(2025, 12, 31), date(2026, 1, 5)) == 2


def test_holiday_stretches():
    assert CALENDAR.holiday_stretches(date(2026, 1, 28), date(2026, 3, 3)) == [
        (date(2026, 2, 15), date(2026, 2, 23), "春节")
    ]
    # Cut by the window, the stretch keeps its name; plain weekends are not listed.
    assert CALENDAR.holiday_stretches(date(2026, 2, 18), date(2026, 2, 20)) == [
        (date(2026, 2, 19), date(2026, 2, 20), "春节")
    ]
    assert CALENDAR.holiday_stretches(date(2026, 3, 1), date(2026, 3, 31)) == []
    # Two holidays in one break.
    assert CALENDAR.holiday_stretches(date(2023, 9, 1), date(2023, 10, 31)) == [
        (date(2023, 9, 29), date(2023, 10, 6), "中秋、国庆节")
    ]
    assert CALENDAR.holiday_stretches(date(2026, 3, 3), date(2026, 1, 28)) == []


def test_adjusted_workdays():
    assert CALENDAR.adjusted_workdays(date(2026, 1, 28), date(2026, 3, 3)) == [
        (date(2026, 2, 14), "春节"),
        (date(2026, 2, 28), "春节"),
    ]
    assert CALENDAR.adjusted_workdays(date(2025, 9, 1), date(2025, 10, 31)) == [
        (date(2025, 9, 28), "国庆节"),
        (date(2025, 10, 11), "国庆节"),
    ]


def test_provisional_years():
    assert not CALENDAR.is_provisional(date(2026, 12, 31))
    assert CALENDAR.is_provisional(date(2027, 1, 1))
    assert CALENDAR.known_years == frozenset(range(2004, 2027))


@pytest.mark.parametrize(
    "call",
    [
        lambda: CALENDAR.is_workday(date(1999, 12, 31)),
        lambda: CALENDAR.is_provisional(date(2100, 1, 1)),
        lambda: CALENDAR.add_workdays(date(2099, 12, 31), 1),
        lambda: CALENDAR.add_workdays(date(2000, 1, 3), -1),
        lambda: CALENDAR.workdays_between(date(2026, 1, 1), date(2100, 1, 1)),
        lambda: CALENDAR.add_workdays_many(
            np.array(["2100-01-01"], "datetime64[D]"), np.array([1])
        ),
        lambda: CALENDAR.add_workdays_many(
            np.array(["2099-12-31"], "datetime64[D]"), np.array([1])
        ),
    ],
)
def test_outside_the_range(call):
    with pytest.raises(ValueError, match="超出工作日历的范围"):
        call()
