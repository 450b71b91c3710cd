"""信息直报 through the review chain: permissions, opinions, the Art. 26 clock, publishing."""

import re
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from sunshine.clocks.models import State as ClockState
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied
from sunshine.publishing import actions, queries
from sunshine.publishing.models import Publication, Submission, Task
from sunshine.search.queries import search

from .factories import draft, pdf_upload, pending, publish

pytestmark = pytest.mark.django_db


def test_the_chain_publishes_with_an_index_number_and_stops_the_clock(demo):
    item = draft(demo, title="关于开展冷链食品专项检查的通知", doc_number="示商发[2026]7号")
    assert item.doc_number == "示商发〔2026〕7号"
    item = publish(demo, item)
    assert item.state == Publication.State.PUBLISHED
    assert re.fullmatch(r"SLS-SWJ/\d{4}-\d{5}", item.index_number)
    assert item.clock.state == ClockState.STOPPED and item.clock.on_time
    steps = list(
        Task.objects.filter(submission__publication=item).values_list(
            "step__name", "reviewer__username", "state"
        )
    )
    assert steps == [
        ("科室负责人审核", "office_head", "approved"),
        ("保密审查", "secrecy", "approved"),
        ("分管领导签发", "deputy", "approved"),
    ]
    assert [h.object_id for h in search("冷链食品专项").hits] == [item.pk]


def test_index_numbers_run_on_without_gaps(demo):
    first, second = publish(demo, draft(demo)), publish(demo, draft(demo))
    a, b = (int(p.index_number.rsplit("-", 1)[1]) for p in (first, second))
    assert b == a + 1


@pytest.mark.parametrize("username", ["reviewer", "handler", "secrecy", "officer", "market"])
def test_only_the_steps_role_over_the_unit_approves(demo, username):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    with pytest.raises(PermissionDenied):
        actions.approve_task(demo.users[username], pending(item))
    assert pending(item).step.name == "科室负责人审核"


