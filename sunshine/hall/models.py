"""Service items (事项, 办事指南) and applications (办件), with the names and codes of
GB/T 39046-2020 《政务服务平台基础数据规范》 (附录A code lists)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sunshine.workflow.models import ProcessDefinition


class ItemType(models.TextChoices):
    """A.1 事项类型."""

    POWER = "00", _("行政权力事项")
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COMPULSION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER = "10", _("其他类别事项")
    PUBLIC_SERVICE = "20", _("公共服务事项")


class Level(models.TextChoices):
    """A.2 行使层级."""

    NATIONAL = "1", _("国家级")
    PROVINCE = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")
    TOWNSHIP = "5", _("镇（乡、街道）级")
    VILLAGE = "6", _("村（社区）级")
    SHARED = "7", _("分级管理")


class ServiceObject(models.TextChoices):
    """A.4 服务对象."""

    PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    INSTITUTION = "3", _("事业法人")
    SOCIAL = "4", _("社会组织法人")
    AGENCY = "5", _("行政机关")
    OTHER = "6", _("其他组织")


class HandlingForm(models.TextChoices):
    """A.5 办理形式 (also the 申报来源 of an application)."""

    COUNTER = "1", _("窗口办理")
    ONLINE = "2", _("电脑端网上办理")
    MOBILE = "3", _("移动端网上申请")
    POST = "4", _("快递申请")
    OTHER = "9", _("其他")


class CaseType(models.TextChoices):
    """A.6 办件类型."""

    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")
    OTHER = "9", _("其他")


class SpecialProcedureType(models.TextChoices):
    """A.7 特别程序种类."""

    EXTENSION = "1", _("延长审批")
    OTHER = "2", _("除延长审批之外的情况")


class SpecialKind(models.TextChoices):
    """The procedures whose time 《行政许可法》第四十五条 does not count."""

    HEARING = "hearing", _("听证")
    TENDER = "tender", _("招标")
    AUCTION = "auction", _("拍卖")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT = "expert", _("专家评审")


class Satisfaction(models.IntegerChoices):
    """A.8 满意度; 4 and 5 are 差评."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    FAIR = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


class OnlineDepth(models.TextChoices):
    """网上办理深度: a set, not a level."""

    CONSULT = "1", _("互联网咨询")
    RECEIVE = "2", _("互联网收件")
    PREVIEW = "3", _("互联网预审")
    ACCEPT = "4", _("互联网受理")
    HANDLE = "5", _("互联网办理")
    RESULT = "6", _("互联网办理结果信息反馈")
    LICENCE = "7", _("互联网电子证照反馈")


class ResultType(models.TextChoices):
    CERTIFICATE = "certificate", _("出证办结")
    DOCUMENT = "document", _("出文办结")
    APPROVAL = "approval", _("审批办结")


class Theme(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", _("主题")
        LIFE_EVENT = "life_event", _("人生事件")

    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["kind", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="hall_theme_unique")]

    def __str__(self) -> str:
        return self.name


def _codes(values: list[str], choices: type[models.TextChoices]) -> None:
    if not isinstance(values, list) or any(v not in choices.values for v in values):
        raise ValidationError(_("代码不在标准代码表中。"))


