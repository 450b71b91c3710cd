"""Dispatch, signing, returns, extensions, replies, review, follow-up and rework, on the clock."""

from datetime import timedelta

import pytest
from django.urls import reverse

from sunshine.appeals import actions, queries
from sunshine.appeals.models import Appeal, Assignment, FollowUp, ReportBack, Status
from sunshine.clocks.models import State
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied
from sunshine.workdays.calendar import add_workdays

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _dispatch(demo, letter, at=MONDAY):
    d, u = demo.departments, demo.users
    actions.dispatch(u["dispatcher"], letter, lead=d["SLS-SWJ"], co=[d["SLS-SCJG"]], at=at)
    lead = letter.assignments.get(role=Assignment.Role.LEAD)
    co = letter.assignments.get(role=Assignment.Role.CO)
    return lead, co


def _due_day(clock):
    clock.refresh_from_db()
    return clock.due_label


def test_the_whole_cycle(demo, letter):
    u = demo.users
    lead, co = _dispatch(demo, letter)
    assert lead.sign_clock.due_label == add_workdays(MONDAY.date(), 1).isoformat()
    assert lead.handle_clock is None  # nothing runs against the unit before it signs

    tuesday = MONDAY + timedelta(days=1)
    lead = actions.sign(u["handler"], lead, at=tuesday)
    actions.sign(u["market"], co, at=tuesday)
    lead.sign_clock.refresh_from_db()
    assert lead.sign_clock.state == State.STOPPED and lead.sign_clock.on_time
    # 投诉·一般: 10 working days from the signing day (which does not count).
    assert _due_day(lead.handle_clock) == add_workdays(tuesday.date(), 10).isoformat()

    ask = actions.request_extension(
        u["handler"], lead, amount=5, reason="需现场核查商户资产", at=tuesday
    )
    actions.decide_extension(u["dispatcher"], ask, approve=True, at=tuesday)
    lead.refresh_from_db()
    assert lead.extensions == 1
    assert _due_day(lead.handle_clock) == add_workdays(tuesday.date(), 15).isoformat()

    actions.submit_opinion(u["market"], co, text="已对该店立案调查。", at=tuesday)
    answer = actions.reply(
        u["handler"],
        lead,
        body="经核查，已协调商户退还预付款余额。",
        at=tuesday + timedelta(days=2),
    )
    letter.refresh_from_db()
    assert letter.status == Status.REVIEW
    assert actions.approved_reply(letter) is None  # the citizen sees nothing before review

    actions.review_reply(u["dispatcher"], answer, approve=True, at=tuesday + timedelta(days=2))
    letter.refresh_from_db()
    assert letter.status == Status.ANSWERED and actions.approved_reply(letter) == answer

    actions.follow_up(
        None,
        letter,
        satisfaction=FollowUp.Satisfaction.UNSATISFIED,
        fault=FollowUp.Fault.UNIT,
        resolved=False,
        via=FollowUp.Via.ONLINE,
        code=letter.code,
        note="钱还没退",
        at=tuesday + timedelta(days=3),
    )
    letter.refresh_from_db()
    lead.refresh_from_db()
    assert letter.status == Status.DISPATCHED and letter.rework_count == 1
    assert lead.state == Assignment.State.SIGNED and lead.handle_clock.kind == "appeals.rework"

    again = actions.reply(
        u["handler"], lead, body="已督促商户退款，款项今日到账。", at=tuesday + timedelta(days=4)
    )
    actions.review_reply(u["dispatcher"], again, approve=True, at=tuesday + timedelta(days=4))
    actions.follow_up(
        u["13800000001"],
        letter,
        satisfaction=FollowUp.Satisfaction.SATISFIED,
        resolved=True,
        via=FollowUp.Via.ONLINE,
        at=tuesday + timedelta(days=5),
    )
    letter.refresh_from_db()
    assert letter.status == Status.CLOSED
    actions.archive(u["dispatcher"], letter)
    letter.refresh_from_db()
    assert letter.status == Status.ARCHIVED
    kinds = list(letter.events.values_list("kind", flat=True))
    assert kinds.count("rework") == 1 and "extend_decide" in kinds


def test_the_clock_does_not_run_while_unsigned(demo, letter):
    lead, _co = _dispatch(demo, letter)
    thursday = MONDAY + timedelta(days=3)
    lead = actions.sign(demo.users["handler"], lead, at=thursday)
    lead.sign_clock.refresh_from_db()
    # The wait is measured (late signing), but the handling limit counts from the signature.
    assert lead.sign_clock.on_time is False
    assert _due_day(lead.handle_clock) == add_workdays(thursday.date(), 10).isoformat()


