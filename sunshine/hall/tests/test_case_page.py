"""The case page's staff forms: a refusal sends the page back with what was typed and the error
beside its field (not a redirect that loses it), and each signature form offers only what the
action would accept for its step."""

import re
from datetime import timedelta
from decimal import Decimal

from sunshine.hall import actions
from sunshine.hall.models import Application
from sunshine.workflow.actions import open_tasks

from .test_hall import AT, submitted
from .test_results import DECIDED, applied, at_decision, decide

PIG = "生猪定点屠宰厂（场）设置审查"  # 每件不超过 50 元


def card(page: str, task: str) -> str:
    """The signature card of a task (its step key) on the case page."""
    found = re.search(rf'<section class="card" data-task="{task}">.*?</section>', page, re.S)
    assert found, f"no card for {task}"
    return found.group(0)


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(1)) if select else []


def test_a_fee_above_the_standard_comes_back_as_typed_with_a_box_to_confirm(demo, client):
    app = at_decision(demo, applied(demo, PIG))
    (task,) = open_tasks(app.instance)
    client.force_login(demo.users["handler"])
    url = f"/hall/tasks/{task.pk}/sign/"
    form = {"verb": "approve", "opinion": "决定书已制作，收取证书工本费。", "fee": "80"}
    response = client.post(url, form)
    assert response.status_code == 400  # the page again, not a redirect
    decide_card = card(response.content.decode(), "decide")
    assert "上限合计 50.00 元" in decide_card and "80.00 元超出标准" in decide_card
    assert re.search(r'<input type="text" name="fee" value="80"', decide_card)
    assert 'type="checkbox" name="confirm_fee"' in decide_card
    assert "决定书已制作，收取证书工本费。</textarea>" in decide_card
    assert 'aria-invalid="true"' in decide_card
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.fee_charged is None
    response = client.post(url, {**form, "confirm_fee": "on"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == Application.State.DECIDED and app.fee_charged == Decimal("80.00")


def test_a_form_error_keeps_what_was_typed(demo, client):
    app = at_decision(demo)
    (task,) = open_tasks(app.instance)
    client.force_login(demo.users["handler"])
    response = client.post(
        f"/hall/tasks/{task.pk}/sign/", {"verb": "approve", "opinion": "同意", "fee": "-5"}
    )
    assert response.status_code == 400
    decide_card = card(response.content.decode(), "decide")
    assert "确保该值大于或等于0" in decide_card and 'name="fee" value="-5"' in decide_card
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW
    # The same for the other forms of the page, e.g. a special procedure without its days.
    response = client.post(
        f"/hall/applications/{app.pk}/special/",
        {"kind": "expert", "days": "0", "reason": "安全条件须专家评审"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "安全条件须专家评审</textarea>" in page and 'value="expert" selected' in page
    assert not app.special_procedures.exists()


def test_intake_comes_back_with_each_files_verdict_and_note_as_typed(demo, client):
    app = submitted(demo)
    form, licence = (app.files.get(material__name=n) for n in ("申请书", "营业执照"))
    client.force_login(demo.users["window"])
    response = client.post(
        f"/hall/applications/{app.pk}/intake/",
        {
            "do": "correct",
            f"review_{form.pk}": "accepted",
            f"note_{form.pk}": "填写完整",
            f"review_{licence.pk}": "correct",  # but no note saying what is wrong
            "items": "补充法定代表人身份证明",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(rf'name="note_{licence.pk}"[^>]*aria-invalid="true"', page)
    assert f'id="intake-note_{licence.pk}_error"' in page and "请写明材料需补正之处" in page
    assert re.search(rf'name="review_{licence.pk}" value="correct"[^>]*checked', page)
    assert "补充法定代表人身份证明</textarea>" in page and 'value="填写完整"' in page
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED and not app.correction_items


def test_a_refusal_about_a_form_no_longer_offered_is_said_above_the_page(demo, client):
    app = at_decision(demo)
    (task,) = open_tasks(app.instance)
    client.force_login(demo.users["handler"])
    signed = {"verb": "approve", "opinion": "同意", "fee": "0"}
    assert client.post(f"/hall/tasks/{task.pk}/sign/", signed).status_code == 302
    response = client.post(f"/hall/tasks/{task.pk}/sign/", signed)  # a second click
    assert response.status_code == 400
    assert '<li class="error">该任务已处理，请刷新页面。</li>' in response.content.decode()


def test_the_delivery_offers_only_its_approval(demo, client):
    app = decide(demo, at_decision(demo), "0")
    client.force_login(demo.users["window"])
    deliver = card(client.get(f"/hall/applications/{app.pk}/").content.decode(), "deliver")
    assert options(deliver, "verb") == ["approve"]
    for field in ("to_user", "target", "fee", "confirm_fee"):
        assert f'name="{field}"' not in deliver


def test_the_deciding_step_offers_its_verbs_and_the_steps_to_return_to(demo, client):
    app = at_decision(demo)
    client.force_login(demo.users["handler"])
    deciding = card(client.get(f"/hall/applications/{app.pk}/").content.decode(), "decide")
    assert options(deciding, "verb") == [
        "approve",
        "return_previous",
        "return_any",
        "reject",
        "add_signer",
        "transfer",
    ]
    assert options(deciding, "target") == ["", "accept", "first", "review", "joint", "meeting"]
    assert 'name="to_user"' in deciding and 'name="fee"' in deciding


def test_during_a_special_procedure_only_a_hand_off_is_offered(demo, client):
    app = at_decision(demo)
    procedure = actions.start_special_procedure(
        demo.users["handler"], app, kind="expert", days=5, reason="专家评审", at=DECIDED
    )
    client.force_login(demo.users["handler"])
    url = f"/hall/applications/{app.pk}/"
    deciding = card(client.get(url).content.decode(), "decide")
    assert options(deciding, "verb") == ["add_signer", "transfer"]
    assert 'name="to_user"' in deciding
    assert 'name="fee"' not in deciding and 'name="target"' not in deciding
    actions.end_special_procedure(
        demo.users["handler"], procedure, result="同意", at=DECIDED + timedelta(days=1)
    )
    assert "approve" in options(card(client.get(url).content.decode(), "decide"), "verb")


def test_an_early_step_offers_only_the_steps_before_it_to_return_to(demo, client):
    app = actions.accept(demo.users["window"], submitted(demo), at=AT)
    client.force_login(demo.users["handler"])
    first = card(client.get(f"/hall/applications/{app.pk}/").content.decode(), "first")
    assert "return_any" in options(first, "verb")
    assert options(first, "target") == ["", "accept"]
    assert 'name="fee"' not in first
