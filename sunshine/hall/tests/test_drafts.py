"""A draft continued, submitted or discarded by its applicant; a submission that lacks a material
keeps what was given; the receipt names the materials received."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunshine.audit.models import AuditEvent
from sunshine.hall import actions, notices, queries
from sunshine.hall.models import Application, Notice, ServiceItem
from sunshine.org.permissions import PermissionDenied

from .test_hall import AT, DATA, FILING, PDF

ITEM = "外商投资企业设立及变更"  # 申请书, 营业执照, 投资者身份证明: all required


def foreign_investment() -> ServiceItem:
    return ServiceItem.objects.get(name=ITEM, is_current=True)


def field(it: ServiceItem, name: str) -> str:
    return f"material_{it.materials.get(name=name).pk}"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def applied_with_form_only(client, demo, button: str) -> tuple[ServiceItem, object]:
    it = foreign_investment()
    client.force_login(demo.users["13800000002"])
    response = client.post(
        f"/hall/items/{it.pk}/apply/",
        {**DATA, field(it, "申请书"): upload("sqs.pdf"), button: "1"},
    )
    return it, response


def test_a_draft_is_continued_on_its_form_and_submitted_as_the_same_application(demo, client):
    it, _ = applied_with_form_only(client, demo, "draft")
    draft = Application.objects.get()
    assert draft.state == Application.State.DRAFT
    page = client.get(f"/hall/applications/{draft.pk}/").content.decode()
    assert f'href="/hall/applications/{draft.pk}/edit/"' in page and "继续填写" in page
    assert "撤销草稿" in page

    form = client.get(f"/hall/applications/{draft.pk}/edit/").content.decode()
    assert 'value="新设加油站"' in form  # the draft's own values
    (sqs,) = draft.files.all()
    assert f'href="/hall/files/{sqs.pk}/">sqs.pdf</a>' in form and "如需更换" in form
    for name in ("营业执照", "投资者身份证明"):
        assert f'name="{field(it, name)}"' in form

    # Saved again: the same draft, the form replaced, nothing else lost.
    response = client.post(
        f"/hall/applications/{draft.pk}/edit/",
        {**DATA, "project": "设立外资商贸企业", field(it, "申请书"): upload("sqs2.pdf"),
         field(it, "营业执照"): upload("yyzz.pdf"), "draft": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Application.objects.get().project == "设立外资商贸企业"
    current = dict(draft.files.filter(current=True).values_list("material__name", "name"))
    assert current == {"申请书": "sqs2.pdf", "营业执照": "yyzz.pdf"}

    page = client.post(
        f"/hall/applications/{draft.pk}/edit/",
        {**DATA, field(it, "投资者身份证明"): upload("sfzm.pdf"), "submit": "1"},
        follow=True,
    ).content.decode()
    (app,) = Application.objects.all()
    assert app.pk == draft.pk and app.state == Application.State.SUBMITTED
    assert f"申请已提交，办件编号 {app.number}。" in page
    assert app.files.filter(current=True).count() == 3
    # Submitted: the form is no longer offered, not even from an old tab.
    response = client.get(f"/hall/applications/{app.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/hall/applications/{app.pk}/"


def test_a_submission_lacking_materials_keeps_them_in_a_draft_and_asks_for_the_rest(demo, client):
    it, response = applied_with_form_only(client, demo, "submit")
    (draft,) = Application.objects.all()
    assert draft.state == Application.State.DRAFT and draft.number is None
    assert response["Location"] == f"/hall/applications/{draft.pk}/edit/?check=1"
    page = client.get(response["Location"]).content.decode()
    assert "申请尚未提交：请上传必要材料：营业执照、投资者身份证明。" in page
    assert "已上传的材料均已保存在草稿中" in page
    assert ">sqs.pdf</a>" in page
    assert page.count("这个字段是必填项") == 2  # beside the two missing, not the one given

    # The same from the draft page's button.
    response = client.post(f"/hall/applications/{draft.pk}/submit/")
    assert response["Location"] == f"/hall/applications/{draft.pk}/edit/?check=1"
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT


def test_a_form_sent_back_names_the_files_to_choose_again(demo, client):
    it = foreign_investment()
    client.force_login(demo.users["13800000002"])
    page = client.post(
        f"/hall/items/{it.pk}/apply/",
        {**DATA, "project": "", field(it, "申请书"): upload("sqs.pdf"), "submit": "1"},
    ).content.decode()
    assert "所选文件“sqs.pdf”未保存，请重新选择。" in page
    assert not Application.objects.exists()


def test_the_applicant_may_discard_a_draft_which_is_kept_as_withdrawn(demo, client):
    it = foreign_investment()
    user = demo.users["13800000002"]
    draft = actions.save_draft(user, it, data=DATA, files={}, at=AT)
    for other in ("13800000001", "window"):
        with pytest.raises(PermissionDenied):
            actions.discard_draft(demo.users[other], draft)
    client.force_login(user)
    page = client.post(f"/hall/applications/{draft.pk}/discard/", follow=True).content.decode()
    assert "草稿已撤销。" in page and f"/hall/applications/{draft.pk}/" not in page
    draft.refresh_from_db()
    assert draft.state == Application.State.WITHDRAWN
    event = AuditEvent.objects.get(verb="hall.discard_draft", object_id=str(draft.pk))
    assert event.actor == user and event.after == {"state": "withdrawn"}
    page = client.get(f"/hall/applications/{draft.pk}/").content.decode()
    assert "提交申请" not in page and "撤销草稿" not in page
    assert client.post(f"/hall/applications/{draft.pk}/discard/").status_code == 403
    assert not queries.cases_for(demo.users["window"]).filter(pk=draft.pk).exists()
    # Gone from the applicant's own list (kept on record).
    assert f"/hall/applications/{draft.pk}/" not in client.get(reverse("hall:mine")).text


def test_the_receipt_lists_each_material_with_its_file(demo):
    it = foreign_investment()
    user = demo.users["13800000002"]
    given = {m.pk: upload("mini.pdf") for m in it.materials.all()}
    app = actions.submit(user, actions.save_draft(user, it, data=DATA, files=given), at=AT)
    body = app.notices.get(kind=Notice.Kind.RECEIPT).body
    assert body[2:5] == [
        "1. 申请书（mini.pdf）",
        "2. 营业执照（mini.pdf）",
        "3. 投资者身份证明（mini.pdf）",
    ]


def receipt_of_seven(demo) -> Notice:
    """The tester's filing: seven materials, each sent as mini.pdf."""
    it = ServiceItem.objects.get(name=FILING)
    user = demo.users["13800000002"]
    given = {m.pk: upload("mini.pdf") for m in it.materials.all()}
    app = actions.submit(user, actions.save_draft(user, it, data=DATA, files=given), at=AT)
    return app.notices.get(kind=Notice.Kind.RECEIPT)


