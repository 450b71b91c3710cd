"""The holiday schedules chinesecalendar ships, as CalendarYear and SpecialDay rows.

chinesecalendar covers the years the State Council has published (2004–2026 in 1.11.0); later
years are entered by an administrator, since the notice comes out each winter before any library
release does.
"""

from collections import defaultdict
from collections.abc import Iterable

from chinese_calendar import constants
from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, router, transaction

from .calendar import SpecialDate
from .models import CalendarYear, SpecialDay


def chinesecalendar_schedule(years: Iterable[int] | None = None) -> dict[int, list[SpecialDate]]:
    """Every year chinesecalendar covers (only those in `years` if given), with its special days.

    Holidays falling on a weekend are kept as holidays: harmless for counting, and they carry the
    holiday's name for the whole break.
    """
    wanted = None if years is None else set(years)
    schedule: dict[int, list[SpecialDate]] = defaultdict(list)
    for days, kind in (
        (constants.holidays, SpecialDay.Kind.HOLIDAY),
        (constants.workdays, SpecialDay.Kind.WORKDAY),
    ):
        for day, holiday in days.items():
            if wanted is None or day.year in wanted:
                name = constants.Holiday(holiday).chinese
                schedule[day.year].append(SpecialDate(day, kind.value, name))
    return {year: sorted(schedule[year]) for year in sorted(schedule)}


def seed_from_chinesecalendar(
    years: Iterable[int] | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """Create the years chinesecalendar covers that the database lacks; return those created.

    A year already present is left alone, so an administrator's corrections are never
    overwritten.
    """
    schedule = chinesecalendar_schedule(years)
    with transaction.atomic(using=using):
        existing = set(
            CalendarYear.objects.using(using)
            .filter(year__in=schedule)
            .values_list("year", flat=True)
        )
        created = CalendarYear.objects.using(using).bulk_create(
            CalendarYear(year=year, source=CalendarYear.Source.SEEDED)
            for year in schedule
            if year not in existing
        )
        SpecialDay.objects.using(using).bulk_create(
            SpecialDay(date=day.day, kind=day.kind, name=day.name, year=calendar_year)
            for calendar_year in created
            for day in schedule[calendar_year.year]
        )
    return [calendar_year.year for calendar_year in created]


def seed_after_migrate(
    app_config: AppConfig, using: str, apps: Apps = global_apps, **kwargs: object
) -> None:
    """Give every migrated database the known schedules (test databases and flushes included).

    `flush` sends the signal without `apps`, hence the default, as Django's own handlers do.
    """
    try:
        apps.get_model("workdays", "SpecialDay")
    except LookupError:
        # Migrated back before the tables existed.
        return
    if router.allow_migrate_model(using, CalendarYear):
        seed_from_chinesecalendar(using=using)
