"""Running a process: open a step's tasks, sign a task (with opinion and time), move on.

Every function runs in the caller's transaction (or its own), writes the task, its clock and the
audit record together, and locks the instance first, so two officers acting on one task, or the
last two branches of a joint review finishing at once, produce exactly one effect.
"""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.audit.actions import batch, record, snapshot
from sunshine.clocks.actions import new_clock, pause_clock, resume_clock, start_clocks, stop_clock
from sunshine.clocks.models import State as ClockState
from sunshine.clocks.models import Unit
from sunshine.errors import ActionError
from sunshine.org.models import Department, Role
from sunshine.org.permissions import has_role, require
from sunshine.workdays.calendar import get_calendar

from . import spec as S
from .models import Instance, ProcessDefinition, Task

VERB_LABELS = {
    S.APPROVE: gettext_lazy("通过"),
    S.RETURN_PREVIOUS: gettext_lazy("退回上一环节"),
    S.RETURN_ANY: gettext_lazy("退回指定环节"),
    S.RETURN_APPLICANT: gettext_lazy("退回申请人"),
    S.REJECT: gettext_lazy("不通过"),
    S.ADD_SIGNER: gettext_lazy("加签"),
    S.TRANSFER: gettext_lazy("转办"),
}
STEP_CLOCK = "workflow.step"
_TASK_FIELDS = ["state", "action", "opinion", "acted_by", "acted_at"]


def start(
    subject: models.Model,
    definition: ProcessDefinition,
    *,
    title: str,
    data: dict[str, Any] | None = None,
    actor: Any = None,
    at: datetime | None = None,
) -> Instance:
    """Pin the subject to this definition version and open its first step."""
    if definition.status != ProcessDefinition.Status.PUBLISHED:
        raise ActionError(_("该审批流程尚未发布。"))
    at = at or timezone.now()
    with transaction.atomic(), batch():
        instance = Instance.objects.create(
            definition=definition,
            content_type=ContentType.objects.get_for_model(subject),
            object_id=str(subject.pk),
            title=title[:200],
            data=data or {},
            started_at=at,
        )
        record(actor, "workflow.start", instance, after={"definition": definition.pk})
        _open_from(instance, 0, at=at, actor=actor)
    return instance


def open_tasks(instance: Instance) -> models.QuerySet[Task]:
    return _pending(instance.tasks.all())


def act(
    actor: Any,
    task: Task,
    verb: str,
    *,
    opinion: str,
    target: str = "",
    to_user: Any = None,
    at: datetime | None = None,
) -> Task:
    """Sign a task: approve, return (previous, any earlier step, applicant), reject, 加签, 转办."""
    require(actor, "workflow.act", task)
    return _perform(actor, task, verb, opinion=opinion, target=target, to_user=to_user, at=at)


def system_approve(task: Task, *, opinion: str, at: datetime | None = None) -> Task:
    """An approval the law makes without anyone signing (视为受理, 《行政许可法》第三十二条)."""
    return _perform(None, task, S.APPROVE, opinion=opinion, at=at)


def resume_from_applicant(instance: Instance, *, actor: Any, at: datetime | None = None) -> None:
    """The applicant answered a return: the step that returned the case opens again, afresh."""
    at = at or timezone.now()
    with transaction.atomic():
        instance = Instance.objects.select_for_update().get(pk=instance.pk)
        if instance.state != Instance.State.WAITING:
            raise ActionError(_("该办件未处于退回申请人状态。"))
        instance.state = Instance.State.RUNNING
        position, instance.resume_position = instance.resume_position or 0, None
        instance.save(update_fields=["state", "resume_position"])
        record(actor, "workflow.resume", instance, after={"position": position})
        _open(instance, position, at=at, actor=actor)


def pause_open_tasks(
    instance: Instance, *, reason: str, actor: Any, at: datetime | None = None, note: str = ""
) -> None:
    for task in open_tasks(instance).filter(clock__state="running").select_related("clock"):
        clock = pause_clock(task.clock, reason=reason, actor=actor, at=at, note=note)
        Task.objects.filter(clock=clock, state=Task.State.PENDING).update(due_at=clock.due_at)


def resume_open_tasks(instance: Instance, *, actor: Any, at: datetime | None = None) -> None:
    for task in open_tasks(instance).filter(clock__state="paused").select_related("clock"):
        clock = resume_clock(task.clock, actor=actor, at=at)
        Task.objects.filter(clock=clock, state=Task.State.PENDING).update(due_at=clock.due_at)


# --- the engine ------------------------------------------------------------------------------


