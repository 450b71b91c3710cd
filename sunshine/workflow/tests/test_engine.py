import json
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from sunshine.audit.models import AuditEvent
from sunshine.clocks.engine import tz
from sunshine.core.testing import race
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied
from sunshine.workflow import actions, spec
from sunshine.workflow.models import Instance, ProcessDefinition, Task
from sunshine.workflow.rules import may_act

AT = datetime(2026, 3, 2, 9, 0, tzinfo=tz())  # a Monday

STEPS = [
    {"key": "accept", "name": "受理", "role": "window", "department": "SLS-SWJ-BGS", "limit": 5,
     "intake": True, "actions": ["approve", "reject", "return_applicant"]},
    {"key": "first", "name": "业务科室初审", "role": "handler", "department": "SLS-SWJ-SCYX",
     "limit": 3},
    {"key": "review", "name": "分管领导审查", "role": "deputy_leader", "department": "SLS-SWJ",
     "limit": 2},
    {"key": "joint", "name": "联合审查", "limit": 5, "join": "all", "branches": [
        {"key": "swj", "name": "商务局市场运行科", "role": "reviewer",
         "department": "SLS-SWJ-SCYX"},
        {"key": "scjg", "name": "市场监管局", "role": "handler", "department": "SLS-SCJG"}]},
    {"key": "large", "name": "专家论证", "role": "legal", "department": "SLS-SWJ-FGK", "limit": 2,
     "when": {"field": "scale", "op": "eq", "value": "large"}},
    {"key": "meeting", "name": "局长办公会议审议", "role": "leader", "department": "SLS-SWJ",
     "limit": 3},
]  # fmt: skip


def definition(steps=STEPS, committed=20, key="test") -> ProcessDefinition:
    d = ProcessDefinition(
        key=key, name="测试流程", committed_limit=committed, spec={"steps": steps}
    )
    d.full_clean()
    d.status = ProcessDefinition.Status.PUBLISHED
    d.save()
    return d


def pending(instance: Instance) -> list[Task]:
    return list(actions.open_tasks(instance).order_by("branch_key"))


def run(demo, data=None) -> Instance:
    subject = demo.departments["SLS"]  # any model instance can be a process subject
    return actions.start(subject, definition(), title="测试办件", data=data or {}, at=AT)


def approve(demo, username, instance, opinion="同意"):
    (task,) = [t for t in pending(instance) if may_act(demo.users[username], t)]
    return actions.act(demo.users[username], task, "approve", opinion=opinion, at=AT)


def test_linear_then_parallel_then_done(demo):
    instance = run(demo)
    (intake,) = pending(instance)
    assert intake.clock.kind == "workflow.step" and intake.clock.limit == 5
    for user in ("window", "handler", "deputy"):
        approve(demo, user, instance)
    joint = pending(instance)
    assert [t.department.code for t in joint] == ["SLS-SCJG", "SLS-SWJ-SCYX"]
    approve(demo, "market", instance)
    instance.refresh_from_db()
    assert instance.step.key == "joint"  # the other branch is still deciding
    approve(demo, "reviewer", instance)
    instance.refresh_from_db()
    assert instance.step.key == "meeting"  # 专家论证 skipped: its condition does not hold
    approve(demo, "director", instance, opinion="经局长办公会议审议，同意。")
    instance.refresh_from_db()
    assert instance.state == Instance.State.APPROVED
    signed = Task.objects.filter(instance=instance).exclude(acted_at=None)
    assert all(t.opinion and t.acted_at and t.acted_by for t in signed)
    assert all(t.clock.state == "stopped" for t in signed)
    assert AuditEvent.objects.filter(verb="workflow.approve").count() == 6


def test_condition_adds_a_step(demo):
    instance = run(demo, {"scale": "large"})
    for user in ("window", "handler", "deputy", "market", "reviewer"):
        approve(demo, user, instance)
    instance.refresh_from_db()
    assert instance.step.key == "large"


def test_veto_in_a_parallel_branch_rejects_and_cancels_the_other(demo):
    instance = run(demo)
    for user in ("window", "handler", "deputy"):
        approve(demo, user, instance)
    scjg = next(t for t in pending(instance) if t.branch_key == "scjg")
    actions.act(demo.users["market"], scjg, "reject", opinion="不符合食品安全条件。", at=AT)
    instance.refresh_from_db()
    assert instance.state == Instance.State.REJECTED
    other = Task.objects.get(instance=instance, branch_key="swj")
    assert other.state == Task.State.CANCELLED and other.clock.state == "stopped"


def test_any_join_needs_one_approval(demo):
    steps = [dict(s) for s in STEPS[1:4]]
    steps[2] = {**steps[2], "join": "any"}
    d = definition(steps, committed=10, key="any")
    instance = actions.start(demo.departments["SLS"], d, title="任一", at=AT)
    approve(demo, "handler", instance)
    approve(demo, "deputy", instance)
    scjg = next(t for t in pending(instance) if t.branch_key == "scjg")
    actions.act(demo.users["market"], scjg, "reject", opinion="不同意", at=AT)
    instance.refresh_from_db()
    assert instance.state == Instance.State.RUNNING
    approve(demo, "reviewer", instance)
    instance.refresh_from_db()
    assert instance.state == Instance.State.APPROVED