def test_a_return_is_reviewed_then_reassigned(demo, letter):
    u, d = demo.users, demo.departments
    lead, _co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    with pytest.raises(ActionError, match="依据"):
        actions.return_ticket(u["handler"], lead, reason="不属于本局职责范围", basis=" ")
    actions.return_ticket(
        u["handler"],
        lead,
        reason="预付卡退款纠纷属消费维权",
        basis="《消费者权益保护法》第三十二条",
        at=MONDAY + timedelta(hours=1),
    )
    lead.refresh_from_db()
    lead.handle_clock.refresh_from_db()
    assert lead.state == Assignment.State.RETURNED
    assert lead.handle_clock.state == State.PAUSED  # the review time is not the unit's time
    assert lead.return_clock.state == State.RUNNING  # but it is measured
    with pytest.raises(PermissionDenied):
        actions.review_return(u["handler"], lead, reassign_to=d["SLS-SCJG"], note="")
    actions.review_return(
        u["dispatcher"],
        lead,
        reassign_to=d["SLS-SCJG"],
        note="改由市场监管局主办",
        at=MONDAY + timedelta(days=1),
    )
    letter.refresh_from_db()
    lead.refresh_from_db()
    assert lead.state == Assignment.State.WITHDRAWN
    assert letter.lead_department == d["SLS-SCJG"]
    new = letter.assignments.get(role=Assignment.Role.LEAD, state=Assignment.State.WAITING)
    assert new.department == d["SLS-SCJG"]
    with pytest.raises(PermissionDenied):
        actions.sign(u["handler"], new)  # the old unit has no say any more
    actions.sign(u["market"], new)


def test_an_upheld_return_resumes_the_same_clock(demo, letter):
    u = demo.users
    lead, _co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    actions.return_ticket(u["handler"], lead, reason="不属于本局职责", basis="三定方案", at=MONDAY)
    with pytest.raises(ActionError, match="理由"):
        actions.review_return(u["dispatcher"], lead, reassign_to=None, note="")
    actions.review_return(
        u["dispatcher"],
        lead,
        reassign_to=None,
        note="派单目录明确由商务局主办",
        at=MONDAY + timedelta(days=2),
    )
    lead.refresh_from_db()
    lead.handle_clock.refresh_from_db()
    assert lead.state == Assignment.State.SIGNED and lead.handle_clock.state == State.RUNNING
    # Two working days of review do not count against the unit.
    assert lead.handle_clock.due_label == add_workdays(MONDAY.date(), 12).isoformat()


def test_only_the_assigned_department_acts(demo, letter):
    u = demo.users
    lead, co = _dispatch(demo, letter)
    with pytest.raises(PermissionDenied):
        actions.dispatch(u["handler"], letter, lead=demo.departments["SLS-SWJ"])
    for outsider in ("market", "township", "13800000001", "city_supervisor"):
        with pytest.raises(PermissionDenied):
            actions.sign(u[outsider], lead)
    actions.sign(u["director"], lead)  # the bureau's leader signs for it
    with pytest.raises(ActionError, match="已签收"):
        actions.sign(u["handler"], lead)  # a double submission sees the first one
    with pytest.raises(ActionError):
        actions.reply(u["market"], co, body="协办单位不能直接答复诉求人。")


def test_extensions_before_the_deadline_and_capped(demo, letter):
    u = demo.users
    lead, _co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    for _round in range(actions.MAX_EXTENSIONS):
        ask = actions.request_extension(u["handler"], lead, amount=2, reason="需要调查", at=MONDAY)
        with pytest.raises(ActionError, match="待审批"):
            actions.request_extension(u["handler"], lead, amount=2, reason="再次申请", at=MONDAY)
        actions.decide_extension(u["dispatcher"], ask, approve=True, at=MONDAY)
    with pytest.raises(ActionError, match="上限"):
        actions.request_extension(u["handler"], lead, amount=2, reason="需要调查", at=MONDAY)
    late = MONDAY + timedelta(days=60)
    lead.extensions = 0
    lead.save()
    with pytest.raises(ActionError, match="超过办理期限"):
        actions.request_extension(u["handler"], lead, amount=2, reason="太晚了", at=late)
    with pytest.raises(PermissionDenied):
        actions.request_extension(u["market"], lead, amount=2, reason="不是本单位", at=MONDAY)


