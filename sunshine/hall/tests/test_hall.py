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
    assert ServiceItem.objects.count() == 5


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


def test_the_submitted_message_gives_the_case_number(demo, client):
    it = item()
    client.force_login(demo.users["13800000002"])
    uploads = {f"material_{pk}": upload for pk, upload in files(it).items()}
    page = client.post(
        f"/hall/items/{it.pk}/apply/", {**DATA, **uploads, "submit": "1"}, follow=True
    ).content.decode()
    app = Application.objects.get()
    assert app.number and f"申请已提交，办件编号 {app.number}。" in page
    assert "办件编号 None" not in page


def test_acceptance_is_refused_while_a_material_needs_correction(demo, client):
    app = submitted(demo)
    window = demo.users["window"]
    licence = app.files.get(material__name="营业执照")
    actions.review_material(window, licence, ok=False, note="复印件不清晰")
    with pytest.raises(ActionError, match="营业执照.*一次性告知补正"):
        actions.accept(window, app, at=AT)
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and app.accepted_at is None
    assert not app.notices.filter(kind=Notice.Kind.ACCEPTANCE).exists()
    # The same from the intake form: the flag is saved, the acceptance refused.
    client.force_login(window)
    page = client.post(
        f"/hall/applications/{app.pk}/intake/",
        {"do": "accept", f"review_{licence.pk}": "correct", f"note_{licence.pk}": "复印件不清晰"},
        follow=True,
    ).content.decode()
    assert "已标记为需补正：营业执照" in page
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED
    actions.review_material(window, licence, ok=True, note="复印件不清晰")  # the form's old text
    licence.refresh_from_db()
    assert licence.review_note == ""  # found in order: the defect note does not stay behind
    assert actions.accept(window, app, at=AT).state == Application.State.IN_REVIEW