def test_a_second_approval_of_the_same_step_is_refused(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    task = pending(item)
    actions.approve_task(demo.users["office_head"], task)
    task.state = Task.State.PENDING  # a stale copy, as a second browser tab holds it
    with pytest.raises(ActionError, match="已处理"):
        actions.approve_task(demo.users["office_head"], task)
    assert Task.objects.filter(submission__publication=item).count() == 2


def test_submitting_twice_is_refused(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    with pytest.raises(ActionError, match="请勿重复提交"):
        actions.submit(demo.users["officer"], item)
    assert Submission.objects.filter(publication=item).count() == 1


def test_a_returned_draft_carries_the_opinion_and_can_be_resubmitted(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    with pytest.raises(ActionError, match="审核意见"):
        actions.return_task(demo.users["office_head"], pending(item), opinion="  ")
    actions.return_task(demo.users["office_head"], pending(item), opinion="请补充联系方式。")
    item.refresh_from_db()
    assert item.state == Publication.State.RETURNED
    assert Task.objects.get(submission__publication=item).opinion == "请补充联系方式。"
    actions.update_draft(demo.users["officer"], item, body="<p>联系电话：0744-8223456</p>")
    actions.submit(demo.users["officer"], item)
    assert item.submissions.count() == 2
    # One Art. 26 clock for the item, however often it is resubmitted.
    assert item.clock_id == Publication.objects.get(pk=item.pk).clock_id


def test_rejected_items_stay_on_record_unpublished(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    actions.reject_task(demo.users["office_head"], pending(item), opinion="内容重复。")
    item.refresh_from_db()
    assert item.state == Publication.State.REJECTED and item.index_number is None
    assert item.clock.state == ClockState.STOPPED
    assert queries.visible_item(item.pk) is None


def test_secrecy_decision_and_basis_are_required_and_recorded(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    actions.approve_task(demo.users["office_head"], pending(item))
    with pytest.raises(ActionError, match="保密审查结论"):
        actions.approve_task(demo.users["secrecy"], pending(item))
    with pytest.raises(ActionError, match="依据"):
        actions.approve_task(demo.users["secrecy"], pending(item), decision="publish")
    actions.approve_task(
        demo.users["secrecy"],
        pending(item),
        decision="refer",
        legal_basis="《保守国家秘密法》第二十条",
    )
    referred = Task.objects.get(submission__publication=item, state=Task.State.REFERRED)
    assert referred.decision == "refer" and pending(item).step.name == "保密审查"


def test_exempt_items_are_withheld_and_queued_for_re_review(demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    actions.approve_task(demo.users["office_head"], pending(item))
    actions.approve_task(
        demo.users["secrecy"],
        pending(item),
        decision="exempt",
        legal_basis="《政府信息公开条例》第十四条",
    )
    item.refresh_from_db()
    assert item.state == Publication.State.WITHHELD and item.rereview_on
    secrecy = demo.users["secrecy"]
    assert list(queries.rereview_queue(secrecy, item.rereview_on)) == [item]
    assert list(queries.rereview_queue(secrecy, date(2026, 11, 22))) == []
    with pytest.raises(PermissionDenied):
        actions.rereview(demo.users["officer"], item, publish=True, opinion="可", legal_basis="x")
    actions.rereview(
        secrecy,
        item,
        publish=True,
        opinion="情况已变化，可以公开。",
        legal_basis="《政府信息公开条例》第十八条",
    )
    item.refresh_from_db()
    assert item.state == Publication.State.PUBLISHED and item.index_number


def test_withdrawing_keeps_the_item_and_takes_it_out_of_search(demo):
    item = publish(demo, draft(demo, title="关于暂停受理再生资源回收备案的通知"))
    with pytest.raises(PermissionDenied):
        actions.withdraw(demo.users["officer"], item, reason="错误")
    with pytest.raises(ActionError, match="撤回理由"):
        actions.withdraw(demo.users["deputy"], item, reason="")
    actions.withdraw(demo.users["deputy"], item, reason="内容有误，更正后重新发布。")
    item.refresh_from_db()
    assert item.state == Publication.State.WITHDRAWN and item.withdrawn_at
    assert search("再生资源回收备案").total == 0
    assert queries.visible_item(item.pk) == item
    with pytest.raises(ActionError):
        actions.withdraw(demo.users["deputy"], item, reason="再次")


def test_drafts_need_a_body_or_attachment_and_a_category(demo):
    item = draft(demo, body="")
    with pytest.raises(ActionError, match="正文或上传附件"):
        actions.submit(demo.users["officer"], item)
    actions.add_attachment(demo.users["officer"], item, pdf_upload("Notice"))
    actions.submit(demo.users["officer"], item)


def test_bad_document_numbers_are_refused(demo):
    for bad in ("2020年109号", "国办函〔20〕109号", "国办函〔2020〕01号", "〔2020〕1号"):
        with pytest.raises(ActionError, match="发文字号"):
            draft(demo, doc_number=bad)


def test_the_body_is_sanitised(demo):
    item = draft(
        demo,
        body='<p onclick="x()">正文<script>alert(1)</script>'
        '<a href="javascript:alert(1)">链接</a></p><style>p{}</style>',
    )
    assert "script" not in item.body and "onclick" not in item.body
    assert "javascript" not in item.body and "style" not in item.body and "正文" in item.body


def test_other_units_cannot_draft_or_edit(demo):
    with pytest.raises(PermissionDenied):
        actions.create_draft(
            demo.users["market"],
            department=demo.departments["SLS-SWJ-BGS"],
            title="x",
            written_on=date(2026, 11, 1),
        )
    item = draft(demo)
    with pytest.raises(PermissionDenied):
        actions.update_draft(demo.users["handler"], item, title="改")


def test_future_written_date_is_refused(demo):
    with pytest.raises(ActionError, match="成文日期"):
        draft(demo, written_on=timezone.localdate().replace(year=timezone.localdate().year + 1))


def test_draft_from_request_for_the_foi_office(demo):
    """条例 Art. 44: staff of the organisation turn a much-requested answer into a draft."""
    bureau = demo.departments["SLS-SWJ"]
    item = actions.create_draft_from_request(
        demo.users["handler"],
        organisation=bureau,
        title="2026年成品油经营企业名单",
        body="<p>名单如下。</p>",
        request_reference="YSQ-2026-0012",
    )
    assert item.state == Publication.State.DRAFT and item.source_request == "YSQ-2026-0012"
    assert item.organisation == bureau
    with pytest.raises(PermissionDenied):
        actions.create_draft_from_request(
            demo.users["market"], organisation=bureau, title="x", body="", request_reference="1"
        )


def test_an_item_written_today_is_published_before_nine(demo):
    """The Art. 26 clock starts at 09:00 of 成文日期, or at the submission if that is earlier."""
    early = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 30)))
    item = draft(demo, written_on=timezone.localdate())
    actions.submit(demo.users["officer"], item, at=early)
    actions.approve_task(demo.users["office_head"], pending(item), at=early)
    actions.approve_task(
        demo.users["secrecy"], pending(item), decision="publish", legal_basis="第十九条", at=early
    )
    actions.approve_task(demo.users["deputy"], pending(item), at=early)
    item.refresh_from_db()
    assert item.state == Publication.State.PUBLISHED
