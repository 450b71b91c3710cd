"""Seeding, the per-process cache over the database, validation and the admin."""

from datetime import date

import numpy as np
import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db.models.signals import post_migrate
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sunshine.workdays import calendar
from sunshine.workdays.models import CalendarYear, SpecialDay
from sunshine.workdays.seeding import chinesecalendar_schedule, seed_from_chinesecalendar

from . import reference
from .test_calendar import CALENDAR

SCHEDULE = chinesecalendar_schedule()
SEEDED_DAYS = sum(len(days) for days in SCHEDULE.values())

# 2027 as an administrator would enter it once the State Council's notice is out.
SPRING_FESTIVAL_2027 = {
    "special_days-TOTAL_FORMS": "2",
    "special_days-INITIAL_FORMS": "0",
    "special_days-MIN_NUM_FORMS": "0",
    "special_days-MAX_NUM_FORMS": "1000",
    "year": "2027",
    "note": "国办发明电〔2026〕1号",
    "special_days-0-date": "2027-02-08",
    "special_days-0-kind": "holiday",
    "special_days-0-name": "春节",
    "special_days-1-date": "2027-02-20",
    "special_days-1-kind": "workday",
    "special_days-1-name": "春节",
}


@pytest.mark.django_db
def test_migrated_database_is_seeded():
    assert CalendarYear.objects.count() == 23
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {"seeded"}
    assert SpecialDay.objects.count() == SEEDED_DAYS
    assert np.array_equal(calendar.get_calendar().is_work, CALENDAR.is_work)
    assert calendar.get_calendar().known_years == CALENDAR.known_years


@pytest.mark.django_db
def test_seeding_is_idempotent_and_keeps_edits():
    assert seed_from_chinesecalendar() == []
    assert SpecialDay.objects.count() == SEEDED_DAYS

    edited = CalendarYear.objects.get(year=2026)
    edited.source = CalendarYear.Source.ADMIN
    edited.save()
    edited.special_days.filter(date=date(2026, 2, 28)).delete()
    CalendarYear.objects.filter(year__in=[2010, 2011]).delete()

    assert seed_from_chinesecalendar(years=[2010, 2026]) == [2010]
    assert not CalendarYear.objects.filter(year=2011).exists()
    assert CalendarYear.objects.get(year=2010).special_days.count() == len(SCHEDULE[2010])
    assert not SpecialDay.objects.filter(date=date(2026, 2, 28)).exists()
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.ADMIN
    assert seed_from_chinesecalendar() == [2011]


@pytest.mark.django_db
def test_flush_seeds_again():
    """`flush` (as after a TransactionTestCase) sends post_migrate without `apps`; seed anyway."""
    CalendarYear.objects.all().delete()
    app_config = django_apps.get_app_config("workdays")
    post_migrate.send(
        sender=app_config, app_config=app_config, verbosity=0, interactive=False, using="default"
    )
    assert CalendarYear.objects.count() == 23
    assert SpecialDay.objects.count() == SEEDED_DAYS


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dates(date(2004, 1, 1), date(2026, 12, 31)), st.integers(-30, 30))
def test_module_functions_match_chinesecalendar(d, n):
    due = calendar.add_workdays(d, n)
    assert due == reference.add_workdays(d, n)
    assert calendar.is_workday(d) == reference.is_workday(d)
    assert calendar.workdays_between(d, due) == reference.workdays_between(d, due)
    assert not calendar.is_provisional(d)


@pytest.mark.django_db
def test_cached_calendar_costs_one_query(django_assert_num_queries):
    first = calendar.get_calendar()
    with django_assert_num_queries(1):
        assert calendar.get_calendar() is first


@pytest.mark.django_db
def test_any_edit_changes_the_revision():
    """Every way of writing the schedules gives a new token (the triggers), so no cached
    calendar survives an edit; reading it is one query."""
    tokens = [calendar._revision()]
    year = CalendarYear.objects.create(year=2027)
    tokens.append(calendar._revision())
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=date(2027, 2, 8), kind="holiday", name="春节", year=year)]
    )
    tokens.append(calendar._revision())
    SpecialDay.objects.filter(year=year).update(name="春节假期")
    tokens.append(calendar._revision())
    SpecialDay.objects.filter(year=year).delete()
    tokens.append(calendar._revision())
    assert len(set(tokens)) == len(tokens)
    assert calendar.get_calendar().is_workday(date(2027, 2, 8))


