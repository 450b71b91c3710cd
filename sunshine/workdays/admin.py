from django.contrib import admin
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sunshine.org.admin import GovernedAdmin, GovernedInline

from .models import CalendarYear, SpecialDay


def _recompute_estimates() -> None:
    """Due dates that were only estimates may now be known: recompute them in the background."""
    from sunshine.clocks.tasks import recompute_provisional

    transaction.on_commit(recompute_provisional.enqueue)


class SpecialDayInline(GovernedInline):
    model = SpecialDay
    fields = ["date", "kind", "name"]
    extra = 1


@admin.register(CalendarYear)
class CalendarYearAdmin(GovernedAdmin):
    """Where next year's schedule is entered when the State Council publishes it."""

    list_display = ["year", "source", "special_day_count", "note", "updated_at"]
    list_filter = ["source"]
    search_fields = ["year", "note"]
    fields = ["year", "source", "note", "updated_at"]
    readonly_fields = ["source", "updated_at"]
    inlines = [SpecialDayInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).annotate(special_day_count=Count("special_days"))

    @admin.display(description=_("特殊日期数"), ordering="special_day_count")
    def special_day_count(self, obj: CalendarYear) -> int:
        return obj.special_day_count

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm, change: bool
    ) -> None:
        # Once an administrator has saved it, the year is theirs, whatever it was seeded from.
        obj.source = CalendarYear.Source.ADMIN
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _recompute_estimates()


@admin.register(SpecialDay)
class SpecialDayAdmin(GovernedAdmin):
    list_display = ["date", "name", "kind", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: SpecialDay, form: ModelForm, change: bool):
        super().save_model(request, obj, form, change)
        _recompute_estimates()

    def delete_model(self, request: HttpRequest, obj: SpecialDay) -> None:
        super().delete_model(request, obj)
        _recompute_estimates()
