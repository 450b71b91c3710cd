from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from sunshine.clocks.engine import tz
from sunshine.errors import ActionError
from sunshine.hall import actions
from sunshine.hall.models import Application, FollowUp, Notice, ServiceItem
from sunshine.org.permissions import PermissionDenied
from sunshine.workflow.actions import open_tasks
from sunshine.workflow.rules import may_act

AT = datetime(2026, 3, 2, 9, 0, tzinfo=tz())  # a Monday
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DATA = {"applicant_name": "示例市阳光商贸有限公司", "contact_phone": "13800000002",
        "project": "新设加油站", "address": "示例市滨江路 1 号"}  # fmt: skip


def item() -> ServiceItem:
    return ServiceItem.objects.get(name="成品油零售经营资格初审（加油站设置）")


def files(it: ServiceItem) -> dict:
    return {m.pk: SimpleUploadedFile(f"{m.name}.pdf", PDF) for m in it.materials.all()}


def submitted(demo, at=AT) -> Application:
    it = item()
    user = demo.users["13800000002"]
    app = actions.save_draft(user, it, data=DATA, files=files(it), at=at)
    return actions.submit(user, app, at=at)


def test_demo_loads_twice(demo):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ServiceItem.objects.count() == 6


def test_submit_needs_required_materials(demo):
    user = demo.users["13800000002"]
    app = actions.save_draft(user, item(), data=DATA, files={})
    with pytest.raises(ActionError, match="必要材料"):
        actions.submit(user, app)
    with pytest.raises(PermissionDenied):
        actions.save_draft(demo.users["window"], item(), data=DATA, files={})


def test_a_second_submit_is_told_it_went_through_and_others_are_still_refused(demo, client):
    app = submitted(demo)
    with pytest.raises(ActionError, match="已经提交"):
        actions.submit(demo.users["13800000002"], app)
    with pytest.raises(PermissionDenied):
        actions.submit(demo.users["13800000001"], app)
    client.force_login(demo.users["13800000002"])
    page = client.post(f"/hall/applications/{app.pk}/submit/", follow=True)
    assert page.status_code == 200 and "已经提交" in page.content.decode()


def test_five_day_rule_backdates_acceptance(demo):
    app = submitted(demo)
    assert actions.lapse_intakes(AT + timedelta(days=6)) == 0  # 5 working days end Monday 9 March
    assert actions.lapse_intakes(AT + timedelta(days=7, hours=15)) == 1
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW
    assert app.deemed_accepted and app.accepted_at == AT
    assert app.committed_clock.started_at == AT
    assert app.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
    assert actions.lapse_intakes(AT + timedelta(days=30)) == 0  # recorded once


def test_correction_is_asked_once_and_restarts_the_intake_count(demo):
    app = submitted(demo)
    window = demo.users["window"]
    first = app.files.first()
    actions.review_material(window, first, ok=False, note="复印件不清晰")
    actions.request_correction(window, app, items=["补充法定代表人身份证明"], at=AT)
    app.refresh_from_db()
    assert app.state == Application.State.CORRECTION
    assert "复印件不清晰" in app.correction_items
    later = AT + timedelta(days=10)
    user = demo.users["13800000002"]
    actions.submit_correction(user, app, files={first.material_id: SimpleUploadedFile(
        "申请书.pdf", PDF)}, at=later)  # fmt: skip
    with pytest.raises(ActionError, match="一次性告知"):
        actions.request_correction(window, app, items=["再补"], at=later)
    assert actions.lapse_intakes(later + timedelta(days=3)) == 0
    assert actions.lapse_intakes(later + timedelta(days=9)) == 1
    app.refresh_from_db()
    assert app.accepted_at == later  # accepted from the day the corrected materials were in


