from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunshine.accounts.validators import mask_id_number

from .fees import FeeMethod
from .outcomes import CHOICES, ApplicantType


class Request(models.Model):
    """A request for disclosure (政府信息公开申请) under 条例第二十九条, addressed to one agency."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网络")
        IN_PERSON = "in_person", _("当面")
        POST = "post", _("邮寄")
        FAX = "fax", _("传真")

    class Form(models.TextChoices):
        PAPER = "paper", _("纸面")
        EMAIL = "email", _("电子邮件")
        DISC = "disc", _("光盘")
        DISK = "disk", _("磁盘")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待确认收到")
        PROCESSING = "processing", _("办理中")
        CORRECTION = "correction", _("待申请人补正")
        CONSULTING = "consulting", _("征求意见中")
        PAYMENT = "payment", _("待缴纳信息处理费")
        LEGAL_REVIEW = "legal_review", _("合法性审查中")
        APPROVED = "approved", _("待送达答复")
        CLOSED = "closed", _("已办结")

    class IdKind(models.TextChoices):
        RESIDENT = "resident", _("居民身份证")
        CREDIT_CODE = "credit_code", _("统一社会信用代码")
        OTHER = "other", _("其他证件")

    number = models.CharField(_("受理编号"), max_length=40, unique=True)
    query_digest = models.CharField(max_length=64, editable=False)
    organisation = models.ForeignKey(
        "org.Department", verbose_name=_("受理机关"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="foi_requests",
    )
    applicant_type = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantType)
    applicant_name = models.CharField(_("姓名或名称"), max_length=128)
    id_kind = models.CharField(
        _("证件类型"), max_length=16, choices=IdKind, default=IdKind.RESIDENT
    )
    id_number = models.CharField(_("证件号码"), max_length=32)
    phone = models.CharField(_("联系电话"), max_length=32)
    address = models.CharField(_("通信地址"), max_length=255, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    info_title = models.CharField(_("所需信息名称"), max_length=255)
    info_number = models.CharField(_("文号"), max_length=64, blank=True)
    description = models.TextField(_("所需信息的特征性描述"), blank=True)
    form = models.CharField(_("提供形式"), max_length=16, choices=Form, default=Form.EMAIL)
    delivery = models.CharField(
        _("获取方式"), max_length=16, choices=Channel, default=Channel.ONLINE
    )
    purpose = models.CharField(_("用途（选填）"), max_length=255, blank=True)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel)

    state = models.CharField(_("状态"), max_length=16, choices=State, default=State.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"))
    received_on = models.DateField(_("收到申请日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    # A reply delivered by hand, post or fax: when the officer recorded it reached the applicant
    # (the e-mailed reply records itself, see ReplyEmail), with the 邮寄单号 or who signed.
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivered_by = models.CharField(_("送达方式"), max_length=16, choices=Channel, blank=True)
    delivery_note = models.CharField(_("送达凭证"), max_length=100, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=CHOICES, blank=True)

    # The draft decision, reviewed by the legal section before it is sent.
    draft_outcome = models.CharField(_("拟办结果"), max_length=16, choices=CHOICES, blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    other_agency = models.CharField(_("负责公开的其他机关及联系方式"), max_length=255, blank=True)
    legal_opinion = models.TextField(_("合法性审查意见"), blank=True)
    legal_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended = models.BooleanField(_("已延期"), default=False)
    corrections = models.PositiveSmallIntegerField(_("补正次数"), default=0)

    fee_method = models.CharField(_("计收方式"), max_length=16, choices=FeeMethod, blank=True)
    fee_amount = models.PositiveIntegerField(_("信息处理费（元）"), null=True, blank=True)
    fee_paid_on = models.DateField(_("缴费日期"), null=True, blank=True)

    letter_docx = models.FileField(_("答复书（Word）"), upload_to="foi/letters/", blank=True)
    letter_pdf = models.FileField(_("答复书（PDF）"), upload_to="foi/letters/", blank=True)
    # Seams to other subsystems: a 12345 case (条例第三十九条) and a proactive
    # publication (第四十四条).
    complaint_case = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("转办的12345工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proactive_publication = models.ForeignKey(
        "publishing.Publication",
        verbose_name=_("转为主动公开的信息"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        indexes = [
            # The annual report: one range scan per organisation, covering every column it reads.
            models.Index(
                fields=["organisation", "received_on", "closed_on", "applicant_type", "outcome"],
                name="foi_report",
            ),
            models.Index(fields=["organisation", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(outcome=""), name="foi_closed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.info_title}"

    @property
    def replied_on(self) -> date | None:
        """The reply's date, the same on the applicant's page and on the staff's: the day the
        letter was signed and sent (签发并送达, one action), which is its date and starts the
        periods for 行政复议 and 行政诉讼. The day the draft was written or passed the legal
        review is internal: nothing had reached the applicant yet."""
        return self.closed_on if self.letter_pdf else None

    @property
    def masked_id_number(self) -> str:
        if self.id_kind == self.IdKind.RESIDENT:
            return mask_id_number(self.id_number)
        return self.id_number


class Step(models.Model):
    """One line of the 办理过程 the applicant sees (internal notes are not public)."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(_("时间"))
    title = models.CharField(_("环节"), max_length=64)
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("申请人可见"), default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.title


