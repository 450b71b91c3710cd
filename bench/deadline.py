"""Deadlines per second: our array calendar against chinesecalendar's day-by-day lookup.

Run from the project root: `.venv/bin/python bench/deadline.py`. Needs no database: the calendar
is built from the same chinesecalendar data the seeding uses. Exits non-zero when ours is less
than 1,000 times faster, or when any sampled answer is wrong.
"""

import os
import sys
import time

import chinese_calendar
import django
import numpy as np

PAIRS = 1_000_000
SAMPLE = 2_000
RUNS = 5
TARGET = 1_000


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunshine.settings")
    django.setup()
    from sunshine.workdays.calendar import WorkCalendar
    from sunshine.workdays.seeding import chinesecalendar_schedule

    started = time.perf_counter()
    schedule = chinesecalendar_schedule()
    calendar = WorkCalendar([day for days in schedule.values() for day in days], schedule)
    built = time.perf_counter() - started
    print(f"calendar built in {built * 1000:.1f} ms ({len(schedule)} known years)")

    rng = np.random.default_rng(20260128)
    first, last = np.datetime64("2024-01-01"), np.datetime64("2025-11-30")
    dates = first + rng.integers(0, (last - first).astype(int) + 1, size=PAIRS)
    ns = rng.integers(1, 41, size=PAIRS)

    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ours = calendar.add_workdays_many(dates, ns)
        timings.append(time.perf_counter() - started)
    elapsed = min(timings)
    ours_rate = PAIRS / elapsed
    print(
        f"ours: {PAIRS} deadlines in {elapsed:.4f} s = {ours_rate:,.0f} /s "
        f"(best of {RUNS}; first run {timings[0]:.4f} s)"
    )

    sample = list(zip(dates[:SAMPLE].tolist(), ns[:SAMPLE].tolist(), strict=True))
    started = time.perf_counter()
    theirs = [chinese_calendar.find_workday(n, d) for d, n in sample]
    elapsed = time.perf_counter() - started
    theirs_rate = SAMPLE / elapsed
    print(f"chinesecalendar.find_workday: {SAMPLE} in {elapsed:.2f} s = {theirs_rate:,.0f} /s")

    # From a working day d, find_workday(n, d) is the law's n-th working day after d. From a rest
    # day it counts the first working day after d as day 0, so the law's answer is its n - 1.
    mismatches = rest_starts = 0
    for (d, n), their_due, our_due in zip(sample, theirs, ours[:SAMPLE].tolist(), strict=True):
        if not chinese_calendar.is_workday(d):
            rest_starts += 1
            their_due = chinese_calendar.find_workday(n - 1, d)
        mismatches += their_due != our_due
    print(
        f"checked {SAMPLE} answers: {SAMPLE - rest_starts} from a workday against "
        f"find_workday(n, d), {rest_starts} from a rest day against find_workday(n - 1, d); "
        f"{mismatches} mismatches"
    )

    ratio = ours_rate / theirs_rate
    print(f"ratio: {ratio:,.0f}x (target >= {TARGET:,}x)")
    return 0 if ratio >= TARGET and not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
