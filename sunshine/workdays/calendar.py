"""The Chinese working-day calendar: the public API deadlines are counted with.

Monday to Friday are working days, except statutory holidays (法定节假日); weekend days named
by the State Council's notice are worked (调休上班). Counting follows the law: the day a period
starts does not count (期间开始的当日不计入), so `add_workdays(d, n)` is the n-th working day
strictly after `d`, whatever `d` itself is.

Years without a CalendarYear row are provisional: they count weekends only, and callers show
deadlines touching them as 预计 (`is_provisional`).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

import numpy as np
from django.db import connection

from .models import FIRST_YEAR, LAST_YEAR, CalendarYear, SpecialDay
from .triggers import REVISION

FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
_SIZE = (LAST_DAY - FIRST_DAY).days + 1
# Days from 1970-01-01, as datetime64[D] counts them.
_ORIGIN_DAYS = np.datetime64(FIRST_DAY, "D").astype(np.int64)


class SpecialDate(NamedTuple):
    """An exception to the Monday–Friday rule, as a SpecialDay row holds it."""

    day: date
    kind: str
    name: str


def _index(d: date) -> int:
    i = (d - FIRST_DAY).days
    if not 0 <= i < _SIZE:
        raise ValueError(f"日期 {d} 超出工作日历的范围（{FIRST_DAY} 至 {LAST_DAY}）。")
    return i


def _day(i: int) -> date:
    return FIRST_DAY + timedelta(days=int(i))


class WorkCalendar:
    """Working days from FIRST_DAY to LAST_DAY as arrays, so every question is an index lookup.

    Day i is `FIRST_DAY + i`. `is_work[i]`: day i is worked; `cum[i]`: working days in
    [FIRST_DAY, day i]; `nth[k]`: the index of the (k + 1)-th working day. The n-th working day
    after day i is then `nth[cum[i] + n - 1]`, for any n, in constant time.
    """

    def __init__(
        self, special_days: Iterable[tuple[date, str, str]], known_years: Iterable[int]
    ) -> None:
        self.known_years = frozenset(known_years)
        self._is_weekend = (np.arange(_SIZE) + FIRST_DAY.weekday()) % 7 >= 5
        is_work = ~self._is_weekend
        self._holiday_names: dict[int, str] = {}
        self._workday_names: dict[int, str] = {}
        for day, kind, name in special_days:
            i = _index(day)
            if kind == SpecialDay.Kind.HOLIDAY:
                is_work[i] = False
                self._holiday_names[i] = name
            elif kind == SpecialDay.Kind.WORKDAY:
                is_work[i] = True
                self._workday_names[i] = name
            else:
                raise ValueError(f"未知的特殊日期类型：{kind!r}")
        self.is_work = is_work
        self.cum = np.cumsum(is_work, dtype=np.int64)
        self.nth = np.flatnonzero(is_work)
        # Shared by every thread of the process: make accidental writes fail loudly.
        for array in (self._is_weekend, self.is_work, self.cum, self.nth):
            array.setflags(write=False)

    def _nth_day(self, k: int) -> date:
        if not 0 <= k < self.nth.size:
            raise ValueError(f"计算结果超出工作日历的范围（{FIRST_DAY} 至 {LAST_DAY}）。")
        return _day(self.nth[k])

    def is_workday(self, d: date) -> bool:
        return bool(self.is_work[_index(d)])

    def is_provisional(self, d: date) -> bool:
        _index(d)
        return d.year not in self.known_years

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (n < 0: before d); d itself when n == 0."""
        i = _index(d)
        if n == 0:
            return d
        if n > 0:
            return self._nth_day(int(self.cum[i]) + n - 1)
        return self._nth_day(int(self.cum[i]) - int(self.is_work[i]) + n)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; minus those in (b, a] when b < a."""
        return int(self.cum[_index(b)] - self.cum[_index(a)])

    def add_workdays_many(self, dates: np.ndarray, ns: np.ndarray) -> np.ndarray:
        """`add_workdays` over same-shaped arrays of datetime64[D] dates and int counts."""
        i = np.asarray(dates, dtype="datetime64[D]").view(np.int64) - _ORIGIN_DAYS
        if np.any((i < 0) | (i >= _SIZE)):
            raise ValueError(f"有日期超出工作日历的范围（{FIRST_DAY} 至 {LAST_DAY}）。")
        ns = np.asarray(ns, dtype=np.int64)
        k = self.cum[i] + ns - np.where(ns > 0, 1, self.is_work[i])
        zero = ns == 0
        if np.any(((k < 0) | (k >= self.nth.size)) & ~zero):
            raise ValueError(f"有计算结果超出工作日历的范围（{FIRST_DAY} 至 {LAST_DAY}）。")
        days = self.nth.take(k, mode="clip")
        days[zero] = i[zero]
        return (days + _ORIGIN_DAYS).view("datetime64[D]")

    def holiday_stretches(self, a: date, b: date) -> list[tuple[date, date, str]]:
        """Runs of rest days in (a, b] holding a statutory holiday, with the holiday's name.

        A run is the holiday with the weekend days around it (春节 2026: 02-15 to 02-23), cut to
        the window; the name comes from the whole run, so a cut run keeps it. Runs of plain
        weekend days are left out.
        """
        start, end = _index(a) + 1, _index(b)
        if start > end:
            return []
        lo, hi = start, end
        while lo > 0 and not self.is_work[lo - 1]:
            lo -= 1
        while hi < _SIZE - 1 and not self.is_work[hi + 1]:
            hi += 1
        edges = np.diff(np.concatenate(([0], (~self.is_work[lo : hi + 1]).view(np.int8), [0])))
        stretches = []
        for first, after in zip(
            lo + np.flatnonzero(edges == 1), lo + np.flatnonzero(edges == -1), strict=True
        ):
            names = dict.fromkeys(
                self._holiday_names[j] for j in range(first, after) if j in self._holiday_names
            )
            if names:
                stretches.append(
                    (_day(max(first, start)), _day(min(after - 1, end)), "、".join(names))
                )
        return stretches

    def adjusted_workdays(self, a: date, b: date) -> list[tuple[date, str]]:
        """Weekend days in (a, b] that are worked (调休上班), with the holiday they make up for."""
        start, end = _index(a) + 1, _index(b)
        worked = self.is_work[start : end + 1] & self._is_weekend[start : end + 1]
        return [(_day(i), self._workday_names[i]) for i in start + np.flatnonzero(worked)]


_cached: tuple[int | None, WorkCalendar] | None = None
# The revision token as a scalar subquery: a caller about to count may select it along with its
# own row and hand it to get_calendar, sparing the query.
REVISION_SELECT = f'(SELECT token FROM "{REVISION}" WHERE id = 1)'  # noqa: S608 -- a constant
UNREAD: Any = object()


def _revision() -> int | None:
    """The schedules' revision token: one single-row read, changed by any edit in any process
    (triggers.py); None before the first edit."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REVISION_SELECT}")
        return cursor.fetchone()[0]


