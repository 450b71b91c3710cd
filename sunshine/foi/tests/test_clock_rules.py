"""Every clock rule of a request around the Spring Festival 2026: holiday 2026-02-15..23, the
Saturdays 2026-02-14 and 2026-02-28 worked."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sunshine.clocks.models import State
from sunshine.clocks.queries import explain_clock
from sunshine.errors import ActionError
from sunshine.foi import actions
from sunshine.foi.actions import CONSULTATION, CORRECTION, REPLY, clock_of
from sunshine.foi.models import Consultation, Request
from sunshine.org.permissions import PermissionDenied

SH = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


def data(**overrides) -> dict:
    values = {
        "applicant_type": "natural",
        "applicant_name": "张三",
        "id_number": "110101199003073015",
        "phone": "13800000001",
        "info_title": "2025年商贸流通专项资金分配结果",
        "email": "zhangsan@example.com",
        "form": "email",
        "delivery": "online",
    }
    values.update(overrides)
    return values


def due(request: Request, kind: str = REPLY) -> str:
    return clock_of(request, kind).due_label


@pytest.fixture
def swj(demo):
    return demo.departments["SLS-SWJ"]


@pytest.fixture
def received(demo, swj):
    """An online request confirmed as received on Tuesday 2026-02-10 (第三十一条第三项)."""
    filed = actions.submit_request(demo.users["13800000001"], swj, data(), at=at("2026-02-09"))
    return actions.confirm_receipt(demo.users["window"], filed.request, at=at("2026-02-10"))


def test_receipt_starts_twenty_working_days_skipping_the_festival(demo, swj, received):
    assert received.received_on == date(2026, 2, 10)
    assert re.fullmatch(r"SLS-SWJ-2026-\d{5}", received.number)
    # 11,12,13, Sat 14 (worked), 24..28 (Sat 28 worked), then March: the 20th is 2026-03-16.
    assert due(received) == "2026-03-16"
    text = "\n".join(explain_clock(clock_of(received, REPLY)))
    assert "春节" in text and "第三十三条" in text


def test_online_request_is_not_received_until_confirmed(demo, swj):
    filed = actions.submit_request(demo.users["13800000001"], swj, data(), at=at("2026-02-13"))
    assert filed.request.received_on is None and clock_of(filed.request, REPLY) is None
    with pytest.raises(ActionError):
        actions.send_correction_notice(
            demo.users["handler"], filed.request, items="x", days=10, at=at("2026-02-14")
        )


def test_register_paper_request_counts_from_the_day_signed_for(demo, swj):
    filed = actions.register_request(
        demo.users["window"],
        swj,
        data(applicant_type="commercial"),
        channel="post",
        received_on=date(2026, 2, 13),
        at=at("2026-02-24"),
    )
    assert filed.request.received_on == date(2026, 2, 13)
    # 14 (Sat, worked), 24..28, March 2.. : the 20th working day after Friday 02-13 is 03-19.
    assert due(filed.request) == "2026-03-19"
    with pytest.raises(ActionError, match="不能晚于今天"):
        actions.register_request(
            demo.users["window"],
            swj,
            data(),
            channel="fax",
            received_on=date(2026, 3, 1),
            at=at("2026-02-24"),
        )


def test_correction_notice_within_seven_working_days_only(demo, received):
    # 7 working days after 02-10: 11, 12, 13, 14, 24, 25, 26 -> the last day is 02-26.
    with pytest.raises(ActionError, match="7个工作日内"):
        actions.send_correction_notice(
            demo.users["handler"],
            received,
            items="请说明所需信息的年份",
            days=10,
            at=at("2026-02-27"),
        )
    request = actions.send_correction_notice(
        demo.users["handler"], received, items="请说明所需信息的年份", days=10, at=at("2026-02-26")
    )
    assert request.state == Request.State.CORRECTION
    assert clock_of(request, REPLY).state == State.PAUSED
    # The applicant's own deadline is a clock: 10 working days after Thursday 02-26.
    assert due(request, CORRECTION) == "2026-03-11"


def test_correction_restarts_the_clock_and_a_second_one_is_allowed(demo, received):
    citizen = demo.users["13800000001"]
    request = actions.send_correction_notice(
        demo.users["handler"], received, items="请说明年份", days=10, at=at("2026-02-12")
    )
    with pytest.raises(ActionError, match="补正内容"):
        actions.submit_correction(citizen, request, text="  ", at=at("2026-03-02"))
    request = actions.submit_correction(citizen, request, text="2025年度", at=at("2026-03-02"))
    # Counted afresh from Monday 03-02, not from the receipt.
    assert due(request) == "2026-03-30"
    assert request.state == Request.State.PROCESSING
    assert any("重新起算" in line for line in explain_clock(clock_of(request, REPLY)))
    # The 7 days of a second 补正 count from the corrected application.
    request = actions.send_correction_notice(
        demo.users["handler"], request, items="请说明具体项目", days=5, at=at("2026-03-11")
    )
    assert request.corrections == 2
    with pytest.raises(ActionError, match="状态"):
        actions.send_correction_notice(
            demo.users["handler"], request, items="再次", days=5, at=at("2026-03-11")
        )


def test_stranger_cannot_correct_someone_elses_request(demo, received):
    request = actions.send_correction_notice(
        demo.users["handler"], received, items="请说明年份", days=10, at=at("2026-02-12")
    )
    with pytest.raises(PermissionDenied):
        actions.submit_correction(demo.users["13800000002"], request, text="x", at=at("2026-02-13"))


def test_no_correction_in_time_is_abandoned(demo, received):
    handler = demo.users["handler"]
    request = actions.send_correction_notice(
        handler, received, items="请说明年份", days=5, at=at("2026-02-12")
    )
    # 13, 14 (worked Saturday), 24, 25, 26: the applicant has until the end of 02-26.
    assert due(request, CORRECTION) == "2026-02-26"
    with pytest.raises(ActionError, match="期限届满前"):
        actions.close_for_no_correction(handler, request, at=at("2026-02-26", 17))
    with pytest.raises(ActionError, match="已超过补正期限"):
        actions.submit_correction(
            demo.users["13800000001"], request, text="迟到", at=at("2026-02-27")
        )
    request = actions.close_for_no_correction(handler, request, at=at("2026-02-27"))
    assert (request.state, request.outcome) == (Request.State.CLOSED, "no_correction")
    assert clock_of(request, REPLY).state == State.STOPPED
    assert clock_of(request, CORRECTION).outcome == "逾期未补正"


def test_consultation_pauses_and_answer_resumes(demo, received):
    handler = demo.users["handler"]
    consultation = actions.start_consultation(
        handler,
        received,
        kind="third_party",
        party="示例市某商贸公司",
        question="是否同意公开贵司申报材料",
        at=at("2026-02-12"),
    )
    request = Request.objects.get(pk=received.pk)
    assert clock_of(request, REPLY).state == State.PAUSED
    # 15 working days for the third party: 13, 14, 24..28, 03-02..06, 09, 10, 11.
    assert due(consultation, CONSULTATION) == "2026-03-11"
    with pytest.raises(ActionError, match="期限届满前"):
        actions.record_consultation_answer(
            handler, consultation, position="silent", answer="", at=at("2026-03-11", 17)
        )
    actions.record_consultation_answer(
        handler, consultation, position="object", answer="涉及商业秘密", at=at("2026-03-02")
    )
    with pytest.raises(ActionError, match="已记录"):
        actions.record_consultation_answer(
            handler, consultation, position="agree", answer="同意", at=at("2026-03-02")
        )
    # 2 working days used (11, 12) before the pause; 18 more counted from 03-02: 2026-03-26.
    assert due(request) == "2026-03-26"
    assert Consultation.objects.get(pk=consultation.pk).answer == "涉及商业秘密"


def test_silence_of_another_agency_after_fifteen_days(demo, received):
    handler = demo.users["handler"]
    consultation = actions.start_consultation(
        handler,
        received,
        kind="other_agency",
        party="示例市财政局",
        question="联合发文",
        at=at("2026-02-12"),
    )
    actions.record_consultation_answer(
        handler, consultation, position="silent", answer="", at=at("2026-03-12")
    )
    assert clock_of(Request.objects.get(pk=received.pk), REPLY).state == State.RUNNING


def test_extension_once_by_the_head_only(demo, received):
    with pytest.raises(PermissionDenied):
        actions.extend_reply(
            demo.users["handler"], received, days=20, reason="x", at=at("2026-03-02")
        )
    deputy = demo.users["deputy"]
    with pytest.raises(ActionError, match="20个工作日"):
        actions.extend_reply(deputy, received, days=21, reason="信息量大", at=at("2026-03-02"))
    request = actions.extend_reply(
        deputy, received, days=20, reason="信息量大", at=at("2026-03-02")
    )
    assert due(request) == "2026-04-14"  # 20 more working days after 03-16 (清明 04-04..06 skipped)
    assert request.steps.filter(title="延长答复期限", public=True).exists()
    with pytest.raises(ActionError, match="只能延长一次"):
        actions.extend_reply(deputy, request, days=1, reason="再延", at=at("2026-03-03"))


def test_extension_refused_after_the_limit(demo, received):
    with pytest.raises(ActionError, match="已届满"):
        actions.extend_reply(
            demo.users["deputy"], received, days=10, reason="信息量大", at=at("2026-03-17")
        )


def test_other_department_cannot_touch_the_request(demo, received):
    for username in ("market", "township", "13800000002"):
        with pytest.raises(PermissionDenied):
            actions.send_correction_notice(
                demo.users[username], received, items="x", days=5, at=at("2026-02-12")
            )


def test_legal_review_then_reply_stops_the_clock_with_the_outcome(demo, received):
    handler, legal = demo.users["handler"], demo.users["legal"]
    request = actions.submit_decision(
        handler,
        received,
        outcome="not_held",
        reply_text="经检索，本机关未制作该信息。",
        other_agency="示例市财政局，电话0000-12345678",
        at=at("2026-02-24"),
    )
    with pytest.raises(ActionError, match="状态"):
        actions.send_reply(handler, request, at=at("2026-02-24"))
    with pytest.raises(PermissionDenied):
        actions.review_decision(handler, request, approve=True, opinion="", at=at("2026-02-24"))
    with pytest.raises(ActionError, match="审查意见"):
        actions.review_decision(legal, request, approve=False, opinion=" ", at=at("2026-02-24"))
    request = actions.review_decision(legal, request, approve=True, opinion="", at=at("2026-02-25"))
    request = actions.send_reply(handler, request, at=at("2026-02-25"))
    assert (request.state, request.outcome, request.closed_on) == (
        Request.State.CLOSED,
        "not_held",
        date(2026, 2, 25),
    )
    clock = clock_of(request, REPLY)
    assert clock.state == State.STOPPED and clock.on_time
    assert request.letter_pdf.read().startswith(b"%PDF")
    with pytest.raises(ActionError):
        actions.send_reply(handler, request, at=at("2026-02-25"))


def test_outcome_must_be_a_template_row(demo, received):
    for bad in ("", "予以公开", "no_correction", "unpaid", "<script>"):
        with pytest.raises(ActionError, match="年度报告格式"):
            actions.submit_decision(
                demo.users["handler"], received, outcome=bad, reply_text="x", at=at("2026-02-24")
            )