def _perform(
    actor: Any,
    task: Task,
    verb: str,
    *,
    opinion: str,
    target: str = "",
    to_user: Any = None,
    at: datetime | None = None,
) -> Task:
    at = at or timezone.now()
    opinion = (opinion or "").strip()
    if verb not in S.VERBS:
        raise ActionError(_("未知的操作。"))
    if not opinion:
        raise ActionError(_("请填写处理意见。"), field="opinion")
    with transaction.atomic(), batch():
        instance = (
            Instance.objects.select_for_update(of=("self",))
            .select_related("definition")
            .get(pk=task.instance_id)
        )
        # Read after the instance lock, so the clock and the consults are as the last advance
        # left them; the task's clock comes along to be stopped without reading it again.
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("clock")
            .annotate(consulting=Exists(_pending(Task.objects.filter(parent=OuterRef("pk")))))
            .get(pk=task.pk)
        )
        task.instance = instance  # the audit record names the task by its instance's title
        if task.state != Task.State.PENDING or instance.state != Instance.State.RUNNING:
            raise ActionError(_("该任务已处理，请刷新页面。"))
        step = instance.definition.parsed.steps[instance.position]
        allowed = (S.APPROVE,) if task.kind == Task.Kind.CONSULT else step.actions
        if verb not in allowed:
            raise ActionError(_("本环节不允许“%(verb)s”。") % {"verb": VERB_LABELS[verb]})
        if verb == S.APPROVE and task.kind == Task.Kind.STEP and task.consulting:
            raise ActionError(_("加签人尚未签署意见。"))
        before = snapshot(task, _TASK_FIELDS)
        if verb in (S.ADD_SIGNER, S.TRANSFER):
            _hand(actor, instance, task, verb, to_user, opinion=opinion, at=at)
        else:
            _sign(task, verb, actor, opinion, at)
            if task.kind == Task.Kind.STEP:
                _after_sign(instance, step, task, verb, target=target, actor=actor, at=at)
        record(actor, f"workflow.{verb}", task, before=before, after=snapshot(task, _TASK_FIELDS))
    return task


def _sign(task: Task, verb: str, actor: Any, opinion: str, at: datetime) -> None:
    states = {
        S.APPROVE: Task.State.APPROVED,
        S.REJECT: Task.State.REJECTED,
        S.ADD_SIGNER: Task.State.PENDING,
        S.TRANSFER: Task.State.TRANSFERRED,
    }
    task.state = states.get(verb, Task.State.RETURNED)
    task.action, task.opinion, task.acted_by, task.acted_at = verb, opinion, actor, at
    Task.objects.filter(pk=task.pk).update(**{name: getattr(task, name) for name in _TASK_FIELDS})
    if task.clock_id and task.state != Task.State.TRANSFERRED:
        stop_clock(task.clock, outcome=str(VERB_LABELS[verb]), actor=actor, at=at)


def _hand(
    actor: Any,
    instance: Instance,
    task: Task,
    verb: str,
    to_user: Any,
    *,
    opinion: str,
    at: datetime,
) -> None:
    """转办 hands the task (and its clock) to a colleague; 加签 asks one to sign first."""
    if to_user is None or not has_role(to_user, Role.values, task.department):
        raise ActionError(_("请选择本部门的工作人员。"), field="to_user")
    if to_user.pk == getattr(actor, "pk", None):
        raise ActionError(_("不能转办或加签给自己。"), field="to_user")
    if verb == S.TRANSFER:
        _sign(task, verb, actor, opinion, at)
        Task.objects.create(
            instance=instance,
            round=task.round,
            step_key=task.step_key,
            branch_key=task.branch_key,
            name=task.name,
            role=task.role,
            department=task.department,
            assignee=to_user,
            clock=task.clock,
            created_at=at,
            due_at=task.due_at,
        )
        return
    if task.kind == Task.Kind.CONSULT:
        raise ActionError(_("加签任务不能再加签。"))
    consult = Task.objects.create(
        instance=instance,
        round=task.round,
        kind=Task.Kind.CONSULT,
        step_key=task.step_key,
        branch_key=task.branch_key,
        name=_("%(name)s（加签）") % {"name": task.name},
        role=task.role,
        department=task.department,
        assignee=to_user,
        parent=task,
        opinion=opinion,
        created_at=at,
        due_at=task.due_at,
    )
    record(actor, "workflow.consult", consult, after={"assignee": to_user.pk, "note": opinion})