class ServiceItem(models.Model):
    """One version of an item's implementation list entry (实施清单) and guide (办事指南).

    Applications point at the version they were filed under; a change makes a new version
    (actions.publish_version), and the old one stays as it was, no longer current. The
    versions of one item share its 实施编码.
    """

    name = models.CharField(_("事项名称"), max_length=200)
    basic_code = models.CharField(_("基本编码"), max_length=36)
    impl_code = models.CharField(_("实施编码"), max_length=64)
    version = models.PositiveIntegerField(_("事项版本"), default=1)
    is_current = models.BooleanField(_("现行版本"), default=True)
    effective_from = models.DateField(_("施行日期"), default=timezone.localdate)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    case_type = models.CharField(_("办件类型"), max_length=1, choices=CaseType.choices)
    level = models.CharField(_("行使层级"), max_length=1, choices=Level.choices)
    service_objects = models.JSONField(_("服务对象"), default=list)
    handling_forms = models.JSONField(_("办理形式"), default=list)
    online_depth = models.JSONField(_("网上办理深度"), default=list)
    special_procedures = models.JSONField(
        _("特别程序"),
        default=list,
        blank=True,
        help_text=_("可能适用的特别程序，如 hearing、expert。"),
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="+"
    )
    handling_unit = models.ForeignKey(
        "org.Department", verbose_name=_("承办机构"), on_delete=models.PROTECT, related_name="+"
    )
    co_departments = models.ManyToManyField(
        "org.Department", verbose_name=_("共同实施部门"), blank=True, related_name="+"
    )
    conditions = models.TextField(_("受理条件"))
    statutory_limit = models.PositiveIntegerField(_("法定办结时限（工作日）"))
    committed_limit = models.PositiveIntegerField(_("承诺办结时限（工作日）"))
    limit_note = models.CharField(_("时限说明"), max_length=255, blank=True)
    free = models.BooleanField(_("不收费"), default=True)
    place = models.CharField(_("办理地点"), max_length=255)
    hours = models.CharField(_("办理时间"), max_length=255)
    consult_phone = models.CharField(_("咨询电话"), max_length=64)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=64)
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    visit_reason = models.CharField(_("必须现场办理原因说明"), max_length=255, blank=True)
    result_type = models.CharField(_("审批结果类型"), max_length=16, choices=ResultType.choices)
    result_name = models.CharField(_("审批结果名称"), max_length=128)
    remedies = models.TextField(
        _("救济途径"),
        help_text=_("行政复议、行政诉讼的机关与期限，写入不予受理、不予许可决定书。"),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("主题分类"), blank=True)
    process = models.ForeignKey(
        "workflow.ProcessDefinition",
        verbose_name=_("审批流程"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["impl_code", "version"], name="hall_item_version"),
            models.UniqueConstraint(
                fields=["impl_code"], condition=Q(is_current=True), name="hall_item_one_current"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "name"])]

    def __str__(self) -> str:
        return self.name

    def labels(self) -> dict[str, str]:
        """The coded set fields as the guide shows them."""
        return {
            name: "、".join(
                str(dict(choices.choices).get(code, code)) for code in getattr(self, name)
            )
            for name, choices in (
                ("service_objects", ServiceObject),
                ("handling_forms", HandlingForm),
                ("online_depth", OnlineDepth),
                ("special_procedures", SpecialKind),
            )
        }

    @property
    def is_joint(self) -> bool:
        return any(step.parallel for step in self.process.parsed.steps)

    @property
    def is_licensing(self) -> bool:
        """A 行政许可, the only kind of item 《行政许可法》 governs; any other (备案 …) follows the
        rules that set it."""
        return self.item_type == ItemType.LICENSING

    def basis(self, article: str) -> str:
        """What a stage of the procedure rests on: the article of 《行政许可法》 for a 行政许可,
        the only kind that law governs; for any other item (备案 …) its own legal basis."""
        if self.is_licensing:
            return gettext("《中华人民共和国行政许可法》%(article)s") % {"article": article}
        own = "、".join(f"{b.law}{b.article}" for b in self.bases.all())
        return own or gettext("办事指南")

    @property
    def intake_basis(self) -> str:
        return self.basis(gettext("第三十二条"))

    @property
    def fee_ceiling(self) -> Decimal | None:
        """The most a case may be charged: nothing when 不收费, else the sum of the fee standards'
        per-case ceilings; None when one of them depends on the case (no ceiling known). The
        same reading as supervision's 违规收费 rule."""
        if self.free:
            return Decimal(0)
        amounts = [fee.amount for fee in self.fees.all()]
        return None if None in amounts else sum(amounts, Decimal(0))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name, choices in (
            ("service_objects", ServiceObject),
            ("handling_forms", HandlingForm),
            ("online_depth", OnlineDepth),
            ("special_procedures", SpecialKind),
        ):
            try:
                _codes(getattr(self, name), choices)
            except ValidationError as error:
                errors[name] = error.messages[0]
        if self.committed_limit and self.statutory_limit:
            if self.committed_limit > self.statutory_limit:
                errors["committed_limit"] = _("承诺办结时限不得超过法定办结时限。")
        if self.visits and not self.visit_reason.strip():
            errors["visit_reason"] = _("需到现场办理的，须说明必须现场办理的原因。")
        if self.process_id and self.process.status != ProcessDefinition.Status.PUBLISHED:
            # workflow.start refuses anything else: nobody could file under this version.
            errors["process"] = _("只能选用已发布的审批流程版本。")
        elif self.process_id and self.committed_limit:
            total = self.process.parsed.total_limit
            if total > self.committed_limit:
                errors["process"] = _(
                    "审批流程各环节时限合计 %(total)s 个工作日，超过承诺办结时限。"
                ) % {"total": total}
        if errors:
            raise ValidationError(errors)