def test_return_to_previous_and_to_any_earlier_step(demo):
    instance = run(demo)
    for user in ("window", "handler", "deputy"):
        approve(demo, user, instance)
    swj = next(t for t in pending(instance) if t.branch_key == "swj")
    with pytest.raises(ActionError, match="之前已办理"):
        actions.act(demo.users["reviewer"], swj, "return_any", opinion="x", target="meeting", at=AT)
    actions.act(
        demo.users["reviewer"], swj, "return_any", opinion="重新初审", target="first", at=AT
    )
    instance.refresh_from_db()
    assert instance.step.key == "first"
    assert Task.objects.get(instance=instance, branch_key="scjg").state == "cancelled"
    approve(demo, "handler", instance)
    (review,) = pending(instance)
    actions.act(demo.users["deputy"], review, "return_previous", opinion="补充核查意见", at=AT)
    instance.refresh_from_db()
    assert instance.step.key == "first"
    assert Task.objects.filter(instance=instance, step_key="first").count() == 3


def test_return_to_applicant_and_resume(demo):
    instance = run(demo)
    (intake,) = pending(instance)
    actions.act(
        demo.users["window"], intake, "return_applicant", opinion="补正：营业执照复印件", at=AT
    )
    instance.refresh_from_db()
    assert instance.state == Instance.State.WAITING and not pending(instance)
    actions.resume_from_applicant(instance, actor=demo.users["13800000002"], at=AT)
    instance.refresh_from_db()
    assert instance.state == Instance.State.RUNNING and instance.step.key == "accept"
    assert len(pending(instance)) == 1


def test_wrong_role_and_wrong_department_are_refused(demo):
    instance = run(demo)
    approve(demo, "window", instance)
    (task,) = pending(instance)
    for username in ("window", "market", "13800000002", "reviewer"):
        with pytest.raises(PermissionDenied):
            actions.act(demo.users[username], task, "approve", opinion="同意")


def test_opinion_required_and_verbs_limited_by_step(demo):
    instance = run(demo)
    (intake,) = pending(instance)
    with pytest.raises(ActionError, match="意见"):
        actions.act(demo.users["window"], intake, "approve", opinion="  ")
    with pytest.raises(ActionError, match="不允许"):
        actions.act(demo.users["window"], intake, "transfer", opinion="x")


def test_add_signer_and_transfer(demo):
    instance = run(demo)
    approve(demo, "window", instance)
    (task,) = pending(instance)
    handler, reviewer = demo.users["handler"], demo.users["reviewer"]
    with pytest.raises(ActionError, match="本部门"):
        actions.act(handler, task, "add_signer", opinion="请会签", to_user=demo.users["market"])
    actions.act(handler, task, "add_signer", opinion="请科长会签", to_user=reviewer, at=AT)
    with pytest.raises(ActionError, match="加签人尚未"):
        actions.act(handler, task, "approve", opinion="同意")
    consult = Task.objects.get(instance=instance, kind="consult")
    actions.act(reviewer, consult, "approve", opinion="同意，注意核查场地。", at=AT)
    actions.act(handler, task, "transfer", opinion="请赵明办理", to_user=reviewer, at=AT)
    (handed,) = pending(instance)
    assert handed.assignee == reviewer and handed.clock_id == task.clock_id
    with pytest.raises(PermissionDenied):
        actions.act(handler, handed, "approve", opinion="同意")
    actions.act(reviewer, handed, "approve", opinion="同意", at=AT)
    instance.refresh_from_db()
    assert instance.step.key == "review"


def test_step_limits_beyond_the_committed_limit_are_refused(demo):
    with pytest.raises(ValidationError, match="合计 15 个工作日，超过承诺办结时限 12"):
        definition(committed=12)
    steps = [{**STEPS[1], "role": "nobody"}]
    with pytest.raises(ValidationError, match="角色"):
        definition(steps, committed=10)
    with pytest.raises(ValidationError, match="部门代码不存在"):
        definition([{**STEPS[1], "department": "NOPE"}], committed=10)
    with pytest.raises(ValidationError, match="条件"):
        definition([{**STEPS[1], "when": {"field": "a", "op": "__import__"}}], committed=10)


def test_a_version_in_use_cannot_change(demo):
    instance = run(demo)
    d = instance.definition
    d.committed_limit = 25
    with pytest.raises(ValidationError, match="另建新版本"):
        d.full_clean()


def test_pauses_hold_open_task_clocks(demo):
    instance = run(demo)
    actions.pause_open_tasks(instance, reason="expert", actor=demo.users["window"], at=AT)
    (task,) = pending(instance)
    task.clock.refresh_from_db()
    assert task.clock.state == "paused"
    actions.resume_open_tasks(instance, actor=demo.users["window"], at=AT)
    task.clock.refresh_from_db()
    assert task.clock.state == "running"