def _after_sign(
    instance: Instance,
    step: S.Step,
    task: Task,
    verb: str,
    *,
    target: str,
    actor: Any,
    at: datetime,
) -> None:
    spec = instance.definition.parsed
    # A step of one lane has one pending task a round (转办 closes the one it hands on): the
    # one just signed. Only a joint review has others to wait for or to cancel.
    pending = []
    if step.parallel:
        pending = list(
            _pending(
                instance.tasks.filter(round=instance.round, kind=Task.Kind.STEP)
            ).select_related("clock")
        )
    if verb == S.APPROVE:
        if step.join == "all" and pending:
            return  # the other branches of the joint review are still deciding
        _cancel(pending, actor, at)
        _open_from(instance, instance.position + 1, at=at, actor=actor)
    elif verb == S.REJECT:
        if step.join == "any" and pending:
            return  # one refusal among "any" branches does not decide yet
        _cancel(pending, actor, at)
        _finish(instance, Instance.State.REJECTED, at)
    elif verb == S.RETURN_APPLICANT:
        _cancel(pending, actor, at)
        instance.state, instance.resume_position = Instance.State.WAITING, instance.position
        instance.save(update_fields=["state", "resume_position"])
    else:
        position = _return_position(instance, spec, verb, target)
        _cancel(pending, actor, at)
        _open(instance, position, at=at, actor=actor)


def _return_position(instance: Instance, spec: S.Spec, verb: str, target: str) -> int:
    ran = [i for i in range(instance.position) if _applies(spec.steps[i], instance)]
    if verb == S.RETURN_PREVIOUS:
        if not ran:
            raise ActionError(_("没有可退回的上一环节。"))
        return ran[-1]
    try:
        position = spec.index(target)
    except S.SpecError:
        position = -1
    if position not in ran:
        raise ActionError(_("只能退回到本环节之前已办理的环节。"), field="target")
    return position


def _pending(tasks: models.QuerySet[Task]) -> models.QuerySet[Task]:
    return tasks.filter(state=Task.State.PENDING)


def _cancel(tasks: list[Task], actor: Any, at: datetime) -> None:
    if not tasks:
        return
    for other in tasks:
        other.state = Task.State.CANCELLED
        if other.clock_id and other.clock.state != ClockState.STOPPED:
            stop_clock(other.clock, outcome=_("撤销"), actor=actor, at=at)
    cancelled = Q(pk__in=[t.pk for t in tasks]) | Q(parent__in=[t.pk for t in tasks])
    _pending(Task.objects.filter(cancelled)).update(state=Task.State.CANCELLED)


def _applies(step: S.Step, instance: Instance) -> bool:
    return step.when is None or step.when.holds(instance.data)


def _open_from(instance: Instance, position: int, *, at: datetime, actor: Any) -> None:
    """Open the first step from `position` whose condition holds; none left means approved."""
    steps = instance.definition.parsed.steps
    while position < len(steps) and not _applies(steps[position], instance):
        position += 1
    if position >= len(steps):
        _finish(instance, Instance.State.APPROVED, at)
    else:
        _open(instance, position, at=at, actor=actor)


def _open(instance: Instance, position: int, *, at: datetime, actor: Any) -> None:
    """The step's tasks, each with its clock: one INSERT for the tasks, one for the clocks."""
    step = instance.definition.parsed.steps[position]
    instance.position, instance.round = position, instance.round + 1
    instance.save(update_fields=["position", "round"])
    lanes = step.lanes()
    departments = dict(
        Department.objects.filter(code__in=[lane.department for lane in lanes]).values_list(
            "code", "pk"
        )
    )
    for lane in lanes:
        if lane.department not in departments:
            raise ActionError(_("流程中的部门“%(code)s”不存在。") % {"code": lane.department})
    tasks = Task.objects.bulk_create(
        Task(
            instance=instance,
            round=instance.round,
            step_key=step.key,
            branch_key=lane.key,
            name=lane.name if step.parallel else step.name,
            role=lane.role,
            department_id=departments[lane.department],
            created_at=at,
        )
        for lane in lanes
    )
    calendar = get_calendar()
    basis = _("《行政许可法》第三十二条") if step.intake else _("承诺环节时限")
    clocks = start_clocks(
        [
            new_clock(
                task,
                kind=STEP_CLOCK,
                title=f"{instance.title} · {task.name}",
                department=task.department_id,
                limit=step.limit,
                unit=Unit.WORKDAYS,
                at=at,
                legal_basis=basis,
                calendar=calendar,
            )
            for task in tasks
        ],
        actor=actor,
    )
    for task, clock in zip(tasks, clocks, strict=True):
        task.clock, task.due_at = clock, clock.due_at
        # One plain UPDATE a lane costs less than bulk_update's CASE for the one or two lanes.
        Task.objects.filter(pk=task.pk).update(clock=clock, due_at=clock.due_at)


def _finish(instance: Instance, state: str, at: datetime) -> None:
    instance.state, instance.finished_at = state, at
    instance.save(update_fields=["state", "finished_at"])
