"""Running a process: open a step's tasks, sign a task (with opinion and time), move on.

Every function runs in the caller's transaction (or its own), writes the task, its clock and the
audit record together, and locks the instance first, so two officers acting on one task, or the
last two branches of a joint review finishing at once, produce exactly one effect.

An advance is the hot path of the whole hall, so it is a few raw statements: the task read with
its instance (locked), definition and clock; a guarded UPDATE signs it (no row: someone acted
first); its clock stopped; the next step's tasks and clocks inserted; the audit rows. The ORM
models remain the schema and serve the rare verbs' extra rows and every page.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.audit.actions import batch, record, snapshot
from sunshine.clocks.actions import new_clock, pause_clock, resume_clock, start_clocks, stop_clock
from sunshine.clocks.models import Clock, Unit
from sunshine.clocks.models import State as ClockState
from sunshine.core.rows import aware
from sunshine.errors import ActionError
from sunshine.org.models import Department, Role
from sunshine.org.permissions import has_role, require
from sunshine.workdays.calendar import REVISION_SELECT, UNREAD, get_calendar

from . import spec as S
from .models import Instance, ProcessDefinition, Task, label

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
    intake_basis: str = "",
    actor: Any = None,
    at: datetime | None = None,
) -> Instance:
    """Pin the subject to this definition version and open its first step. `intake_basis` is the
    rule the intake step's time limit comes from, cited by its clock."""
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
            intake_basis=intake_basis,
            started_at=at,
        )
        record(actor, "workflow.start", instance, after={"definition": definition.pk})
        _open_from(_Case.of(instance), 0, at=at, actor=actor)
    return instance


def open_tasks(instance: Instance) -> models.QuerySet[Task]:
    return _pending(instance.tasks.all())


def allowed_verbs(task: Task, step: S.Step) -> tuple[str, ...]:
    """What a signature on a task of the step may do: a consult only approves (加签 asks for an
    opinion, not for the case to be moved), a step what its definition lists."""
    return (S.APPROVE,) if task.kind == Task.Kind.CONSULT else step.actions


def return_targets(instance: Instance) -> list[S.Step]:
    """The earlier steps a 退回指定环节 may go back to: those the case went through."""
    case = _Case.of(instance)
    return [case.spec.steps[i] for i in _ran(case)]


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
        _open(_Case.of(instance), position, at=at, actor=actor)


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


@dataclass
class _Case:
    """What an advance needs of its instance: read with the task, or taken from the model."""

    pk: int
    title: str
    state: str
    position: int
    round: int
    data: dict[str, Any]
    spec: S.Spec
    intake_basis: str = ""
    calendar_revision: int | None = UNREAD

    @classmethod
    def of(cls, instance: Instance) -> "_Case":
        return cls(
            instance.pk,
            instance.title,
            instance.state,
            instance.position,
            instance.round,
            instance.data,
            instance.definition.parsed,
            instance.intake_basis,
        )