class LegalBasis(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="bases")
    law = models.CharField(_("法律法规名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    article = models.CharField(_("条款号"), max_length=64, blank=True)
    text = models.TextField(_("条款内容"), blank=True)

    class Meta:
        verbose_name = _("设定依据")
        verbose_name_plural = _("设定依据")

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=1)
    blank_form = models.FileField(_("空白表格"), upload_to="hall/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="hall/forms/", blank=True)
    basis = models.CharField(_("要求提供材料的依据"), max_length=255)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("收费项目名称"), max_length=128)
    standard = models.CharField(_("收费标准"), max_length=255)
    # The standard as a ceiling per case in yuan, where it is one; None when it depends on the case.
    amount = models.DecimalField(
        _("每件收费上限（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("按件收费的上限；随具体情况计算的留空。"),
    )
    basis = models.CharField(_("收费依据"), max_length=255)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="hall_fee_amount_gte_0"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """An application (办件), pinned to the item version it was filed under."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待受理")
        CORRECTION = "correction", _("待补正")
        IN_REVIEW = "in_review", _("审查中")
        # Decided (《行政许可法》第三十八条), not yet served (第四十四条).
        DECIDED = "decided", _("决定已作出，待送达")
        RETURNED = "returned", _("退回申请人")
        REFUSED = "refused", _("不予受理")
        COMPLETED = "completed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Decision(models.TextChoices):
        GRANTED = "granted", _("准予许可")
        DENIED = "denied", _("不予许可")

    number = models.CharField(_("办件编号"), max_length=32, unique=True, null=True, blank=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账户"),
        on_delete=models.PROTECT,
        related_name="hall_applications",
    )
    applicant_name = models.CharField(_("申请人"), max_length=128)
    contact_phone = models.CharField(_("联系电话"), max_length=32)
    channel = models.CharField(_("申报来源"), max_length=1, choices=HandlingForm.choices)
    project = models.CharField(_("申请内容"), max_length=200)
    address = models.CharField(_("经营（项目）地址"), max_length=255, blank=True)
    description = models.TextField(_("情况说明"), blank=True)
    # The filling-in of the online form this came from: sent twice at once (a double click), it
    # is still one application (see the constraint below).
    form_key = models.CharField(max_length=32, blank=True, editable=False)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("窗口登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(_("收件时间"), null=True, blank=True)
    correction_requested_at = models.DateTimeField(_("补正告知时间"), null=True, blank=True)
    correction_items = models.TextField(_("补正内容"), blank=True)
    corrected_at = models.DateTimeField(_("补正材料收齐时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    deemed_accepted = models.BooleanField(_("逾期视为受理"), default=False)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    decision = models.CharField(_("决定"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # What the case was actually charged (None: not recorded), so 违规收费 can be checked against
    # the item's fee standards.
    fee_charged = models.DecimalField(
        _("实收费用（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The decision as published on the portal (条例 Art. 20(5)); None until then or when not public.
    publication = models.ForeignKey(
        "publishing.Publication",
        verbose_name=_("结果公开"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    instance = models.OneToOneField(
        "workflow.Instance", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statutory_clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committed_clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["applicant", "state"]),
            models.Index(fields=["state", "received_at"]),
        ]
        constraints = [
            # The annual report counts decisions by these two: one is never set without the other.
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True)
                | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="hall_decision_has_time",
            ),
            models.CheckConstraint(
                condition=Q(fee_charged__isnull=True) | Q(fee_charged__gte=0),
                name="hall_fee_not_negative",
            ),
            models.UniqueConstraint(
                fields=["applicant", "form_key"],
                condition=~Q(form_key=""),
                name="hall_one_application_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('草稿')} {self.item.name}"

    @property
    def decision_label(self) -> str:
        """The decision as the case and its clocks name it: no licence is granted or refused for
        an item that is not a 行政许可 (a 备案 …), what it asks for is done or not."""
        if not self.decision or self.item.is_licensing:
            return self.get_decision_display()
        granted = self.decision == self.Decision.GRANTED
        return gettext("准予办理") if granted else gettext("不予办理")


class SubmittedMaterial(models.Model):
    class Review(models.TextChoices):
        PENDING = "pending", _("待预审")
        ACCEPTED = "accepted", _("符合要求")
        CORRECT = "correct", _("需补正")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="files")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("文件"), upload_to="hall/materials/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    review = models.CharField(
        _("预审"), max_length=16, choices=Review.choices, default=Review.PENDING
    )
    review_note = models.CharField(_("预审意见"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("申请材料文件")
        verbose_name_plural = _("申请材料文件")
        ordering = ["material__sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A written notice the law requires (文书), kept as data and rendered as .docx/PDF."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("申请材料接收凭证")
        CORRECTION = "correction", _("补正材料通知书")
        ACCEPTANCE = "acceptance", _("受理通知书")
        REFUSAL = "refusal", _("不予受理决定书")
        SPECIAL = "special", _("行政许可特别程序告知书")
        EXTENSION = "extension", _("行政许可延期通知书")
        GRANT = "grant", _("准予行政许可决定书")
        DENIAL = "denial", _("不予行政许可决定书")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("文书"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=64)
    body = models.JSONField(_("正文"), default=list)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def title(self) -> str:
        """The document's title. The kinds are named for a 行政许可; for another item (a 备案 …)
        nothing is licensed: what a grant issues is the item's own result (a 备案证明 …)."""
        item = self.application.item
        if item.is_licensing:
            return self.get_kind_display()
        if self.kind == self.Kind.GRANT:
            return item.result_name
        other = {
            self.Kind.SPECIAL: gettext("特别程序告知书"),
            self.Kind.EXTENSION: gettext("延期办理通知书"),
            self.Kind.DENIAL: gettext("不予办理决定书"),
        }
        return other.get(self.kind) or self.get_kind_display()


class SpecialProcedure(models.Model):
    """A period 《行政许可法》第四十五条 does not count: the case clocks pause while it lasts."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="special_procedures"
    )
    kind = models.CharField(_("特别程序"), max_length=16, choices=SpecialKind.choices)
    reason = models.TextField(_("启动理由或依据"))
    declared_days = models.PositiveIntegerField(_("所需时间（工作日）"))
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    result = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Rating(models.Model):
    """好差评, 一事一评 (GB/T 39046 表9)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    comment = models.TextField(_("文字评价"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16, default="pc")
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.UniqueConstraint(fields=["application"], name="hall_one_rating_per_case")
        ]

    def __str__(self) -> str:
        return self.get_score_display()

    @property
    def is_bad(self) -> bool:
        return self.score >= Satisfaction.DISSATISFIED


class FollowUp(models.Model):
    """The 整改 case a 差评 opens: call back, fix or explain, reply to the rater."""

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已办结")

    class Resolution(models.TextChoices):
        FIXED = "fixed", _("立行立改")
        EXPLAINED = "explained", _("解释说明")
        APPEAL = "appeal", _("申诉复核")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_note = models.TextField(_("回访核实情况"), blank=True)
    resolution = models.CharField(
        _("处置方式"), max_length=16, choices=Resolution.choices, blank=True
    )
    reply = models.TextField(_("反馈申请人"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return str(self.rating.application)
