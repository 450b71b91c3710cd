from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The three signals of 电子监察, in rising severity."""

    PROMPT = "prompt", _("预警")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Alert(models.Model):
    """A clock crossing a threshold, recorded once per clock and level by the sweep."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已处理")

    clock = models.ForeignKey(
        "clocks.Clock", verbose_name=_("计时"), on_delete=models.PROTECT, related_name="alerts"
    )
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    raised_at = models.DateTimeField(_("触发时间"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    finding = models.TextField(_("处理结论"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监察信号")
        verbose_name_plural = _("监察信号")
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="one_alert_per_clock_level")
        ]
        indexes = [
            models.Index(fields=["state", "level"]),
            models.Index(fields=["department", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.clock}"


class Urging(models.Model):
    """催办 (a reminder), 督办 (formal supervision with a deadline, on a clock of its own) or
    纠错 (an order to correct, also with a deadline), addressed to the responsible department."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("催办")
        SUPERVISE = "supervise", _("督办")
        CORRECT = "correct", _("纠错")

    class State(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="urgings")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("对象部门"), on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("内容"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发出时间"))
    limit_days = models.PositiveSmallIntegerField(_("答复期限（工作日）"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    response = models.TextField(_("答复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    clocks = GenericRelation("clocks.Clock", object_id_field="object_id")

    class Meta:
        verbose_name = _("催办督办")
        verbose_name_plural = _("催办督办")
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.alert.clock}"


class Notification(models.Model):
    """A message to one person: shown in the workbench, and sent by e-mail and SMS through the
    configured backends (console by default) by a background task, once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    urging = models.ForeignKey(
        Urging, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["delivered_at"],
                name="notification_undelivered",
                condition=models.Q(delivered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class SweepLock(models.Model):
    """One row; a sweep holds it for its transaction, so concurrent sweeps run one at a time."""

    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sweep lock ({self.last_run_at})"