def test_the_receipts_footer_keeps_with_its_text(demo):
    from pypdf import PdfReader

    notice = receipt_of_seven(demo)
    pdf = PdfReader(io.BytesIO(notices.render(notice, "pdf")))
    assert len(pdf.pages) > 1  # else the case no longer tests what it is for
    # The footer never stands alone on the last page: the signature and date go with it.
    assert "2026年3月2日" in pdf.pages[-1].extract_text().replace(" ", "")


def test_the_same_form_sent_again_is_the_same_application(demo, client):
    """A form sent twice (the back button, a double click seen late) makes one application:
    the second time it is the draft saved again, or, once submitted, the case with a notice."""
    it = foreign_investment()
    client.force_login(demo.users["13800000002"])
    form = client.get(f"/hall/items/{it.pk}/apply/").content.decode()
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', form).group(1)

    def send(button: str, *names: str):
        uploads = {field(it, name): upload(f"{name}.pdf") for name in names}
        return client.post(
            f"/hall/items/{it.pk}/apply/", {**DATA, **uploads, "form_key": key, button: "1"}
        )

    send("draft", "申请书")
    send("draft", "营业执照")
    (draft,) = Application.objects.all()
    assert sorted(draft.files.filter(current=True).values_list("material__name", flat=True)) == [
        "申请书",
        "营业执照",
    ]
    response = send("submit", "投资者身份证明")
    (app,) = Application.objects.all()
    assert app.state == Application.State.SUBMITTED
    again = send("submit", "申请书", "营业执照", "投资者身份证明")
    assert again.status_code == 302 and again["Location"] == f"/hall/applications/{app.pk}/"
    assert Application.objects.count() == 1
    assert response["Location"] == again["Location"]


def test_a_key_is_one_items_and_a_discarded_drafts_form_starts_afresh(demo, client):
    """The form's key names a form of one item: sent to another item it makes a new
    application there, touching nothing of the first. The form of a discarded draft sent again
    says so and leads back to the guide."""
    it, other = foreign_investment(), ServiceItem.objects.get(name=FILING, is_current=True)
    client.force_login(demo.users["13800000002"])
    key = "k" * 32
    client.post(f"/hall/items/{it.pk}/apply/", {**DATA, "form_key": key, "draft": "1"})
    (first,) = Application.objects.all()
    client.post(
        f"/hall/items/{other.pk}/apply/",
        {**DATA, "project": "另一事项", "form_key": key, "draft": "1"},
    )
    assert Application.objects.count() == 2
    first.refresh_from_db()
    assert first.project == DATA["project"] and first.item == it
    actions.discard_draft(demo.users["13800000002"], first)
    response = client.post(
        f"/hall/items/{it.pk}/apply/", {**DATA, "form_key": key, "draft": "1"}, follow=True
    )
    assert "该草稿已撤销" in response.text and response.redirect_chain[-1][0] == (
        f"/hall/items/{it.pk}/"
    )