class Consultation(models.Model):
    """征求第三方意见 (条例第三十二条) or 征求其他机关意见 (第三十四条): 15 working days
    to answer."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("征求第三方意见")
        OTHER_AGENCY = "other_agency", _("征求其他机关意见")

    class Position(models.TextChoices):
        AGREE = "agree", _("同意公开")
        OBJECT = "object", _("不同意公开")
        SILENT = "silent", _("逾期未答复")

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="consultations")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind)
    party = models.CharField(_("征求对象"), max_length=128)
    question = models.TextField(_("征求事项"))
    sent_at = models.DateTimeField(_("发出时间"))
    position = models.CharField(_("意见"), max_length=16, choices=Position, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.party}"


class Attachment(models.Model):
    """A file disclosed with the reply."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="foi/disclosed/")
    name = models.CharField(_("文件名"), max_length=128)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Remedy(models.Model):
    """行政复议 or 行政诉讼 about a request, counted in section 四 of the annual report."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("行政复议")
        SUIT = "suit", _("行政诉讼（未经复议直接起诉）")
        SUIT_AFTER_REVIEW = "suit_after_review", _("行政诉讼（复议后起诉）")

    class Result(models.TextChoices):
        UPHELD = "upheld", _("结果维持")
        CORRECTED = "corrected", _("结果纠正")
        OTHER = "other", _("其他结果")
        PENDING = "pending", _("尚未审结")

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="remedies")
    kind = models.CharField(_("类别"), max_length=24, choices=Kind)
    filed_on = models.DateField(_("受理日期"))
    result = models.CharField(_("结果"), max_length=16, choices=Result, default=Result.PENDING)
    decided_on = models.DateField(_("审结日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["filed_on", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filed_on}"


class ReplyEmail(models.Model):
    """The reply letter e-mailed to an applicant who asked for the information by e-mail
    (第二十九条、第四十条). Queued with the reply, in its transaction; sent by a task. The row, not
    the task queue, says whether it went out, so staff see it and a lost task is queued again."""

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="reply_email")
    to = models.EmailField(_("收件邮箱"))
    # The applicant's page at the site's public address (PUBLIC_SITE_URL), when one is set:
    # files too large to attach are linked there.
    page_url = models.URLField(_("申请人查看页面"), max_length=500, blank=True)
    queued_at = models.DateTimeField(_("排队时间"))
    tried_at = models.DateTimeField(_("最近一次发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    error = models.CharField(_("最近一次失败原因"), max_length=255, blank=True)
    files_attached = models.BooleanField(_("公开的信息已作附件"), default=False)

    class Meta:
        verbose_name = _("答复书电子邮件")
        verbose_name_plural = _("答复书电子邮件")
        indexes = [
            models.Index(
                fields=["attempts"], condition=Q(sent_at__isnull=True), name="foi_mail_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request.number} → {self.to}"