def test_a_poor_reply_is_sent_back(demo, letter):
    u = demo.users
    lead, _co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    answer = actions.reply(u["handler"], lead, body="已收悉，我们会研究处理。", at=MONDAY)
    with pytest.raises(ActionError, match="审核意见"):
        actions.review_reply(u["dispatcher"], answer, approve=False, note="")
    with pytest.raises(PermissionDenied):
        actions.review_reply(u["director"], answer, approve=True)
    actions.review_reply(u["dispatcher"], answer, approve=False, note="未答复退款诉求", at=MONDAY)
    letter.refresh_from_db()
    assert letter.status == Status.DISPATCHED and letter.rework_count == 1
    assert actions.approved_reply(letter) is None


def test_an_approved_reply_closes_the_open_co_units(demo, letter):
    u = demo.users
    lead, co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    answer = actions.reply(u["handler"], lead, body="经核查，已协调商户退还预付款余额。", at=MONDAY)
    actions.review_reply(u["dispatcher"], answer, approve=True, at=MONDAY)
    co.refresh_from_db()
    co.sign_clock.refresh_from_db()
    assert co.state == Assignment.State.CLOSED and co.sign_clock.state == State.STOPPED
    assert co.sign_clock.outcome == "主办单位已答复，协办结束"
    assert not co.handle_clock_id
    assert letter.events.filter(kind="co_close", department=co.department).count() == 1
    assert co not in queries.desk_for(u["market"]).tasks
    with pytest.raises(ActionError, match="已办结"):
        actions.sign(u["market"], co, at=MONDAY)
    with pytest.raises(ActionError):
        actions.reply(u["market"], co, body="协办单位不能直接答复诉求人。", at=MONDAY)


def test_a_co_units_pending_extension_ends_with_its_assignment(demo, letter):
    """协办结束 leaves the centre no 延期申请 to decide: it is withdrawn in the same transaction,
    on the timeline and in the audit log; the centre's desk no longer lists it."""
    from sunshine.appeals.models import ExtensionRequest
    from sunshine.audit.models import AuditEvent

    u = demo.users
    lead, co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    co = actions.sign(u["market"], co, at=MONDAY)
    ask = actions.request_extension(u["market"], co, amount=3, reason="需联合检查", at=MONDAY)
    assert ask in queries.desk_for(u["dispatcher"]).extensions
    answer = actions.reply(u["handler"], lead, body="经核查，已协调商户退还预付款余额。", at=MONDAY)
    actions.review_reply(u["dispatcher"], answer, approve=True, at=MONDAY)
    ask.refresh_from_db()
    assert ask.state == ExtensionRequest.State.WITHDRAWN and ask.decided_by is None
    assert ask.decision_note == "主办单位已答复，协办结束"
    assert ask not in queries.desk_for(u["dispatcher"]).extensions
    event = AuditEvent.objects.get(verb="appeals.withdraw_extension")
    assert event.object_id == str(ask.pk) and event.actor == u["dispatcher"]
    # On the timeline it is a withdrawal, not a decision: nobody decided it.
    withdrawal = letter.events.get(kind="extend_withdraw", department=co.department)
    assert withdrawal.actor is None
    assert withdrawal.text == (
        "办理已结束（主办单位已答复，协办结束），延长 3 个工作日的申请未经审批，由系统撤回。"
    )
    assert not letter.events.filter(kind="extend_decide").exists()
    with pytest.raises(ActionError, match="已审批"):
        actions.decide_extension(u["dispatcher"], ask, approve=True, at=MONDAY)
    co.refresh_from_db()
    assert co.extensions == 0


def test_a_units_own_answer_withdraws_its_pending_extension(demo, letter):
    """The same when the unit itself finishes first: a 协办意见, or the lead's reply."""
    from sunshine.appeals.models import ExtensionRequest

    u = demo.users
    lead, co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    co = actions.sign(u["market"], co, at=MONDAY)
    asks = [
        actions.request_extension(u["market"], co, amount=3, reason="需联合检查", at=MONDAY),
        actions.request_extension(u["handler"], lead, amount=3, reason="需现场核查", at=MONDAY),
    ]
    actions.submit_opinion(u["market"], co, text="已对该店立案调查。", at=MONDAY)
    actions.reply(u["handler"], lead, body="经核查，已协调商户退还预付款余额。", at=MONDAY)
    assert {ask.state for ask in ExtensionRequest.objects.filter(pk__in=[a.pk for a in asks])} == {
        ExtensionRequest.State.WITHDRAWN
    }


