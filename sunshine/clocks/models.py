from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    WORKDAYS = "workdays", _("工作日")
    NATURAL_DAYS = "days", _("自然日")
    HOURS = "hours", _("小时")


class State(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("暂停")
    STOPPED = "stopped", _("已结束")


class PauseReason(models.TextChoices):
    """Periods the law says do not count against a time limit."""

    CORRECTION = "correction", _("补正")
    THIRD_PARTY = "third_party", _("征求第三方意见")
    OTHER_AGENCY = "other_agency", _("征求其他机关意见")
    EXPERT = "expert", _("听证/检验/检测/鉴定/专家评审")
    PAYMENT = "payment", _("等待缴费")
    OTHER = "other", _("其他")


class Clock(models.Model):
    """A legal time limit running on a case: a disclosure reply, an approval step, a ticket.

    The events are the truth: the start (`started_at`, `note`) and the stop (`stopped_at`,
    `outcome`) are kept in this row, what happens in between (pauses, extensions, restarts) in
    ClockEvent rows. `due_at`, `warn_at`, `state` and the rest are derived from them by
    `clocks.engine.compute` and stored so that "what is overdue now?" is one indexed query.
    """

    # No index of its own: (content_type, object_id) below leads with it, and every index is
    # written on every workflow advance (as for `responsible`).
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    case = GenericForeignKey("content_type", "object_id")

    kind = models.CharField(_("时限类别"), max_length=64)
    title = models.CharField(_("事项"), max_length=200)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="clocks",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clocks",
        db_index=False,
    )
    legal_basis = models.CharField(_("法定依据"), max_length=255, blank=True)
    unit = models.CharField(_("计时单位"), max_length=16, choices=Unit.choices)
    initial_limit = models.PositiveIntegerField(_("法定时限"))
    note = models.CharField(_("起算说明"), max_length=255, blank=True)

    # Derived from the events (engine.compute); never written by hand.
    limit = models.PositiveIntegerField(_("时限（含延长）"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("黄牌时间"), null=True, blank=True)
    remaining = models.IntegerField(_("剩余时限"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=64, blank=True)
    on_time = models.BooleanField(_("按期"), null=True)
    provisional = models.BooleanField(_("预计"), default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["due_at"], name="clock_running_due", condition=Q(state="running")),
            models.Index(
                fields=["warn_at"], name="clock_running_warn", condition=Q(state="running")
            ),
            models.Index(
                fields=["yellow_at"], name="clock_running_yellow", condition=Q(state="running")
            ),
            # Serves "how many open clocks, by department" as a covering index scan.
            models.Index(fields=["state", "department"]),
            models.Index(fields=["responsible", "state"]),
            # Performance indicators and anomaly rules read what finished in a period.
            models.Index(
                fields=["stopped_at"], name="clock_stopped_at", condition=Q(state="stopped")
            ),
            models.Index(
                fields=["provisional"], name="clock_provisional", condition=Q(provisional=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def due_label(self) -> str:
        """The due time as people say it: the last day for day units, else to the minute."""
        if self.due_at is None:
            return ""
        due = timezone.localtime(self.due_at)
        if self.unit == Unit.HOURS:
            return due.strftime("%Y-%m-%d %H:%M")
        return (due - timedelta(microseconds=1)).date().isoformat()


class ClockEvent(models.Model):
    """What happened to a clock between its start and its stop (both kept in the Clock row)."""

    class Kind(models.TextChoices):
        START = "start", _("起算")
        PAUSE = "pause", _("暂停")
        RESUME = "resume", _("恢复")
        EXTEND = "extend", _("延长")
        RESTART = "restart", _("重新起算")
        STOP = "stop", _("结束")

    clock = models.ForeignKey(Clock, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    amount = models.IntegerField(_("数量"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=32, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("计时事件")
        verbose_name_plural = _("计时事件")
        ordering = ["clock", "seq"]
        constraints = [models.UniqueConstraint(fields=["clock", "seq"], name="unique_clock_seq")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
