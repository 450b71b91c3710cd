"""What a tester found in the demo: a reply with nowhere to go, requests without their clock, the
letter's wording and number, the doubled outcome label, and the demo citizen's requests."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from sunshine.clocks.models import State
from sunshine.errors import ActionError
from sunshine.foi import actions
from sunshine.foi import demo as foi_demo
from sunshine.foi.letters import legal_basis, letter_number
from sunshine.foi.models import Request
from sunshine.foi.outcomes import BY_CODE
from sunshine.foi.queries import with_due

from .test_clock_rules import data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"delivery": "post", "address": "示例市人民路1号"}, "delivery"),
        ({"form": "paper", "delivery": "online"}, "delivery"),
        ({"form": "disc", "delivery": "fax"}, "delivery"),
        ({"form": "paper", "delivery": "post", "address": " "}, "address"),
    ],
)
def test_the_form_and_delivery_must_reach_the_applicant(demo, overrides, field):
    with pytest.raises(ActionError) as refused:
        actions.submit_request(
            demo.users["13800000001"], demo.departments["SLS-SWJ"], data(**overrides)
        )
    assert refused.value.field == field


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"form": "paper", "delivery": "post", "address": "示例市人民路1号", "email": ""},
        {"form": "paper", "delivery": "fax", "email": ""},
        {"form": "disk", "delivery": "in_person", "email": ""},
    ],
)
def test_forms_that_can_reach_the_applicant_are_accepted(demo, overrides):
    filed = actions.submit_request(
        demo.users["13800000001"], demo.departments["SLS-SWJ"], data(**overrides)
    )
    assert filed.request.state == Request.State.SUBMITTED


def test_the_apply_page_shows_the_missing_email_on_its_field(demo, client):
    client.force_login(demo.users["13800000001"])
    before = Request.objects.count()
    form = {
        **data(email=""),
        "id_kind": "resident",
        "organisation": demo.departments["SLS-SWJ"].pk,
        "submission_key": uuid.uuid4().hex,
    }
    response = client.post("/foi/", form)
    assert response.context["form"].errors["email"] == [
        "以电子邮件形式提供的，请填写有效的电子邮箱。"
    ]
    assert Request.objects.count() == before


def test_every_demo_request_in_a_running_state_has_its_clock(demo):
    waiting = Request.objects.exclude(state__in=[Request.State.SUBMITTED, Request.State.CLOSED])
    assert waiting.count() >= 6
    for request in waiting:
        clock = actions.clock_of(request, actions.REPLY)
        assert clock is not None, request.number
        assert clock.state in (State.RUNNING, State.PAUSED), request.number


def test_the_demo_cross_year_requests_are_overdue_on_their_clocks(demo):
    carried = with_due(Request.objects.filter(info_title__startswith="跨年申请")).order_by("pk")
    assert [(r.received_on.isoformat(), r.state) for r in carried] == [
        (f"2025-12-{day}", Request.State.PROCESSING) for day in (22, 23, 24)
    ]
    assert [r.number for r in carried] == [f"SLS-SWJ-2025-000{n}" for n in (43, 44, 45)]
    assert {r.due_status for r in carried} == {"overdue"}


def test_the_demo_citizen_sees_only_requests_in_his_own_name(demo):
    citizen = demo.users["13800000001"]
    mine = Request.objects.filter(applicant=citizen)
    assert mine.count() == 3
    assert set(mine.values_list("applicant_name", flat=True)) == {"张三"}
    others = Request.objects.filter(applicant_name=foi_demo.DEMO_MARK)
    assert not others.filter(applicant__isnull=False).exists()
    assert not others.filter(id_number=citizen.id_number).exists()


def _closed(demo, outcome: str, **overrides) -> Request:
    filed = actions.submit_request(
        demo.users["13800000001"], demo.departments["SLS-SWJ"], data(**overrides)
    )
    request = actions.confirm_receipt(demo.users["window"], filed.request)
    files = [SimpleUploadedFile("资金分配结果.pdf", PDF, content_type="application/pdf")]
    request = actions.submit_decision(
        demo.users["handler"],
        request,
        outcome=outcome,
        reply_text="经审查，您申请的信息予以公开，见附件。",
        files=files,
        other_agency=overrides.get("other_agency", ""),
    )
    request = actions.review_decision(demo.users["legal"], request, approve=True, opinion="")
    return actions.send_reply(demo.users["handler"], request)


def _letter_text(request: Request) -> list[str]:
    with request.letter_docx.open("rb") as f:
        return [p.text for p in Document(io.BytesIO(f.read())).paragraphs]


def test_the_letter_addresses_the_applicant_as_you_and_cites_what_applies(demo):
    request = _closed(demo, "disclose")
    text = _letter_text(request)
    year, serial = timezone.localdate().year, int(request.number.rsplit("-", 1)[1])
    assert f"示例市商务局依申请公开答复〔{year}〕{serial}号" in text
    assert request.number not in text[2]  # the number is not written into the 发文字号
    assert "张三：" in text
    body = "\n".join(text)
    assert "您于" in body and "张三于" not in body
    assert "第三十六条第（二）项的规定" in body and "第（一）项" not in body


def test_information_not_held_cites_the_item_of_the_case(demo):
    request = Request(draft_outcome="not_held")
    assert legal_basis(request) == "第三十六条第（四）项"
    request.other_agency = "示例市市场监督管理局，电话 12345"
    assert legal_basis(request) == "第三十六条第（五）项"


def test_a_letter_number_keeps_the_year_of_the_request(demo):
    request = Request(number="SLS-SWJ-2025-00043", organisation=demo.departments["SLS-SWJ"])
    assert letter_number(request) == "示例市商务局依申请公开答复〔2025〕43号"


def test_an_outcome_is_labelled_once(demo, client):
    assert str(BY_CODE["disclose"].title) == "（一）予以公开"
    assert str(BY_CODE["partial"].title) == "（二）部分公开"
    assert str(BY_CODE["secret"].title) == "（三）不予公开 属于国家秘密"
    request = _closed(demo, "disclose")
    assert request.get_outcome_display() == "（一）予以公开"
    client.force_login(demo.users["handler"])
    page = client.get(f"/foi/staff/{request.pk}/").content.decode()
    assert "予以公开 予以公开" not in page
    assert '<dd class="outcome">（一）予以公开</dd>' in page
    assert 'class="draft-outcome"' not in page  # the 拟办结果 went with the closing