_TASK = Task._meta.db_table
_INSTANCE = Instance._meta.db_table
_CLOCK = Clock._meta.db_table
_TASK_COLUMNS = [f.column for f in Task._meta.concrete_fields]
_TASK_TIMES = [i for i, f in enumerate(Task._meta.concrete_fields) if f.column.endswith("_at")]
# The clock fields stopping it needs (stop_clock and its audit snapshot), in the model's order
# as Clock.from_db takes them; the rest stay deferred.
_CLOCK_FIELDS = [
    f.attname
    for f in Clock._meta.concrete_fields
    if f.attname
    in {"id", "state", "limit", "started_at", "due_at", "remaining", "on_time", "title"}
]
_CLOCK_TIMES = [i for i, name in enumerate(_CLOCK_FIELDS) if name.endswith("_at")]
_CLOCK_SELECT = ", ".join(f'c."{name}"' for name in _CLOCK_FIELDS)
_READ = (
    f"SELECT {', '.join(f't.{c}' for c in _TASK_COLUMNS)}, i.title, i.state, i.position, "  # noqa: S608
    f"i.round, i.data, d.spec, i.intake_basis, {REVISION_SELECT}, {_CLOCK_SELECT} FROM {_TASK} t "
    f"JOIN {_INSTANCE} i ON i.id = t.instance_id "
    f"JOIN {ProcessDefinition._meta.db_table} d ON d.id = i.definition_id "
    f"LEFT JOIN {_CLOCK} c ON c.id = t.clock_id WHERE t.id = %s"
)
_PENDING_STEPS = (
    f"SELECT t.id, {_CLOCK_SELECT} FROM {_TASK} t LEFT JOIN {_CLOCK} c ON c.id = t.clock_id "  # noqa: S608
    f"WHERE t.instance_id = %s AND t.round = %s AND t.kind = '{Task.Kind.STEP}' "
    f"AND t.state = '{Task.State.PENDING}'"
)
_SIGN = (
    f"UPDATE {_TASK} SET state = %s, action = %s, opinion = %s, acted_by_id = %s, acted_at = %s "  # noqa: S608
    f"WHERE id = %s AND state = '{Task.State.PENDING}'"
)
# An approval waits for the officers asked to sign first (加签).
_NO_CONSULT = (
    f" AND NOT EXISTS (SELECT 1 FROM {_TASK} k WHERE k.parent_id = %s "  # noqa: S608
    f"AND k.state = '{Task.State.PENDING}')"
)
_LANE = (
    "SELECT %s, %s, %s, %s, %s, %s, %s, d.id, %s, '', '', %s "  # noqa: S608
    f"FROM {Department._meta.db_table} d WHERE d.code = %s"
)
_OPEN = (
    f"INSERT INTO {_TASK} (instance_id, round, kind, step_key, branch_key, name, role, "
    "department_id, state, action, opinion, created_at) "
)


def _clock(values: tuple[Any, ...]) -> Clock | None:
    """A Clock from the `_CLOCK_SELECT` columns, its other fields deferred; None if no clock."""
    if values[0] is None:
        return None
    row = list(values)
    for i in _CLOCK_TIMES:
        row[i] = aware(row[i])
    return Clock.from_db(transaction.get_connection().alias, _CLOCK_FIELDS, row)


