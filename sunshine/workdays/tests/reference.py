"""A slow, obvious calendar to check the engine against: day by day on chinesecalendar."""

from datetime import date, timedelta

import chinese_calendar

ONE_DAY = timedelta(days=1)


def is_workday(d: date) -> bool:
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        # Outside chinesecalendar's years the engine is provisional: weekends only.
        return d.weekday() < 5


def add_workdays(d: date, n: int) -> date:
    step = ONE_DAY if n > 0 else -ONE_DAY
    for _ in range(abs(n)):
        d += step
        while not is_workday(d):
            d += step
    return d


def workdays_between(a: date, b: date) -> int:
    if b < a:
        return -workdays_between(b, a)
    return sum(is_workday(a + k * ONE_DAY) for k in range(1, (b - a).days + 1))
