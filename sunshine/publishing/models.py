"""主动公开: the catalogue and guide, publications with their metadata, the review chain
(Wagtail's Workflow → Task → TaskState shape) and the sites and columns of the website group.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sunshine.org.models import Department, Role


class Theme(models.Model):
    """主题分类 of the gov.cn policy library (two levels), shipped as data, locally extensible."""

    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题分类")
        verbose_name_plural = _("主题分类")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_theme_name"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class Category(models.Model):
    """A node of an organisation's 政府信息公开目录 (条例 Art. 12), kept by its administrators."""

    organisation = models.ForeignKey(
        Department, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("名称"), max_length=128)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("目录分类")
        verbose_name_plural = _("目录分类")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="unique_category_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class Guide(models.Model):
    """政府信息公开指南 (条例 Art. 12): how information is arranged and obtained, and the office."""

    organisation = models.OneToOneField(
        Department, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    arrangement = models.TextField(_("信息分类与编排体系"))
    obtaining = models.TextField(_("获取方式"))
    requesting = models.TextField(_("依申请公开的办理"))
    remedies = models.TextField(_("监督和救济"), blank=True)
    office_name = models.CharField(_("工作机构名称"), max_length=128)
    address = models.CharField(_("办公地址"), max_length=255)
    hours = models.CharField(_("办公时间"), max_length=128)
    phone = models.CharField(_("联系电话"), max_length=64)
    fax = models.CharField(_("传真号码"), max_length=64, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公开指南")
        verbose_name_plural = _("公开指南")

    def __str__(self) -> str:
        return f"{self.organisation} {_('政府信息公开指南')}"


class SensitiveTerm(models.Model):
    """A marking the 保密 pre-check looks for (绝密, 机密 …), edited by administrators."""

    term = models.CharField(_("词语"), max_length=32, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("保密敏感词")
        verbose_name_plural = _("保密敏感词")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class Site(models.Model):
    """A site of the website group (网站群): the main portal or a unit's sub-site."""

    code = models.SlugField(_("站点代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    organisation = models.ForeignKey(
        Department, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    is_main = models.BooleanField(_("主站"), default=False)

    class Meta:
        verbose_name = _("站点")
        verbose_name_plural = _("站点")
        ordering = ["-is_main", "pk"]

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    """栏目 of a site; a publication appears in as many columns as it is placed in."""

    site = models.ForeignKey(
        Site, verbose_name=_("站点"), on_delete=models.PROTECT, related_name="columns"
    )
    slug = models.SlugField(_("栏目代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    view_count = models.PositiveBigIntegerField(_("访问量"), default=0)

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")
        ordering = ["site", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["site", "slug"], name="unique_column")]

    def __str__(self) -> str:
        return f"{self.site.name} · {self.name}"


class Publication(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("不予发布")
        PUBLISHED = "published", _("已发布")
        WITHHELD = "withheld", _("免于公开")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Disclosure(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        NOT_DISCLOSED = "not_disclosed", _("不予公开")

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        ABOLISHED = "abolished", _("废止")
        EXPIRED = "expired", _("失效")

    class Kind(models.TextChoices):
        """Art. 20(1) documents are counted by kind for the annual report."""

        RULE = "rule", _("规章")
        NORMATIVE = "normative", _("行政规范性文件")
        DOCUMENT = "document", _("其他公文")
        INFORMATION = "information", _("其他信息")

    organisation = models.ForeignKey(
        Department, verbose_name=_("发布机构"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("信息员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    index_number = models.CharField(_("索引号"), max_length=64, unique=True, null=True, blank=True)
    title = models.CharField(_("标题"), max_length=255)
    doc_number = models.CharField(_("发文字号"), max_length=64, blank=True)
    kind = models.CharField(
        _("文件类别"), max_length=16, choices=Kind.choices, default=Kind.INFORMATION
    )
    written_on = models.DateField(_("成文日期"))
    published_at = models.DateTimeField(_("发布日期"), null=True, blank=True, db_index=True)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("主题分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("目录分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    disclosure = models.CharField(
        _("公开方式"), max_length=16, choices=Disclosure.choices, default=Disclosure.PROACTIVE
    )
    validity = models.CharField(
        _("有效性"), max_length=16, choices=Validity.choices, default=Validity.VALID
    )
    validity_on = models.DateField(_("有效性变更日期"), null=True, blank=True)
    validity_reason = models.CharField(_("有效性变更理由"), max_length=255, blank=True)
    summary = models.CharField(_("内容概述"), max_length=200, blank=True)
    body = models.TextField(_("正文"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=128, blank=True)
    related = models.ManyToManyField("self", verbose_name=_("相关文件"), blank=True)
    columns = models.ManyToManyField(
        Column,
        verbose_name=_("发布栏目"),
        through="Placement",
        blank=True,
        related_name="publications",
    )
    source_request = models.CharField(_("来源申请"), max_length=64, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=255, blank=True)
    rereview_on = models.DateField(_("下次复审日期"), null=True, blank=True, db_index=True)
    clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    view_count = models.PositiveBigIntegerField(_("访问量"), default=0)
    # Raised by every action that changes what the public page shows (withdrawal, 废止/失效,
    # related items): cached copies of the page are keyed by it.
    page_revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公开信息")
        verbose_name_plural = _("公开信息")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "state", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.WITHDRAWN)


class Placement(models.Model):
    column = models.ForeignKey(Column, on_delete=models.PROTECT, related_name="placements")
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="placements"
    )
    pinned = models.BooleanField(_("置顶"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["column", "publication"], name="unique_placement")
        ]

    def __str__(self) -> str:
        return f"{self.column} · {self.publication}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"publishing/{instance.publication_id}/{filename}"


class Attachment(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=160)
    kind = models.CharField(_("类型"), max_length=16)
    size = models.PositiveBigIntegerField(_("大小"))
    text = models.TextField(_("提取的文字"), blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ReviewChain(models.Model):
    """The review chain an organisation configured (Wagtail's Workflow)."""

    organisation = models.OneToOneField(
        Department, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=64)

    class Meta:
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")

    def __str__(self) -> str:
        return self.name


class ReviewStep(models.Model):
    """One ordered step of a chain and the role that acts on it (Wagtail's Task)."""

    chain = models.ForeignKey(ReviewChain, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=64)
    role = models.CharField(_("审核角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["chain", "order"]
        constraints = [models.UniqueConstraint(fields=["chain", "order"], name="unique_step_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_secrecy(self) -> bool:
        return self.role == Role.SECRECY


class Submission(models.Model):
    """One pass of a publication through its chain (Wagtail's WorkflowState)."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("审核中")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")
        REJECTED = "rejected", _("不予发布")
        WITHHELD = "withheld", _("免于公开")

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="submissions"
    )
    chain = models.ForeignKey(ReviewChain, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.publication} · {self.get_state_display()}"


class Task(models.Model):
    """The state of one step in one submission: who decided, when, and why (TaskState)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("不予发布")
        REFERRED = "referred", _("已报审")

    class Decision(models.TextChoices):
        """保密审查 decision, recorded with its basis and kept for inspection."""

        PUBLISH = "publish", _("公开")
        EXEMPT = "exempt", _("免于公开")
        REFER = "refer", _("需报审")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="tasks")
    step = models.ForeignKey(ReviewStep, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    opinion = models.TextField(_("审核意见"), blank=True)
    decision = models.CharField(
        _("保密审查结论"), max_length=16, choices=Decision.choices, blank=True
    )
    legal_basis = models.CharField(_("依据"), max_length=255, blank=True)
    findings = models.JSONField(_("预检结果"), default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.step} · {self.get_state_display()}"
