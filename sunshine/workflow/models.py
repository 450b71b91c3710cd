"""Process definitions (versioned data), their running instances and the tasks of each step.

Wagtail's Workflow → Task → TaskState shape, generalised: an Instance is pinned to one
definition version, and every task is an indexed row with its own Clock, so that "my tasks,
soonest due first" and "department X's overdue tasks" are single queries.
"""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .spec import Spec, SpecError, check_limits, parse, parse_json


class ProcessDefinition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    key = models.SlugField(_("流程代码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("流程名称"), max_length=128)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    committed_limit = models.PositiveIntegerField(
        _("承诺办结时限（工作日）"),
        help_text=_("各环节（受理环节除外）时限之和不得超过此数。"),
    )
    spec = models.JSONField(_("流程定义"), help_text=_("环节、角色、部门、时限、操作与并联分支。"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="workflow_definition_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    @property
    def parsed(self) -> Spec:
        """The spec as typed objects (parsed once per spec text, see spec.parse_json)."""
        return parse_json(json.dumps(self.spec))

    def clean(self) -> None:
        from sunshine.org.models import Department

        try:
            spec = parse(self.spec)
            check_limits(spec, self.committed_limit or 0)
        except SpecError as error:
            raise ValidationError({"spec": str(error)}) from None
        codes = {lane.department for step in spec.steps for lane in step.lanes()}
        known = set(Department.objects.filter(code__in=codes).values_list("code", flat=True))
        if codes - known:
            missing = "、".join(sorted(codes - known))
            raise ValidationError({"spec": _("部门代码不存在：%(codes)s。") % {"codes": missing}})
        if self.pk and self.instances.exists():
            old = type(self).objects.get(pk=self.pk)
            if old.spec != self.spec or old.committed_limit != self.committed_limit:
                raise ValidationError(_("已有办件使用此版本，不能修改；请另建新版本。"))


class Instance(models.Model):
    """One run of a definition for one case (an application, …), pinned to that version."""

    class State(models.TextChoices):
        RUNNING = "running", _("办理中")
        WAITING = "waiting", _("退回申请人")
        APPROVED = "approved", _("通过")
        REJECTED = "rejected", _("未通过")

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("标题"), max_length=200)
    data = models.JSONField(_("条件数据"), default=dict, blank=True)
    # What the intake step's clock cites: the case's own rule (a licence's 《行政许可法》第三十二条,
    # a 备案's own measure), which the definition, shared by items, cannot know.
    intake_basis = models.CharField(_("受理时限依据"), max_length=255, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    position = models.PositiveIntegerField(_("当前环节序号"), default=0)
    round = models.PositiveIntegerField(default=0)
    resume_position = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("流程实例")
        verbose_name_plural = _("流程实例")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def step(self):
        return self.definition.parsed.steps[self.position]


class Task(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待办")
        APPROVED = "approved", _("通过")
        RETURNED = "returned", _("退回")
        REJECTED = "rejected", _("不通过")
        TRANSFERRED = "transferred", _("已转办")
        CANCELLED = "cancelled", _("已撤销")

    class Kind(models.TextChoices):
        STEP = "step", _("环节")
        CONSULT = "consult", _("加签")

    # Foreign keys whose lookups an index below already leads with carry no index of their own:
    # every index is written on every advance.
    instance = models.ForeignKey(
        Instance, on_delete=models.PROTECT, related_name="tasks", db_index=False
    )
    round = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.STEP)
    step_key = models.CharField(max_length=64)
    branch_key = models.CharField(max_length=64, blank=True)
    name = models.CharField(_("环节"), max_length=128)
    role = models.CharField(_("角色"), max_length=32)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="consults"
    )
    clock = models.ForeignKey(
        "clocks.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    # The signature: who, what, the opinion and the time (案卷评查: 意见与时间，不只是签名).
    action = models.CharField(_("业务动作"), max_length=32, blank=True)
    opinion = models.TextField(_("处理意见"), blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    acted_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批任务")
        verbose_name_plural = _("审批任务")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["department", "due_at"],
                name="task_pending_dept_due",
                condition=Q(state="pending"),
            ),
            models.Index(
                fields=["assignee", "due_at"],
                name="task_pending_assignee_due",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["acted_by", "acted_at"]),
            models.Index(fields=["instance", "round", "state"]),
        ]

    def __str__(self) -> str:
        return label(self.instance.title, self.name)


def label(title: str, name: str) -> str:
    """How a task is named (audit records, lists): its case's title and its step."""
    return f"{title} · {name}"