@pytest.mark.django_db(transaction=True)
def test_concurrent_approval_of_one_task_has_one_effect(demo):
    instance = run(demo)
    (task,) = pending(instance)

    def sign() -> None:
        actions.act(demo.users["window"], task, "approve", opinion="同意", at=AT)

    outcomes = race(sign, sign)
    assert sorted(outcomes) == ["ok", "该任务已处理，请刷新页面。"]
    assert Task.objects.filter(instance=instance, step_key="first").count() == 1
    assert AuditEvent.objects.filter(verb="workflow.approve").count() == 1


def test_one_advance_is_one_lean_transaction(demo, django_assert_max_num_queries):
    """Sign a task, stop its clock, open the next step with its clock, audit it all: the query
    count is pinned so that a lookup per row creeping back in fails here, not in the bench.
    Nine statements inside the savepoint: read (instance locked, calendar revision along), sign,
    stop, move the instance, insert the task, its clock, link them, insert the audit rows, move
    the chain head (selected once per transaction, here by the advance before)."""
    from sunshine.audit.chain import verify_chain

    instance = run(demo)
    approve(demo, "window", instance)
    task = actions.open_tasks(instance).select_related("department").get()
    actor = demo.users["handler"]
    assert may_act(actor, task)  # loads the actor's memberships, as the request's check would
    with django_assert_max_num_queries(11):
        signed = actions.act(actor, task, "approve", opinion="同意", at=AT)
    (nxt,) = pending(instance)
    assert nxt.step_key == "review" and nxt.due_at == nxt.clock.due_at
    signed.clock.refresh_from_db()
    assert (signed.clock.state, signed.clock.stopped_at) == ("stopped", AT)
    assert not signed.clock.events.exists() and not nxt.clock.events.exists()
    assert verify_chain().fault is None


def test_at_most_one_single_lane_step_decides(demo, client):
    deciding = {**STEPS[5], "decides": True}
    assert definition([*STEPS[:5], deciding], key="decides").parsed.deciding.key == "meeting"
    assert definition(key="plain").parsed.deciding is None  # the end of the process decides
    refused = [
        ([STEPS[0], {**STEPS[1], "decides": True}, deciding], "只能有一个作出决定的环节"),
        ([STEPS[0], {**STEPS[3], "decides": True}], "并联环节，不能作为作出决定的环节"),
        ([{**STEPS[0], "decides": True}, STEPS[1]], "受理环节不能作为作出决定的环节"),
        ([{**STEPS[1], "decides": "yes"}], "须为 true 或 false"),
    ]
    for n, (steps, message) in enumerate(refused):
        with pytest.raises(ValidationError, match=message):
            definition(steps, key=f"refused-{n}")
    # The definition editor says so, and how to mark the step.
    client.force_login(demo.users["admin"])
    page = client.get("/admin/workflow/processdefinition/add/").content.decode()
    assert "decides" in page
    page = client.post(
        "/admin/workflow/processdefinition/add/",
        {"key": "two", "version": 1, "name": "两个决定环节", "status": "draft",
         "committed_limit": 20, "spec": json.dumps({"steps": refused[0][0]})},
    ).content.decode()  # fmt: skip
    assert "只能有一个作出决定的环节，现有：业务科室初审、局长办公会议审议。" in page
    assert not ProcessDefinition.objects.filter(key="two").exists()


def test_the_intake_clock_cites_the_rule_the_case_gives(demo):
    """The definition is shared by items of different kinds: the intake step's limit rests on
    the case's own rule (a licence's 第三十二条, a 备案's measure), given as it starts."""
    rule = "《单用途商业预付卡管理办法（试行）》第七条"
    subject, process = demo.departments["SLS"], definition()
    instance = actions.start(subject, process, title="备案", intake_basis=rule, at=AT)
    (intake,) = pending(instance)
    assert intake.clock.legal_basis == rule
    window = demo.users["window"]
    actions.act(window, intake, "return_applicant", opinion="补正：备案表未盖章", at=AT)
    actions.resume_from_applicant(instance, actor=window, at=AT)
    (again,) = pending(instance)
    assert again.pk != intake.pk and again.clock.legal_basis == rule  # the step opened afresh
    approve(demo, "window", instance)
    (first,) = pending(instance)
    assert first.clock.legal_basis == "承诺环节时限"
    (other,) = pending(actions.start(subject, process, title="其他", at=AT))
    assert other.clock.legal_basis == "受理环节时限"  # no rule given: none is claimed


def test_a_return_goes_to_the_steps_the_case_went_through(demo):
    instance = run(demo)
    for user in ("window", "handler", "deputy", "market", "reviewer"):
        approve(demo, user, instance)
    instance.refresh_from_db()
    assert instance.step.key == "meeting"  # 专家论证 did not apply
    assert [s.key for s in actions.return_targets(instance)] == [
        "accept",
        "first",
        "review",
        "joint",
    ]
    (meeting,) = pending(instance)
    assert actions.allowed_verbs(meeting, instance.step) == spec.DEFAULT_ACTIONS
