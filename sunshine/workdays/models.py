from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .triggers import REVISION

# The years the calendar engine covers; a schedule outside them could never be used.
FIRST_YEAR = 2000
LAST_YEAR = 2099


class CalendarYear(models.Model):
    """A year whose official holiday schedule (国务院办公厅 notice) is known.

    Days of a year without a row are provisional: they count weekends only, and deadlines
    touching them are shown as 预计.
    """

    class Source(models.TextChoices):
        SEEDED = "seeded", _("从 chinesecalendar 导入")
        ADMIN = "admin", _("管理员录入")

    year = models.PositiveSmallIntegerField(
        _("年份"),
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    source = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.ADMIN
    )
    note = models.TextField(_("备注"), blank=True, help_text=_("例如国务院办公厅通知的文号。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class SpecialDay(models.Model):
    """An exception to the Monday–Friday rule: a holiday on a weekday, or a weekend day worked."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日休息")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=64, help_text=_("例如“春节”“国庆节”。"))
    year = models.ForeignKey(
        CalendarYear,
        verbose_name=_("年度"),
        on_delete=models.CASCADE,
        related_name="special_days",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}（{self.get_kind_display()}）"

    def clean(self) -> None:
        # The year may be unsaved (admin inline on a new year), so read the object, not year_id.
        year = getattr(self, "year", None)
        if self.date is None or year is None or year.year is None:
            return
        if self.date.year != year.year:
            message = _("日期 %(date)s 不在 %(year)s 年内。")
            params = {"date": self.date.isoformat(), "year": year.year}
            raise ValidationError({"date": ValidationError(message, params=params)})
        if self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"date": _("周一至周五本来就是工作日，无需登记为调休上班。")})


class CalendarRevision(models.Model):
    """One row whose token changes with every write to the schedules, whoever makes it.

    Database triggers (triggers.py) set a new random token on any INSERT, UPDATE, DELETE or
    TRUNCATE of CalendarYear and SpecialDay, so every process notices an edit by reading this
    row (calendar.get_calendar) instead of aggregating the schedules.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    token = models.BigIntegerField(default=0)

    class Meta:
        db_table = REVISION
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="workdays_revision_single")
        ]

    def __str__(self) -> str:
        return str(self.token)
