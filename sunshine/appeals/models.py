"""Appeals (诉求) from every channel of the 12345 platform and the 书记/市长/局长信箱.

One `Appeal` per citizen's call or letter; its handling is a set of `Assignment`s (主办 + 协办) to
departments, each with a signing clock and a handling clock (sunshine.clocks). Nothing is deleted:
refused, merged, returned and archived are states. The timeline (`AppealEvent`) is what the
ticket shows (GB/T 33358 工单: "办理、督办、回访" recorded across the whole process).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunshine.clocks.models import Unit
from sunshine.core.uploads import DOCUMENTS, IMAGES, UploadField


class AppealType(models.TextChoices):
    ENQUIRY = "enquiry", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    NORMAL = "normal", _("一般")
    DIFFICULT = "difficult", _("疑难")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345热线")
    WEB = "web", _("网上诉求")
    MAILBOX = "mailbox", _("信箱")
    TRANSFER = "transfer", _("上级转办")
    REFERRAL = "referral", _("部门转来")
    API = "api", _("接口接入")


class Category(models.Model):
    """The subject tree (e.g. 市场监管 → 消费维权); public leaves are the Open311 services."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.CharField(_("说明"), max_length=255, blank=True)
    keywords = models.CharField(_("关键词"), max_length=255, blank=True)
    is_public = models.BooleanField(_("对外公开"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class DispatchEntry(models.Model):
    """派单目录 (国办函〔2025〕66号): which department leads a category, and who co-handles."""

    category = models.OneToOneField(
        Category, verbose_name=_("诉求分类"), on_delete=models.PROTECT, related_name="dispatch"
    )
    lead = models.ForeignKey(
        "org.Department", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    co_handlers = models.ManyToManyField(
        "org.Department", verbose_name=_("协办单位"), blank=True, related_name="+"
    )
    basis = models.CharField(_("职责依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")

    def __str__(self) -> str:
        return f"{self.category} → {self.lead}"


class TimeLimit(models.Model):
    """办理时限表 (type × urgency); 紧急 in hours. Limits are set locally (research §1.4)."""

    type = models.CharField(_("诉求类型"), max_length=16, choices=AppealType.choices)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    limit = models.PositiveIntegerField(_("时限"))
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices, default=Unit.WORKDAYS)
    basis = models.CharField(_("依据"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限表")
        constraints = [
            models.UniqueConstraint(fields=["type", "urgency"], name="appeals_unique_time_limit")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}·{self.get_urgency_display()}"


class Mailbox(models.Model):
    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记信箱")
        MAYOR = "mayor", _("市长信箱")
        DIRECTOR = "director", _("局长信箱")

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("信箱")
        verbose_name_plural = _("信箱")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class KnowledgeEntry(models.Model):
    """知识库 entries kept by departments (GB/T 44191-2024), for answering at intake."""

    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("答复口径"))
    keywords = models.CharField(_("关键词"), max_length=255, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("维护单位"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("知识库条目")
        verbose_name_plural = _("知识库")

    def __str__(self) -> str:
        return self.question


class ApiKey(models.Model):
    """A system allowed to post requests through Open311; only the key's digest is stored."""

    name = models.CharField(_("接入系统"), max_length=64)
    prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class Status(models.TextChoices):
    RECEIVED = "received", _("待派单")
    DISPATCHED = "dispatched", _("办理中")
    REVIEW = "review", _("答复待审核")
    ANSWERED = "answered", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    ARCHIVED = "archived", _("已归档")
    DIRECT = "direct", _("直接办结")
    REFUSED = "refused", _("不予受理")
    MERGED = "merged", _("已并单")


OPEN_STATES = (Status.RECEIVED, Status.DISPATCHED, Status.REVIEW, Status.ANSWERED)


class Appeal(models.Model):
    serial = models.CharField(_("编号"), max_length=20, unique=True)
    query_digest = models.CharField(max_length=64, editable=False)
    token = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("信箱"), null=True, blank=True, on_delete=models.PROTECT
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, editable=False
    )
    type = models.CharField(_("诉求类型"), max_length=16, choices=AppealType.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("诉求内容"))
    place = models.CharField(_("事发地点"), max_length=200, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_publish = models.BooleanField(_("同意公开"), default=False)
    confidential = models.BooleanField(_("要求保密"), default=False)
    attachment = models.FileField(_("附件"), upload_to="appeals/%Y/%m/", blank=True)
    # 上级转办件: the higher level's own number, to report the result back to it.
    external_ref = models.CharField(_("上级工单号"), max_length=64, blank=True)
    source_name = models.CharField(_("转办来源"), max_length=64, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    knowledge = models.ForeignKey(
        KnowledgeEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.CharField(_("不予受理原因"), max_length=32, blank=True)
    refusal_route = models.TextField(_("告知途径"), blank=True)
    lead_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rework_count = models.PositiveIntegerField(_("重办次数"), default=0)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    handling_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["phone", "received_at"]),
            models.Index(fields=["mailbox", "received_at"]),
            models.Index(fields=["category", "received_at"]),
        ]
        constraints = [
            # A ticket of the higher level is one case here, also when it is sent twice at
            # once. Referrals reuse the two fields for another agency's numbering, not bound;
            # a copy merged (并单) into the case is the case.
            models.UniqueConstraint(
                fields=["source_name", "external_ref"],
                condition=Q(channel=Channel.TRANSFER, merged_into__isnull=True),
                name="appeals_one_case_per_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def master(self) -> "Appeal":
        """The appeal whose handling this one shares (itself unless merged)."""
        return self.merged_into if self.merged_into_id else self


ATTACHMENT_KINDS = frozenset({"doc", "docx", "xls", "xlsx", "txt", "pdf"}) & DOCUMENTS | IMAGES
ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024


def attachment_field() -> UploadField:
    return UploadField(
        allowed=ATTACHMENT_KINDS,
        max_bytes=ATTACHMENT_MAX_BYTES,
        required=False,
        label=_("附件"),
        help_text=_("可选；Word、Excel、PDF、文本或图片，不超过 2 MB。"),
    )


class Assignment(models.Model):
    """A department's part in handling an appeal: 主办 or 协办, from dispatch to reply."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class State(models.TextChoices):
        WAITING = "waiting", _("待签收")
        SIGNED = "signed", _("办理中")
        RETURNED = "returned", _("退单待审核")
        DONE = "done", _("已答复")
        # A 协办 unit still open when the lead's answer was approved: ended without answering.
        CLOSED = "closed", _("协办结束")
        WITHDRAWN = "withdrawn", _("已改派")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("承办方式"), max_length=8, choices=Role.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(_("派单时间"))
    instructions = models.CharField(_("派单意见"), max_length=500, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    sign_clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handle_clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退单理由"), blank=True)
    return_basis = models.CharField(_("退单依据"), max_length=255, blank=True)
    returns = models.PositiveIntegerField(_("退单次数"), default=0)
    extensions = models.PositiveIntegerField(_("延期次数"), default=0)
    opinion = models.TextField(_("协办意见"), blank=True)

    class Meta:
        verbose_name = _("承办")
        verbose_name_plural = _("承办")
        ordering = ["appeal", "role", "dispatched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(role="lead") & ~Q(state="withdrawn"),
                name="appeals_one_active_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal.serial} · {self.department} · {self.get_role_display()}"


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")
        # Its assignment ended before anyone decided (the ticket was answered): nothing to decide.
        WITHDRAWN = "withdrawn", _("已撤回")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="extension_requests"
    )
    amount = models.PositiveIntegerField(_("延长时限"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(state="pending"),
                name="appeals_one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.amount}"

    @property
    def amount_label(self) -> str:
        """The time asked for, in the unit of the handling clock it extends: 5 个工作日, 8 小时."""
        unit = self.assignment.handle_clock.unit
        if unit == Unit.HOURS:
            return _("%(n)s 小时") % {"n": self.amount}
        return _("%(n)s 个%(unit)s") % {"n": self.amount, "unit": Unit(unit).label}


class Reply(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("审核通过")
        REJECTED = "rejected", _("退回重办")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    body = models.TextField(_("答复内容"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.get_state_display()}"


class FollowUp(models.Model):
    """回访: the citizen's rating, given online or to the operator on the phone."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class Fault(models.TextChoices):
        UNIT = "unit", _("承办单位原因")
        OTHER = "other", _("非承办单位原因（政策、诉求不合理等）")

    class Via(models.TextChoices):
        ONLINE = "online", _("网上评价")
        PHONE = "phone", _("电话回访")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="followups")
    satisfaction = models.CharField(_("满意度"), max_length=16, choices=Satisfaction.choices)
    resolved = models.BooleanField(_("问题是否解决"))
    fault = models.CharField(_("不满意原因"), max_length=16, choices=Fault.choices, blank=True)
    via = models.CharField(_("回访方式"), max_length=16, choices=Via.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_satisfaction_display()


class ReportBack(models.Model):
    """The result of a 上级转办件 as sent back to the higher level (seed 003: 处理结果上报)."""

    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="report_back")
    external_ref = models.CharField(max_length=64)
    payload = models.JSONField()
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("转办件反馈")
        verbose_name_plural = _("转办件反馈")

    def __str__(self) -> str:
        return self.external_ref


class Publication(models.Model):
    """A letter selected for the public, masked; the appeal keeps the original."""

    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="publication")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("来信内容"))
    reply = models.TextField(_("答复内容"))
    extra_masks = models.JSONField(default=list)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(db_index=True)
    is_withdrawn = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("信件公开")
        verbose_name_plural = _("信件公开")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class AppealEvent(models.Model):
    """One line of the ticket's timeline (催办/督办 included)."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", _("受理")
        DIRECT = "direct", _("直接办结")
        REFUSE = "refuse", _("不予受理")
        MERGE = "merge", _("并单")
        DISPATCH = "dispatch", _("派单")
        SIGN = "sign", _("签收")
        RETURN = "return", _("退单")
        UPHOLD = "uphold", _("维持派单")
        REASSIGN = "reassign", _("改派")
        EXTEND_ASK = "extend_ask", _("申请延期")
        EXTEND_DECIDE = "extend_decide", _("延期审批")
        # Nobody decided: the assignment ended first (ExtensionRequest.State.WITHDRAWN).
        EXTEND_WITHDRAW = "extend_withdraw", _("延期申请撤回")
        URGE = "urge", _("催办")
        SUPERVISE = "supervise", _("督办")
        OPINION = "opinion", _("协办意见")
        CO_CLOSE = "co_close", _("协办结束")
        REPLY = "reply", _("答复")
        REVIEW = "review", _("答复审核")
        FOLLOWUP = "followup", _("回访")
        REWORK = "rework", _("重办")
        REPORT = "report", _("上报上级")
        PUBLISH = "publish", _("公开")
        UNPUBLISH = "unpublish", _("撤回公开")
        ARCHIVE = "archive", _("归档")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(blank=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