def test_refusal_needs_reasons_and_gives_remedies(demo):
    app = submitted(demo)
    with pytest.raises(ActionError, match="理由"):
        actions.refuse(demo.users["window"], app, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.refuse(demo.users["handler"], app, reason="不属于本机关职权")
    actions.refuse(demo.users["window"], app, reason="不属于本机关职权范围", at=AT)
    notice = app.notices.get(kind=Notice.Kind.REFUSAL)
    assert any("行政复议" in line for line in notice.body)


def review(demo, app, users, at):
    for username in users:
        user = demo.users[username]
        task = next(t for t in open_tasks(app.instance) if may_act(user, t))
        actions.sign(user, task, "approve", opinion="同意", at=at)


def test_special_procedure_pauses_the_case_and_tells_the_applicant(demo):
    app = submitted(demo)
    actions.accept(demo.users["window"], app, at=AT)
    app.refresh_from_db()
    due = app.committed_clock.due_at
    with pytest.raises(PermissionDenied):
        actions.start_special_procedure(
            demo.users["window"], app, kind="expert", days=10, reason="专家评审"
        )
    with pytest.raises(ActionError, match="种类"):
        actions.start_special_procedure(
            demo.users["handler"], app, kind="picnic", days=10, reason="x"
        )
    procedure = actions.start_special_procedure(
        demo.users["handler"], app, kind="expert", days=10, reason="安全条件专家评审", at=AT
    )
    app.refresh_from_db()
    assert app.committed_clock.state == "paused" and app.statutory_clock.state == "paused"
    notice = app.notices.get(kind=Notice.Kind.SPECIAL)
    assert any("10 个工作日" in line and "不计算" in line for line in notice.body)
    actions.end_special_procedure(
        demo.users["handler"], procedure, result="评审通过", at=AT + timedelta(days=14)
    )
    app.refresh_from_db()
    assert app.committed_clock.state == "running" and app.committed_clock.due_at > due


def test_rating_and_follow_up(demo):
    app = submitted(demo)
    Application.objects.filter(pk=app.pk).update(state=Application.State.COMPLETED)
    user = demo.users["13800000002"]
    with pytest.raises(PermissionDenied):
        actions.rate(demo.users["13800000001"], app, score=5)
    rating = actions.rate(user, app, score=5, comment="等了太久", at=AT)
    with pytest.raises(ActionError, match="已评价"):
        actions.rate(user, app, score=1)
    follow_up = rating.follow_up
    assert follow_up.clock.limit == 5 and follow_up.clock.kind == "hall.follow_up"
    with pytest.raises(PermissionDenied):
        actions.close_follow_up(
            demo.users["market"], follow_up, callback_note="x", resolution="fixed", reply="x"
        )
    actions.close_follow_up(
        demo.users["reviewer"], follow_up, callback_note="已电话回访", resolution="explained",
        reply="已说明原因", at=AT + timedelta(days=1),
    )  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUp.State.CLOSED and follow_up.clock.on_time


def test_hostile_upload_is_refused(demo, client):
    client.force_login(demo.users["13800000002"])
    it = item()
    bad = SimpleUploadedFile("申请书.pdf", b"<script>alert(1)</script>")
    response = client.post(
        f"/hall/items/{it.pk}/apply/", {**DATA, f"material_{it.materials.first().pk}": bad}
    )
    assert response.status_code == 200 and "不支持的文件类型" in response.content.decode()
    assert not Application.objects.exists()


def test_other_applicants_and_departments_cannot_see_a_case(demo, client):
    app = submitted(demo)
    client.force_login(demo.users["13800000001"])
    assert client.get(f"/hall/applications/{app.pk}/").status_code == 404
    client.force_login(demo.users["township"])
    assert client.get(f"/hall/applications/{app.pk}/").status_code == 404
    client.force_login(demo.users["window"])
    assert client.get(f"/hall/applications/{app.pk}/").status_code == 200


def test_guide_page_shows_the_flow_chart(demo, client):
    page = client.get(f"/hall/items/{item().pk}/").content.decode()
    for text in (
        "业务科室初审",
        "市场监管局会审",
        "一票否决",
        "作出决定",
        "廉政风险点",
        "行政复议",
    ):
        assert text in page
    assert "加油站" in client.get("/hall/?q=加油站").content.decode()


def test_notices_render_as_docx_and_pdf_with_the_case_number(demo, client):
    import io
    import zipfile

    from pypdf import PdfReader

    app = actions.accept(demo.users["window"], submitted(demo), at=AT + timedelta(days=1))
    notice = app.notices.get(kind=Notice.Kind.ACCEPTANCE)
    client.force_login(demo.users["13800000002"])
    docx = client.get(f"/hall/notices/{notice.pk}.docx")
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    document = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert app.number in document and notice.number in document
    pdf = client.get(f"/hall/notices/{notice.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert app.number in text.replace(" ", "")
    client.force_login(demo.users["13800000001"])
    assert client.get(f"/hall/notices/{notice.pk}.pdf").status_code == 404


def test_periodic_task_records_lapsed_intakes(demo):
    from sunshine.hall.tasks import check_intakes

    now = datetime.now(tz())
    app = submitted(demo, at=now - timedelta(days=30))
    fresh = submitted(demo, at=now)
    check_intakes.call_local()
    app.refresh_from_db()
    fresh.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.deemed_accepted
    assert app.accepted_at == app.received_at
    assert fresh.state == Application.State.SUBMITTED and not fresh.deemed_accepted
    assert app.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
