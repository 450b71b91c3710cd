"""The seams to other subsystems, through the staff pages: a proactive publication for several
requests (第四十四条), a complaint handed to 12345 (第三十九条), and reviews and suits with their
results (section 四 of the annual report)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sunshine.appeals.models import Appeal, Channel
from sunshine.audit.models import AuditEvent
from sunshine.errors import ActionError
from sunshine.foi import actions
from sunshine.foi.models import Remedy, Request
from sunshine.publishing.models import Publication
from sunshine.reports.queries import compute

from .test_clock_rules import data


def _received(demo, org="SLS-SWJ", applicant="13800000001", **overrides) -> Request:
    filed = actions.submit_request(demo.users[applicant], demo.departments[org], data(**overrides))
    staff = "window" if org == "SLS-SWJ" else "market"
    return actions.confirm_receipt(demo.users[staff], filed.request)


def _approved(demo, outcome: str) -> Request:
    request = _received(demo, info_title="反映某超市销售过期食品问题", description="请查处")
    request = actions.submit_decision(
        demo.users["handler"], request, outcome=outcome, reply_text="您反映的属于投诉举报事项。"
    )
    return actions.review_decision(demo.users["legal"], request, approve=True, opinion="")


def test_several_requests_become_one_proactive_draft(demo, client):
    first = _received(demo)
    second = _received(demo, applicant="13800000002", applicant_type="commercial")
    different = _received(demo, info_title="另一项信息")
    elsewhere = _received(demo, org="SLS-SCJG")
    url = f"/foi/staff/{first.pk}/"
    existing = Publication.objects.count()
    client.force_login(demo.users["market"])
    assert client.get(url).status_code == 404
    assert client.post(url + "proactive/", {"proactive-title": "x"}).status_code == 404
    client.force_login(demo.users["handler"])
    page = client.get(url).content.decode()
    assert "转为主动公开" in page and second.number in page
    assert different.number not in page and elsewhere.number not in page
    # Another agency's request smuggled into the form is not a valid choice.
    form = {"proactive-title": "专项资金分配结果", "proactive-body": "正文"}
    response = client.post(url + "proactive/", {**form, "proactive-others": [elsewhere.pk]})
    assert response.status_code == 200 and Publication.objects.count() == existing
    response = client.post(url + "proactive/", {**form, "proactive-body": " "})
    assert "这个字段是必填项" in response.content.decode()
    response = client.post(url + "proactive/", {**form, "proactive-others": [second.pk]})
    assert response.status_code == 302
    draft = Publication.objects.latest("pk")
    assert draft.title == "专项资金分配结果" and draft.state == Publication.State.DRAFT
    assert draft.organisation == demo.departments["SLS-SWJ"]
    assert draft.source_request == f"{first.number}等2件"
    for request in (first, second):
        request.refresh_from_db()
        assert request.proactive_publication == draft
    different.refresh_from_db()
    assert different.proactive_publication is None
    assert AuditEvent.objects.filter(verb="foi.publish_proactively").count() == 2
    page = client.get(url).content.decode()
    assert "已转为主动公开" in page and 'id="panel-proactive"' not in page
    again = client.post(url + "proactive/", form)
    assert "已转为主动公开，请刷新页面" in again.content.decode()
    assert Publication.objects.count() == existing + 1


def test_a_draft_cannot_answer_requests_of_two_agencies(demo):
    ours, theirs = _received(demo), _received(demo, org="SLS-SCJG")
    existing = Publication.objects.count()
    with pytest.raises(Exception, match="权限"):
        actions.publish_proactively(demo.users["handler"], [ours, theirs], title="t", body="b")
    with pytest.raises(ActionError, match="请选择申请"):
        actions.publish_proactively(demo.users["handler"], [], title="t", body="b")
    assert Publication.objects.count() == existing


def test_a_complaint_is_referred_to_12345_and_linked(demo, client):
    processing = _received(demo)
    client.force_login(demo.users["handler"])
    refused = client.post(f"/foi/staff/{processing.pk}/refer/", {"refer-appeal_type": "complaint"})
    referred = Appeal.objects.filter(channel=Channel.REFERRAL)
    assert "合法性审查" in refused.content.decode() and not referred.exists()
    request = _approved(demo, "petition")
    url = f"/foi/staff/{request.pk}/"
    assert 'id="panel-refer"' in client.get(url).content.decode()
    client.force_login(demo.users["market"])
    assert client.post(url + "refer/", {"refer-appeal_type": "complaint"}).status_code == 404
    client.force_login(demo.users["handler"])
    response = client.post(url + "refer/", {"refer-appeal_type": "complaint"}, follow=True)
    appeal = referred.get()
    assert f"工单编号 {appeal.serial}，查询码" in response.content.decode()
    assert appeal.channel == Channel.REFERRAL and appeal.type == "complaint"
    assert appeal.external_ref == request.number and appeal.status == "received"
    assert appeal.contact_name == "张三" and appeal.phone == "13800000001"
    assert appeal.citizen == demo.users["13800000001"] and appeal.recorded_by is not None
    assert "过期食品" in appeal.title and "请查处" in appeal.body
    request.refresh_from_db()
    assert request.complaint_case == appeal
    assert appeal.serial in client.get(url).content.decode()
    again = client.post(url + "refer/", {"refer-appeal_type": "complaint"})
    assert "已转为12345工单" in again.content.decode() and referred.count() == 1
    # The applicant sees the referral among the steps of the request.
    client.force_login(demo.users["13800000001"])
    assert appeal.serial in client.get(f"/foi/r/{request.pk}/").content.decode()


def test_other_outcomes_are_not_referred(demo):
    request = _approved(demo, "not_held")
    with pytest.raises(ActionError, match="信访举报投诉类"):
        actions.refer_to_hotline(demo.users["handler"], request)


def test_reviews_and_suits_are_recorded_with_their_results(demo, client):
    request = _approved(demo, "not_held")
    url = f"/foi/staff/{request.pk}/"
    client.force_login(demo.users["handler"])
    early = client.post(url + "remedy/", {"remedy-kind": "review", "remedy-filed_on": "2026-01-01"})
    assert "已办结" in early.content.decode() and not request.remedies.exists()
    client.post(url + "send/")
    request.refresh_from_db()
    assert request.state == Request.State.CLOSED
    today = timezone.localdate()
    base = compute(demo.departments["SLS-SWJ"], today.year)["four"]
    tomorrow = today + timedelta(days=1)
    form = {"remedy-kind": "review", "remedy-filed_on": tomorrow.isoformat()}
    assert "不能晚于今天" in client.post(url + "remedy/", form).content.decode()
    form["remedy-filed_on"] = (request.closed_on - timedelta(days=1)).isoformat()
    assert "不能早于申请办结日期" in client.post(url + "remedy/", form).content.decode()
    form |= {"remedy-filed_on": today.isoformat(), "remedy-note": "市政府行政复议〔2026〕1号"}
    assert client.post(url + "remedy/", form).status_code == 302
    suit = {"remedy-kind": "suit", "remedy-filed_on": today.isoformat()}
    assert client.post(url + "remedy/", suit).status_code == 302
    review, lawsuit = request.remedies.order_by("pk")
    client.force_login(demo.users["market"])
    decision = {
        "remedy_decided-remedy": review.pk,
        "remedy_decided-result": "corrected",
        "remedy_decided-decided_on": today.isoformat(),
    }
    assert client.post(url + "remedy_decided/", decision).status_code == 404
    client.force_login(demo.users["handler"])
    pending = {**decision, "remedy_decided-result": "pending"}
    assert client.post(url + "remedy_decided/", pending).status_code == 200
    assert client.post(url + "remedy_decided/", decision).status_code == 302
    again = client.post(url + "remedy_decided/", decision)
    assert again.status_code == 200  # no longer a pending case to choose
    review.refresh_from_db()
    assert review.result == "corrected" and review.decided_on == today
    page = client.get(url).content.decode()
    assert "结果纠正" in page and "尚未审结" in page and "市政府行政复议〔2026〕1号" in page
    four = compute(demo.departments["SLS-SWJ"], today.year)["four"]
    diff = [[a - b for a, b in zip(x, y, strict=True)] for x, y in zip(four, base, strict=True)]
    assert diff == [[0, 1, 0, 0, 1], [0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]
    with pytest.raises(ActionError, match="已审结"):
        actions.decide_remedy(demo.users["handler"], review, result="upheld", decided_on=today)
    assert lawsuit.result == Remedy.Result.PENDING