def get_calendar(revision: int | None = UNREAD) -> WorkCalendar:
    """The calendar of the schedules in the database, rebuilt when they changed since last call.

    The arrays are cached per process; the revision token (read here, or given as the caller
    read it in this transaction with REVISION_SELECT) makes an edit, in this process or another,
    visible on the next call.
    """
    global _cached
    if revision is UNREAD:
        revision = _revision()
    cached = _cached
    if cached is None or cached[0] != revision:
        calendar = WorkCalendar(
            SpecialDay.objects.values_list("date", "kind", "name"),
            CalendarYear.objects.values_list("year", flat=True),
        )
        cached = _cached = (revision, calendar)
    return cached[1]


def is_workday(d: date) -> bool:
    """Whether d is a working day: Monday to Friday except holidays, plus 调休 weekend days."""
    return get_calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """The n-th working day strictly after d (the start day never counts), whatever d is.

    n = 0 returns d; n < 0 gives the |n|-th working day strictly before d. Unlike
    `chinese_calendar.find_workday`, a Saturday start counts Monday as the first day.
    """
    return get_calendar().add_workdays(d, n)


def workdays_between(a: date, b: date) -> int:
    """The number of working days in (a, b], negative when b < a.

    `workdays_between(d, add_workdays(d, n)) == n` for every n >= 0.
    """
    return get_calendar().workdays_between(a, b)


def is_provisional(d: date) -> bool:
    """Whether d's year has no official schedule yet, so a deadline touching it is 预计."""
    return get_calendar().is_provisional(d)