@pytest.mark.django_db
def test_another_process_edit_is_noticed():
    """Rows written without this process's signals (as by another process) are seen next call."""
    before = calendar.get_calendar()
    assert before.is_provisional(date(2027, 2, 8))
    assert before.is_workday(date(2027, 2, 8))

    (year,) = CalendarYear.objects.bulk_create([CalendarYear(year=2027)])
    SpecialDay.objects.bulk_create(
        [SpecialDay(date=date(2027, 2, 8), kind="holiday", name="春节", year=year)]
    )
    after = calendar.get_calendar()
    assert after is not before
    assert not after.is_provisional(date(2027, 2, 8))
    assert not after.is_workday(date(2027, 2, 8))

    SpecialDay.objects.filter(date=date(2027, 2, 8)).update(kind="workday")
    assert calendar.is_workday(date(2027, 2, 8))


@pytest.mark.django_db
def test_admin_entry_of_next_year(admin_client):
    friday = date(2027, 2, 5)
    assert calendar.is_provisional(friday)
    assert calendar.add_workdays(friday, 1) == date(2027, 2, 8)
    assert not calendar.is_workday(date(2027, 2, 20))

    response = admin_client.post(reverse("admin:workdays_calendaryear_add"), SPRING_FESTIVAL_2027)
    assert response.status_code == 302
    year = CalendarYear.objects.get(year=2027)
    assert year.source == CalendarYear.Source.ADMIN
    assert year.special_days.count() == 2

    assert not calendar.is_provisional(friday)
    assert calendar.add_workdays(friday, 1) == date(2027, 2, 9)
    assert calendar.is_workday(date(2027, 2, 20))
    assert calendar.workdays_between(friday, date(2027, 2, 12)) == 4
    assert calendar.get_calendar().holiday_stretches(friday, date(2027, 2, 28)) == [
        (date(2027, 2, 6), date(2027, 2, 8), "春节")
    ]


@pytest.mark.django_db
def test_admin_rejects_a_day_outside_its_year(admin_client):
    data = SPRING_FESTIVAL_2027 | {"special_days-1-date": "2026-02-20"}
    response = admin_client.post(reverse("admin:workdays_calendaryear_add"), data)
    assert response.status_code == 200
    assert "日期 2026-02-20 不在 2027 年内。" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "view",
    [
        "admin:workdays_calendaryear_changelist",
        "admin:workdays_calendaryear_add",
        "admin:workdays_specialday_changelist",
    ],
)
def test_admin_pages_open(admin_client, view):
    assert admin_client.get(reverse(view)).status_code == 200


@pytest.mark.django_db
def test_admin_change_form_lists_the_days(admin_client):
    year = CalendarYear.objects.get(year=2026)
    response = admin_client.get(reverse("admin:workdays_calendaryear_change", args=[year.pk]))
    assert response.status_code == 200
    assert "2026-02-28" in response.content.decode()


@pytest.mark.django_db
def test_clean_rejects_a_date_outside_its_year():
    year = CalendarYear.objects.create(year=2027)
    day = SpecialDay(date=date(2028, 1, 3), kind="holiday", name="元旦", year=year)
    with pytest.raises(ValidationError, match="不在 2027 年内"):
        day.full_clean()


@pytest.mark.django_db
def test_clean_rejects_a_redundant_weekday_workday():
    year = CalendarYear.objects.create(year=2027)
    day = SpecialDay(date=date(2027, 2, 22), kind="workday", name="春节", year=year)
    with pytest.raises(ValidationError, match="无需登记为调休上班"):
        day.full_clean()
    SpecialDay(date=date(2027, 2, 20), kind="workday", name="春节", year=year).full_clean()


@pytest.mark.django_db
def test_entering_a_year_recomputes_estimated_due_dates(
    admin_client, django_capture_on_commit_callbacks
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sunshine.audit.models import AuditEvent
    from sunshine.clocks.actions import start_clock
    from sunshine.clocks.models import Unit
    from sunshine.org.models import Department

    dept = Department.objects.create(name="测试局", code="T", kind=Department.Kind.BUREAU)
    clock = start_clock(
        dept,
        kind="t",
        title="春节前受理",
        department=dept,
        limit=3,
        unit=Unit.WORKDAYS,
        at=datetime(2027, 2, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    assert clock.provisional and clock.due_label == "2027-02-10"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workdays_calendaryear_add"), SPRING_FESTIVAL_2027
        )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert not clock.provisional and clock.due_label == "2027-02-11"
    assert AuditEvent.objects.filter(verb="workdays.admin_add_calendaryear").exists()
    assert AuditEvent.objects.filter(verb="clocks.recompute", object_id=str(clock.pk)).exists()