def _locked(pk: int) -> tuple[Task, _Case, Clock | None]:
    """The task with its instance (locked: every advance of a case queues here) and clock.

    On PostgreSQL the instance row is re-read once the lock is granted, the task and clock rows
    may be as they were before: the writes that follow are guarded (the task must still be
    pending, the clock unchanged) so that a concurrent advance is never undone."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(_READ + lock, [pk])
        row = cursor.fetchone()
    if row is None:
        raise ActionError(_("该任务不存在。"))
    n = len(_TASK_COLUMNS)
    values = list(row[:n])
    for i in _TASK_TIMES:
        values[i] = aware(values[i])
    task = Task.from_db(connection.alias, None, values)
    title, state, position, rnd, data, spec, basis, revision = row[n : n + 8]
    data, spec = json.loads(data), S.parse_json(spec)
    case = _Case(task.instance_id, title, state, position, rnd, data, spec, basis, revision)
    return task, case, _clock(row[n + 8 :])


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
        task, case, clock = _locked(task.pk)
        if task.state != Task.State.PENDING or case.state != Instance.State.RUNNING:
            raise ActionError(_("该任务已处理，请刷新页面。"))
        step = case.spec.steps[case.position]
        if verb not in allowed_verbs(task, step):
            raise ActionError(_("本环节不允许“%(verb)s”。") % {"verb": VERB_LABELS[verb]})
        before = snapshot(task, _TASK_FIELDS)
        if verb in (S.ADD_SIGNER, S.TRANSFER):
            _hand(actor, case, task, clock, verb, to_user, opinion=opinion, at=at)
        else:
            _sign(task, clock, verb, actor, opinion, at)
            if task.kind == Task.Kind.STEP:
                _after_sign(case, step, task, verb, target=target, actor=actor, at=at)
        record(
            actor,
            f"workflow.{verb}",
            task,
            before=before,
            after=snapshot(task, _TASK_FIELDS),
            object_repr=label(case.title, task.name),
        )
    return task


def _sign(
    task: Task, clock: Clock | None, verb: str, actor: Any, opinion: str, at: datetime
) -> None:
    """The signature (state, verb, opinion, who and when) on a task still pending, and its clock
    stopped; a task someone else signed first is refused, leaving theirs as it stands."""
    states = {
        S.APPROVE: Task.State.APPROVED,
        S.REJECT: Task.State.REJECTED,
        S.TRANSFER: Task.State.TRANSFERRED,
    }
    state = states.get(verb, Task.State.RETURNED)
    connection = transaction.get_connection()
    actor_id = getattr(actor, "pk", None)
    params = [state, verb, opinion, actor_id, connection.ops.adapt_datetimefield_value(at), task.pk]
    sql = _SIGN
    if verb == S.APPROVE and task.kind == Task.Kind.STEP:
        sql, params = sql + _NO_CONSULT, [*params, task.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        signed = cursor.rowcount
    if not signed:
        if sql != _SIGN and _pending(Task.objects.filter(parent=task.pk)).exists():
            raise ActionError(_("加签人尚未签署意见。"))
        raise ActionError(_("该任务已处理，请刷新页面。"))
    task.state, task.action, task.opinion, task.acted_at = state, verb, opinion, at
    task.acted_by = actor if actor_id else None
    if clock is not None and state != Task.State.TRANSFERRED:
        stop_clock(clock, outcome=str(VERB_LABELS[verb]), actor=actor, at=at)


def _hand(
    actor: Any,
    case: _Case,
    task: Task,
    clock: Clock | None,
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
        _sign(task, clock, verb, actor, opinion, at)
        Task.objects.create(
            instance_id=case.pk,
            round=task.round,
            step_key=task.step_key,
            branch_key=task.branch_key,
            name=task.name,
            role=task.role,
            department_id=task.department_id,
            assignee=to_user,
            clock=clock,
            created_at=at,
            due_at=task.due_at,
        )
        return
    if task.kind == Task.Kind.CONSULT:
        raise ActionError(_("加签任务不能再加签。"))
    consult = Task.objects.create(
        instance_id=case.pk,
        round=task.round,
        kind=Task.Kind.CONSULT,
        step_key=task.step_key,
        branch_key=task.branch_key,
        name=_("%(name)s（加签）") % {"name": task.name},
        role=task.role,
        department_id=task.department_id,
        assignee=to_user,
        parent=task,
        opinion=opinion,
        created_at=at,
        due_at=task.due_at,
    )
    record(
        actor,
        "workflow.consult",
        consult,
        after={"assignee": to_user.pk, "note": opinion},
        object_repr=label(case.title, consult.name),
    )


def _after_sign(
    case: _Case,
    step: S.Step,
    task: Task,
    verb: str,
    *,
    target: str,
    actor: Any,
    at: datetime,
) -> None:
    # A step of one lane has one pending task a round (转办 closes the one it hands on): the
    # one just signed. Only a joint review has others to wait for or to cancel.
    pending: list[tuple[int, Clock | None]] = []
    if step.parallel:
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(_PENDING_STEPS, [case.pk, case.round])
            pending = [(row[0], _clock(row[1:])) for row in cursor.fetchall()]
    if verb == S.APPROVE:
        if step.join == "all" and pending:
            return  # the other branches of the joint review are still deciding
        _cancel(pending, actor, at)
        _open_from(case, case.position + 1, at=at, actor=actor)
    elif verb == S.REJECT:
        if step.join == "any" and pending:
            return  # one refusal among "any" branches does not decide yet
        _cancel(pending, actor, at)
        _finish(case, Instance.State.REJECTED, at)
    elif verb == S.RETURN_APPLICANT:
        _cancel(pending, actor, at)
        Instance.objects.filter(pk=case.pk).update(
            state=Instance.State.WAITING, resume_position=case.position
        )
    else:
        position = _return_position(case, verb, target)
        _cancel(pending, actor, at)
        _open(case, position, at=at, actor=actor)


def _ran(case: _Case) -> list[int]:
    """The positions before the current one whose steps applied to the case."""
    return [i for i in range(case.position) if _applies(case.spec.steps[i], case)]


def _return_position(case: _Case, verb: str, target: str) -> int:
    ran = _ran(case)
    if verb == S.RETURN_PREVIOUS:
        if not ran:
            raise ActionError(_("没有可退回的上一环节。"))
        return ran[-1]
    try:
        position = case.spec.index(target)
    except S.SpecError:
        position = -1
    if position not in ran:
        raise ActionError(_("只能退回到本环节之前已办理的环节。"), field="target")
    return position


def _pending(tasks: models.QuerySet[Task]) -> models.QuerySet[Task]:
    return tasks.filter(state=Task.State.PENDING)


def _cancel(tasks: list[tuple[int, Clock | None]], actor: Any, at: datetime) -> None:
    """The other branches of a joint review that no longer matter, with their consults."""
    if not tasks:
        return
    for _pk, clock in tasks:
        if clock is not None and clock.state != ClockState.STOPPED:
            stop_clock(clock, outcome=_("撤销"), actor=actor, at=at)
    ids = [pk for pk, _clock in tasks]
    cancelled = Q(pk__in=ids) | Q(parent__in=ids)
    _pending(Task.objects.filter(cancelled)).update(state=Task.State.CANCELLED)


def _applies(step: S.Step, case: _Case) -> bool:
    return step.when is None or step.when.holds(case.data)


def _open_from(case: _Case, position: int, *, at: datetime, actor: Any) -> None:
    """Open the first step from `position` whose condition holds; none left means approved."""
    steps = case.spec.steps
    while position < len(steps) and not _applies(steps[position], case):
        position += 1
    if position >= len(steps):
        _finish(case, Instance.State.APPROVED, at)
    else:
        _open(case, position, at=at, actor=actor)


def _open(case: _Case, position: int, *, at: datetime, actor: Any) -> None:
    """The step's tasks, each with its clock: the instance moved, one INSERT for the tasks (their
    departments found by code in it), one for the clocks, one UPDATE a lane to link them."""
    step = case.spec.steps[position]
    case.position, case.round = position, case.round + 1
    connection = transaction.get_connection()
    moment = connection.ops.adapt_datetimefield_value(at)
    lanes = step.lanes()
    params: list[Any] = []
    for lane in lanes:  # a step of one lane is its own lane, with its name
        params += [case.pk, case.round, Task.Kind.STEP, step.key, lane.key, lane.name, lane.role]
        params += [Task.State.PENDING, moment, lane.department]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_INSTANCE} SET position = %s, round = %s WHERE id = %s",  # noqa: S608
            [position, case.round, case.pk],
        )
        cursor.execute(
            _OPEN
            + " UNION ALL ".join([_LANE] * len(lanes))
            + " RETURNING id, branch_key, department_id",
            params,
        )
        opened = {key: (pk, department) for pk, key, department in cursor.fetchall()}
    for lane in lanes:
        if lane.key not in opened:
            raise ActionError(_("流程中的部门“%(code)s”不存在。") % {"code": lane.department})
    if step.intake:
        basis = case.intake_basis or _("受理环节时限")
    else:
        basis = _("承诺环节时限")
    calendar = get_calendar(case.calendar_revision)
    tasks = [Task.from_db(connection.alias, ["id"], [opened[lane.key][0]]) for lane in lanes]
    clocks = start_clocks(
        [
            new_clock(
                task,
                kind=STEP_CLOCK,
                title=label(case.title, lane.name),
                department=opened[lane.key][1],
                limit=step.limit,
                unit=Unit.WORKDAYS,
                at=at,
                legal_basis=basis,
                calendar=calendar,
            )
            for task, lane in zip(tasks, lanes, strict=True)
        ],
        actor=actor,
    )
    with connection.cursor() as cursor:
        for task, clock in zip(tasks, clocks, strict=True):
            cursor.execute(
                f"UPDATE {_TASK} SET clock_id = %s, due_at = %s WHERE id = %s",  # noqa: S608
                [clock.pk, connection.ops.adapt_datetimefield_value(clock.due_at), task.pk],
            )


def _finish(case: _Case, state: str, at: datetime) -> None:
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_INSTANCE} SET state = %s, finished_at = %s WHERE id = %s",  # noqa: S608
            [state, connection.ops.adapt_datetimefield_value(at), case.pk],
        )