def _assignment_card(page: str, department: str) -> str:
    """The ticket page's section of one unit's assignment."""
    start = page.index(f'<section class="card assignment" data-department="{department}"')
    return page[start : page.index("</section>", start)]


def test_a_co_unit_asks_for_an_extension_on_its_ticket(client, demo, letter):
    """A 协办 unit's handling clock runs against it as the lead's does: the ticket offers it
    申请延期 too, in the clock's unit, and the request shows what was asked, unit included."""
    u = demo.users
    lead, co = _dispatch(demo, letter, at=None)
    actions.sign(u["market"], co)
    client.force_login(u["market"])
    url = reverse("appeals:ticket", args=[letter.pk])
    card = _assignment_card(client.get(url).content.decode(), co.department.code)
    assert f'action="{reverse("appeals:act", args=[letter.pk, "extend"])}"' in card
    assert "延长时限（工作日）" in card
    client.post(
        reverse("appeals:act", args=[letter.pk, "extend"]),
        {"target": co.pk, f"e{co.pk}-amount": 3, f"e{co.pk}-reason": "需联合检查"},
    )
    ask = co.extension_requests.get()
    assert ask.requested_by == u["market"] and ask.amount == 3
    client.force_login(u["dispatcher"])
    page = client.get(url).content.decode()
    assert "申请延长 3 个工作日：需联合检查" in _assignment_card(page, co.department.code)
    assert "延长 3 个工作日：需联合检查" in page  # the timeline's line


def test_the_ticket_tells_a_closed_co_unit_from_an_answer(client, demo, letter):
    """A 协办 unit closed by the lead's approved answer never answered: its card says 协办结束;
    its withdrawn extension is on the timeline as a withdrawal, not as the dispatcher's
    decision."""
    u = demo.users
    lead, co = _dispatch(demo, letter, at=None)
    lead = actions.sign(u["handler"], lead)
    co = actions.sign(u["market"], co)
    actions.request_extension(u["market"], co, amount=3, reason="需联合检查")
    answer = actions.reply(u["handler"], lead, body="经核查，已协调商户退还预付款余额。")
    actions.review_reply(u["dispatcher"], answer, approve=True)
    client.force_login(u["dispatcher"])
    page = client.get(reverse("appeals:ticket", args=[letter.pk])).content.decode()
    card = _assignment_card(page, co.department.code)
    assert (
        '<span class="state">协办结束</span>' in card and '<span class="state">已答复' not in card
    )
    assert '<span class="state">已答复</span>' in _assignment_card(page, lead.department.code)
    assert "<strong>延期申请撤回</strong> · 示例市市场监督管理局<br>" in page
    assert "<strong>延期审批</strong>" not in page


def test_a_review_needs_a_decision(client, demo, letter):
    """审核答复 pressed without 同意 or 不同意 changes nothing and says why, on the field."""
    u = demo.users
    lead, _co = _dispatch(demo, letter)
    lead = actions.sign(u["handler"], lead, at=MONDAY)
    answer = actions.reply(u["handler"], lead, body="经核查，已协调商户退还预付款余额。", at=MONDAY)
    for decision in (None, "", "yes", 1):
        with pytest.raises(ActionError, match="请选择同意或不同意") as refused:
            actions.review_reply(u["dispatcher"], answer, approve=decision, note="x")
        assert refused.value.field == "approve"
    client.force_login(u["dispatcher"])
    url = reverse("appeals:act", args=[letter.pk, "review_reply"])
    for posted in ({}, {"review-approve": "2"}):
        page = client.post(url, {"target": answer.pk, **posted}).content.decode()
        assert 'id="id_review-approve_error"><li>请选择同意或不同意。</li>' in page
    letter.refresh_from_db()
    assert letter.status == Status.REVIEW
    # The handling step is over while the reply waits: the ticket says so.
    page = client.get(reverse("appeals:ticket", args=[letter.pk])).content.decode()
    assert f"12345诉求 {letter.serial} · 办理" in page
    assert "本环节已结束（已答复），答复待审核" in page


def test_urging_is_recorded(demo, letter):
    u = demo.users
    _dispatch(demo, letter)
    actions.urge(u["dispatcher"], letter, text="请尽快签收")
    actions.urge(u["city_supervisor"], letter, text="列入督办", supervise=True)
    with pytest.raises(PermissionDenied):
        actions.urge(u["handler"], letter, text="自己催自己")
    assert list(
        letter.events.filter(kind__in=["urge", "supervise"]).values_list("kind", flat=True)
    ) == [
        "urge",
        "supervise",
    ]