def test_acceptance_checks_the_materials_not_yet_pre_checked(demo, client):
    from sunshine.audit.models import AuditEvent

    app = submitted(demo)
    window = demo.users["window"]
    form = app.files.get(material__name="申请书")
    actions.review_material(window, form, ok=True, note="填写完整")
    actions.accept(window, app, at=AT)
    rows = {f.material.name: f for f in app.files.filter(current=True)}
    assert {f.review for f in rows.values()} == {"accepted"}
    assert {f.reviewed_by for f in rows.values()} == {window}
    assert rows["申请书"].review_note == "填写完整"
    assert rows["营业执照"].review_note == "受理时审核"
    (audited,) = AuditEvent.objects.filter(verb="hall.accept", object_id=str(app.pk))
    assert sorted(audited.after["materials_checked_at_acceptance"]) == sorted(
        f.name for name, f in rows.items() if name != "申请书"
    )
    client.force_login(demo.users["13800000002"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert "待预审" not in page and "符合要求：受理时审核" in page


def test_a_deemed_acceptance_claims_no_pre_check(demo, client):
    from sunshine.audit.models import AuditEvent

    app = submitted(demo)
    assert actions.lapse_intakes(AT + timedelta(days=8)) == 1
    assert set(app.files.values_list("review", flat=True)) == {"pending"}
    (audited,) = AuditEvent.objects.filter(verb="hall.accept", object_id=str(app.pk))
    assert audited.actor is None
    assert sorted(audited.after["materials_not_checked"]) == sorted(
        app.files.values_list("name", flat=True)
    )
    client.force_login(demo.users["13800000002"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert "待预审" not in page and "未经预审（逾期依法视为受理）" in page


FILING = "单用途商业预付卡发卡企业备案"
FILING_RULE = "《单用途商业预付卡管理办法（试行）》第七条"


def filing(demo) -> Application:
    it = ServiceItem.objects.get(name=FILING)
    user = demo.users["13800000002"]
    return actions.submit(user, actions.save_draft(user, it, data=DATA, files=files(it)), at=AT)


def test_a_filing_cites_its_own_basis_and_fits_its_promise(demo, client):
    it = ServiceItem.objects.get(name=FILING)
    steps = it.process.parsed.steps
    assert sum(step.limit for step in steps) <= it.committed_limit
    assert it.intake_basis == FILING_RULE
    guide = client.get(f"/hall/items/{it.pk}/").content.decode()
    assert "第三十二条" not in guide and "行政许可法" not in guide
    assert "《单用途商业预付卡管理办法（试行）》 商务部令2012年第9号 第七条" in guide
    assert "规模发卡企业向其工商登记注册地设区的市人民政府商务主管部门备案" in guide
    app = filing(demo)
    receipt = app.notices.get(kind=Notice.Kind.RECEIPT)
    assert "1 个工作日内作出是否受理" in "".join(receipt.body)
    assert "即为受理" not in "".join(receipt.body)
    (intake,) = open_tasks(app.instance)
    assert intake.clock.legal_basis == FILING_RULE  # the intake clock cites the item's rule
    # No 第三十二条, so no acceptance by lapse of time: the overdue step is for supervision.
    assert actions.lapse_intakes(AT + timedelta(days=30)) == 0
    client.force_login(demo.users["window"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert f"受理审查（{FILING_RULE}）" in page and "第三十二条" not in page
    app = actions.accept(demo.users["window"], app, at=AT)
    accepted = "".join(app.notices.get(kind=Notice.Kind.ACCEPTANCE).body)
    assert f"根据{FILING_RULE}的规定" in accepted and "行政许可法" not in accepted
    assert app.statutory_clock.legal_basis == FILING_RULE


def test_a_licence_intake_still_cites_the_licensing_law(demo):
    app = submitted(demo)
    assert item().intake_basis == "《中华人民共和国行政许可法》第三十二条"
    (intake,) = open_tasks(app.instance)
    assert intake.clock.legal_basis == "《中华人民共和国行政许可法》第三十二条"
    assert "即为受理" in "".join(app.notices.get(kind=Notice.Kind.RECEIPT).body)
    app = actions.accept(demo.users["window"], app, at=AT)
    accepted = "".join(app.notices.get(kind=Notice.Kind.ACCEPTANCE).body)
    assert "根据《中华人民共和国行政许可法》第三十二条的规定" in accepted
    assert app.statutory_clock.legal_basis == "《中华人民共和国行政许可法》第四十二条"
    from sunshine.org.models import Membership, Role

    # A joint licence is extended by the government's head (第四十二条), whom the demo lacks.
    mayor = demo.users["mayor"]
    Membership.objects.create(user=mayor, department=demo.departments["SLS"], role=Role.LEADER)
    actions.extend(mayor, app, reason="需要现场核查", at=AT)
    (extended,) = app.notices.filter(kind=Notice.Kind.EXTENSION)
    assert extended.title == "行政许可延期通知书" and "许延字" in extended.number
    assert "《中华人民共和国行政许可法》第四十二条" in "".join(extended.body)


def test_a_filings_notices_speak_of_a_filing_not_a_licence(demo, client):
    from .test_results import DONE, deliver

    app = actions.accept(demo.users["window"], filing(demo), at=AT)
    actions.extend(demo.users["director"], app, reason="需要核实资金存管协议", at=AT)
    (extended,) = app.notices.filter(kind=Notice.Kind.EXTENSION)
    text = "".join(extended.body)
    assert extended.title == "延期办理通知书" and "许" not in extended.number
    assert FILING_RULE in text and "行政许可" not in text and "需要核实资金存管协议" in text
    review(demo, app, ["handler"], AT + timedelta(days=1))
    deliver(demo, app, "0")
    (result,) = app.notices.filter(kind=Notice.Kind.GRANT)
    text = "".join(result.body)
    assert result.title == "单用途商业预付卡备案证明" and "许" not in result.number
    assert f"根据{FILING_RULE}的规定，准予办理{FILING}" in text and "行政许可" not in text
    app.refresh_from_db()
    assert app.decision_label == "准予办理" and app.statutory_clock.outcome == "准予办理"
    client.force_login(demo.users["13800000002"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert "下载单用途商业预付卡备案证明 PDF" in page and "行政许可" not in page
    assert "已办结 · 准予办理" in page
    download = client.get(f"/hall/notices/{result.pk}.docx")
    assert "%E5%A4%87%E6%A1%88%E8%AF%81%E6%98%8E" in download["Content-Disposition"]  # 备案证明
    assert app.completed_at == DONE


def test_cases_started_before_the_intake_basis_was_kept_get_their_items_rule(demo):
    """The data migration that fills `Instance.intake_basis` for cases already running."""
    import importlib

    from django.apps import apps

    from sunshine.workflow.models import Instance

    migration = importlib.import_module("sunshine.hall.migrations.0007_backfill_intake_basis")
    licence, filed = submitted(demo), filing(demo)
    Instance.objects.update(intake_basis="")
    migration.backfill(apps, None)
    licence.instance.refresh_from_db()
    filed.instance.refresh_from_db()
    assert licence.instance.intake_basis == licence.item.intake_basis
    assert filed.instance.intake_basis == filed.item.intake_basis == FILING_RULE
