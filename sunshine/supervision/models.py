from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
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

    # Looked up through the (clock, level) and (department, state) indexes below: no index of
    # their own, which the sweep would otherwise maintain for every alert it records.
    # No database constraint either (db_constraint=False) on the columns the sweep copies from
    # the clock it reads in the same statement: PostgreSQL checked them row by row at commit,
    # half the time of a sweep of 10,000 alerts, to prove what the INSERT … SELECT over the
    # existing clock already proves. The rows they point to are never deleted (PROTECT).
    clock = models.ForeignKey(
        "clocks.Clock",
        verbose_name=_("计时"),
        on_delete=models.PROTECT,
        related_name="alerts",
        db_index=False,
        db_constraint=False,
    )
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    raised_at = models.DateTimeField(_("触发时间"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
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

    # Written set-based by the sweep from existing alerts and memberships: no database
    # constraint, for the reason given on Alert.clock.
    recipient = models.ForeignKey(  # indexed by (recipient, read_at) below
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
        db_constraint=False,
    )
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_constraint=False,
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


class ClockTally(models.Model):
    """How many clocks of a department are running or paused, kept by the database itself:
    triggers on the clocks table (migration 0006) add a row of +1/−1 for every clock that
    starts or changes state or department, and the sweep folds the rows into one per
    department and state every minute. So the supervision screen counts open clocks without
    reading a million of them (bench/supervision.py). Clocks are never deleted (a flush empties
    both tables), so there is no trigger for a deletion."""

    department_id = models.BigIntegerField()
    state = models.CharField(max_length=16)
    n = models.IntegerField()

    class Meta:
        verbose_name = _("计时事项计数")
        verbose_name_plural = _("计时事项计数")

    def __str__(self) -> str:
        return f"{self.department_id} {self.state} {self.n}"


class SweepLock(models.Model):
    """One row; a sweep holds it for its transaction, so concurrent sweeps run one at a time."""

    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sweep lock ({self.last_run_at})"


class Scheme(models.Model):
    """A scoring scheme (考评方案): weighted indicators scored piecewise, with deductions for
    yellow and red cards and a bonus for early completions, out of 100."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    yellow_deduction = models.DecimalField(
        _("每张黄牌扣分"), max_digits=5, decimal_places=2, default=5
    )
    red_deduction = models.DecimalField(
        _("每张红牌扣分"), max_digits=5, decimal_places=2, default=10
    )
    early_bonus_step = models.DecimalField(
        _("提前办结加分档距"),
        max_digits=4,
        decimal_places=3,
        default="0.100",
        help_text=_("提前办结率每达到一档加 1 分，如 0.1 表示每 10% 加 1 分；0 表示不加分。"),
    )
    early_bonus_cap = models.DecimalField(_("加分上限"), max_digits=5, decimal_places=2, default=5)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")

    def __str__(self) -> str:
        return self.name


class SchemeItem(models.Model):
    """One weighted indicator: below `threshold` it scores 0, at `full_at` or above the whole
    weight, linear between (the piecewise scoring of the published bulletins)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    indicator = models.CharField(_("指标"), max_length=64)
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=2)
    threshold = models.DecimalField(_("零分线"), max_digits=5, decimal_places=4, default=0)
    full_at = models.DecimalField(_("满分线"), max_digits=5, decimal_places=4, default=1)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="one_item_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.indicator}"


class ManualScore(models.Model):
    """Scores that come from people, not records: 专家评审 and 公众评议 (seed 004), 0–100."""

    indicator = models.CharField(_("指标"), max_length=64)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    value = models.DecimalField(_("得分（百分制）"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评议得分")
        verbose_name_plural = _("评议得分")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department", "period_start", "period_end"],
                name="one_manual_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.indicator} {self.value}"


class Bulletin(models.Model):
    """通报: the ranking of a period under a scheme, frozen when generated, published once a
    leader approves it."""

    class Period(models.TextChoices):
        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")

    class State(models.TextChoices):
        DRAFT = "draft", _("待审批")
        PUBLISHED = "published", _("已发布")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="bulletins")
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=200)
    data = models.JSONField(_("考评结果"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    on_portal = models.BooleanField(_("同时在门户公开"), default=False)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period", "period_start"], name="one_bulletin_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Anomaly(models.Model):
    """A case an anomaly rule (anomalies.py) flagged: recorded once per rule and case, closed by
    the supervision office with a finding, like an alert."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        CLOSED = "closed", _("已处理")

    rule = models.CharField(_("规则"), max_length=32)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    case = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("事项"), max_length=200)
    detail = models.TextField(_("发现的情况"))
    department = models.ForeignKey(
        "org.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    recorded_at = models.DateTimeField(_("记录时间"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    finding = models.TextField(_("处理结论"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异常事项")
        verbose_name_plural = _("异常事项")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "content_type", "object_id"], name="one_anomaly_per_rule_case"
            )
        ]
        indexes = [
            models.Index(fields=["state", "rule"]),
            models.Index(fields=["department", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.rule_label} · {self.title}"

    @property
    def rule_label(self) -> str:
        from .anomalies import RULES

        return str(RULES[self.rule].label) if self.rule in RULES else self.rule

    @property
    def rule_description(self) -> str:
        from .anomalies import RULES

        return str(RULES[self.rule].description) if self.rule in RULES else ""