def test_a_transfer_is_reported_back(demo):
    u, d = demo.users, demo.departments
    appeal, _code = actions.receive_transfer(
        u["dispatcher"],
        external_ref="SZ-2025-0042",
        source_name="省12345热线",
        type="help",
        title="清水镇自来水停水三天",
        body="清水镇南街停水三天，没有任何通知。",
        contact_name="赵六",
        phone="13700000001",
        at=MONDAY,
    )
    with pytest.raises(ActionError, match="已登记"):
        actions.receive_transfer(
            u["dispatcher"],
            external_ref="SZ-2025-0042",
            source_name="省12345热线",
            type="help",
            title="重复登记",
            body="同一上级工单",
            contact_name="赵六",
            phone="13700000001",
        )
    actions.dispatch(u["dispatcher"], appeal, lead=d["SLS-QSZ"], at=MONDAY)  # down to the township
    ticket = appeal.assignments.get()
    actions.sign(u["township"], ticket, at=MONDAY)
    answer = actions.reply(u["township"], ticket, body="已抢修供水管道，今日恢复供水。", at=MONDAY)
    assert not ReportBack.objects.exists()
    actions.review_reply(u["dispatcher"], answer, approve=True, at=MONDAY + timedelta(hours=3))
    report = ReportBack.objects.get(appeal=appeal)
    assert report.external_ref == "SZ-2025-0042"
    assert (
        report.payload["reply"] == answer.body and report.payload["department"] == d["SLS-QSZ"].name
    )


def test_knowledge_answers_and_refusals_close_at_intake(demo):
    from sunshine.appeals.models import KnowledgeEntry
    from sunshine.appeals.queries import knowledge_matches

    u = demo.users
    enquiry, _ = actions.record_call(
        u["dispatcher"],
        type="enquiry",
        title="预付卡退款",
        body="商家停业了，预付卡怎么退款？",
        contact_name="钱七",
        phone="13600000000",
    )
    matches = knowledge_matches(enquiry.body)
    assert matches and "预付卡" in matches[0][0].question
    actions.answer_directly(u["dispatcher"], enquiry, matches[0][0])
    enquiry.refresh_from_db()
    assert enquiry.status == Status.DIRECT and enquiry.closed_at
    with pytest.raises(ActionError, match="已处理"):
        actions.answer_directly(u["dispatcher"], enquiry, KnowledgeEntry.objects.first())

    court, _ = actions.record_call(
        u["dispatcher"],
        type="complaint",
        title="法院执行",
        body="法院判决后对方不执行，要求政府处理。",
        contact_name="孙八",
        phone="13500000000",
    )
    from sunshine.appeals.text import refusal_hints

    assert "court" in refusal_hints(court.body)
    with pytest.raises(ActionError):
        actions.refuse(u["dispatcher"], court, reason="nonsense")
    actions.refuse(u["dispatcher"], court, reason="court")
    court.refresh_from_db()
    assert court.status == Status.REFUSED and "法院" in court.refusal_route
    assert court.events.filter(kind="refuse").exists()


def test_bad_and_hostile_input_is_refused(demo):
    citizen = demo.users["13800000001"]
    from sunshine.appeals.models import Mailbox

    mayor = Mailbox.objects.get(code="mayor")
    base = {
        "mailbox": mayor,
        "type": "complaint",
        "body": "内容",
        "contact_name": "张三",
        "phone": "13800000001",
    }
    with pytest.raises(ActionError, match="10 至 25"):
        actions.submit_appeal(citizen, title="太短", **base)
    with pytest.raises(ActionError, match="10 至 25"):
        actions.submit_appeal(citizen, title="标" * 26, **base)
    with pytest.raises(ActionError, match="1000"):
        actions.submit_appeal(
            citizen, title="标题长度正好十个字啊", **{**base, "body": "字" * 1001}
        )
    with pytest.raises(ActionError, match="联系电话"):
        actions.submit_appeal(citizen, title="标题长度正好十个字啊", **{**base, "phone": "call me"})
    with pytest.raises(ActionError, match="类型"):
        actions.submit_appeal(citizen, title="标题长度正好十个字啊", **{**base, "type": "x"})
    assert not Appeal.objects.filter(title="标题长度正好十个字啊").exists()
