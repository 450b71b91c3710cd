"""The decision and what follows it: made at the deciding step (《行政许可法》第三十八条), with
the fee charged, the decision clocks stopped and the grant published to the portal (条例 Art.
20(5), 第四十条); the case completed at the 送达 (第四十四条); and the decision fields the annual
report counts from."""

from datetime import timedelta
from decimal import Decimal

import pytest

from sunshine.audit.models import AuditEvent
from sunshine.core.testing import race
from sunshine.errors import ActionError
from sunshine.hall import actions
from sunshine.hall.models import Application, Notice, ServiceItem, Theme
from sunshine.org.permissions import PermissionDenied
from sunshine.publishing.models import Publication
from sunshine.workflow.actions import open_tasks
from sunshine.workflow.rules import may_act

from .test_hall import AT, DATA, files, review, submitted

DECIDED = AT + timedelta(days=7)
DONE = AT + timedelta(days=9)
BEFORE_DECISION = ["handler", "deputy", "reviewer", "market", "director"]


def results() -> int:
    """Publications of licensing decisions (the demo has other publications)."""
    return Publication.objects.filter(doc_number__contains="许准字").count()


def at_decision(demo, app: Application | None = None) -> Application:
    """A licence application accepted and reviewed up to its deciding step, 制作决定书."""
    app = actions.accept(demo.users["window"], app or submitted(demo), at=AT)
    review(demo, app, BEFORE_DECISION, AT + timedelta(days=1))
    return app


def decide(
    demo, app: Application, fee, username: str = "handler", confirm: bool = False
) -> Application:
    (task,) = open_tasks(app.instance)
    return actions.sign(
        demo.users[username],
        task,
        "approve",
        opinion="决定书已制作",
        fee=fee,
        confirm_fee=confirm,
        at=DECIDED,
    )


def deliver(demo, app: Application, fee=None) -> Application:
    (task,) = open_tasks(app.instance)
    return actions.sign(demo.users["window"], task, "approve", opinion="已送达", fee=fee, at=DONE)


def test_a_grant_is_recorded_with_its_fee_and_published(demo, client):
    app = decide(demo, at_decision(demo), "0")
    app.refresh_from_db()
    assert app.state == Application.State.DECIDED and app.completed_at is None
    assert app.decision == Application.Decision.GRANTED and app.decided_at == DECIDED
    assert app.fee_charged == Decimal("0.00")
    grant = app.notices.get(kind=Notice.Kind.GRANT)
    assert grant.issued_at == DECIDED
    publication = app.publication
    assert publication.state == Publication.State.PUBLISHED and publication.index_number
    assert publication.published_at == DECIDED and publication.doc_number == grant.number
    assert publication.organisation.code == "SLS-SWJ"
    assert (publication.category.parent.name, publication.category.name) == (
        "行政许可和对外管理服务",
        "办理结果",
    )
    assert publication.submissions.count() == 0  # published by the system, not the chain
    for public in (DATA["applicant_name"], grant.number, app.item.result_name, "准予许可"):
        assert public in publication.body
    for private in (DATA["contact_phone"], DATA["address"], DATA["project"]):
        assert private not in publication.body and private not in publication.title
    (audited,) = AuditEvent.objects.filter(verb="hall.progress", object_id=str(app.pk))
    assert audited.after["fee_charged"] == "0.00" and audited.after["decision"] == "granted"
    assert AuditEvent.objects.filter(verb="publishing.publish", object_id=str(publication.pk))

    page = client.get(f"/gk/i/{publication.pk}/").content.decode()
    assert grant.number in page and DATA["applicant_name"] in page
    client.force_login(demo.users["13800000002"])
    case = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert f'href="/gk/i/{publication.pk}/"' in case and publication.index_number in case
    assert "0.00 元" in case and "决定已作出，待送达" in case

    app = deliver(demo, app, "99")  # the fee was charged with the decision
    app.refresh_from_db()
    assert app.state == Application.State.COMPLETED and app.completed_at == DONE
    assert app.decided_at == DECIDED and app.fee_charged == Decimal("0.00")
    assert app.notices.filter(kind=Notice.Kind.GRANT).count() == 1 and results() == 1
    assert "已办结" in client.get(f"/hall/applications/{app.pk}/").content.decode()


def test_the_decision_period_ends_at_the_decision_not_at_delivery(demo):
    app = deliver(demo, decide(demo, at_decision(demo), "0"))
    app.refresh_from_db()
    for clock in (app.statutory_clock, app.committed_clock):
        assert clock.state == "stopped" and clock.stopped_at == DECIDED
    assert app.decided_at == DECIDED and app.completed_at == DONE
    assert app.instance.finished_at == DONE


def test_after_the_decision_only_the_delivery_goes_on(demo, client):
    app = decide(demo, at_decision(demo), "0")
    (task,) = open_tasks(app.instance)
    with pytest.raises(ActionError, match="决定已作出"):
        actions.sign(demo.users["window"], task, "reject", opinion="不予许可", at=DONE)
    with pytest.raises(ActionError, match="只有审查中的办件"):
        actions.start_special_procedure(
            demo.users["handler"], app, kind="expert", days=5, reason="专家评审"
        )
    client.force_login(demo.users["window"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert 'data-task="deliver"' in page and 'name="fee"' not in page
    assert 'value="reject"' not in page and "决定已作出，待送达" in page
    app.refresh_from_db()
    assert app.decision == Application.Decision.GRANTED and app.decided_at == DECIDED


def test_nothing_is_decided_while_a_special_procedure_runs(demo):
    """The hearing's or the experts' result comes first; once it is in, the case goes on."""
    app = at_decision(demo)
    procedure = actions.start_special_procedure(
        demo.users["handler"], app, kind="expert", days=5, reason="专家评审", at=DECIDED
    )
    with pytest.raises(ActionError, match="特别程序进行中"):
        decide(demo, app, "0")
    app.refresh_from_db()
    assert app.decision == "" and app.statutory_clock.state == "paused"
    actions.end_special_procedure(
        demo.users["handler"], procedure, result="专家意见：同意", at=DECIDED
    )
    app = decide(demo, app, "0")
    assert app.decision == Application.Decision.GRANTED


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        (None, "请填写实收费用"),
        ("", "请填写实收费用"),
        ("-1", "不小于 0"),
        ("12.345", "最多两位小数"),
        ("abc", "金额"),
        ("NaN", "金额"),
        ("1e12", "金额"),
        ("1e30", "金额"),
        ("1e-30", "金额"),
    ],
)
def test_a_grant_needs_a_proper_fee_and_changes_nothing_without_one(demo, fee, message):
    app = at_decision(demo)
    with pytest.raises(ActionError, match=message) as error:
        decide(demo, app, fee)
    assert error.value.field == "fee"
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.decided_at is None
    assert app.fee_charged is None and app.publication is None
    assert app.statutory_clock.state == "running"
    assert [t.step_key for t in open_tasks(app.instance)] == ["decide"]
    assert results() == 0 and not app.notices.filter(kind="grant").exists()


def test_the_fee_is_kept_in_yuan_and_fen(demo):
    app = decide(demo, at_decision(demo, applied(demo, "生猪定点屠宰厂（场）设置审查")), "49.5")
    app.refresh_from_db()
    assert app.fee_charged == Decimal("49.50")


def applied(demo, name: str) -> Application:
    item = ServiceItem.objects.get(name=name)
    user = demo.users["13800000002"]
    return actions.submit(user, actions.save_draft(user, item, data=DATA, files=files(item)), at=AT)


def test_a_fee_above_the_standard_is_recorded_only_once_confirmed(demo):
    from sunshine.supervision.actions import run_anomaly_rules
    from sunshine.supervision.models import Anomaly
    from sunshine.supervision.performance import Period

    app = at_decision(demo, applied(demo, "生猪定点屠宰厂（场）设置审查"))  # 每件不超过 50 元
    with pytest.raises(ActionError, match="上限合计 50.00 元.*80.00 元.*确认按实际收取") as error:
        decide(demo, app, "80")
    assert error.value.field == "fee"
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.fee_charged is None
    assert [t.step_key for t in open_tasks(app.instance)] == ["decide"]
    app = decide(demo, app, "80", confirm=True)
    assert app.state == Application.State.DECIDED and app.fee_charged == Decimal("80.00")
    # What was charged is on record, and supervision's 违规收费 rule finds it.
    run_anomaly_rules(DONE, Period(AT.date(), DONE.date()))
    (anomaly,) = Anomaly.objects.filter(rule="fee", object_id=str(app.pk))
    assert "50.00" in anomaly.detail and "80.00" in anomaly.detail


def test_a_fee_for_a_free_item_needs_confirmation_and_none_is_asked_without_a_ceiling(demo):
    app = at_decision(demo)  # 不收费
    with pytest.raises(ActionError, match="本事项不收费.*5.00 元"):
        decide(demo, app, "5")
    assert decide(demo, app, "5", confirm=True).fee_charged == Decimal("5.00")
    # 每份 10 元，按申请份数计: the ceiling depends on the case, nothing to compare with.
    app = at_decision(demo, applied(demo, "外商投资企业设立及变更"))
    assert decide(demo, app, "500").fee_charged == Decimal("500.00")


def test_the_signing_form_asks_to_confirm_a_fee_above_the_standard(demo, client):
    app = at_decision(demo, applied(demo, "生猪定点屠宰厂（场）设置审查"))
    (task,) = open_tasks(app.instance)
    client.force_login(demo.users["handler"])
    url = f"/hall/tasks/{task.pk}/sign/"
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert 'name="confirm_fee"' in page and "确认按实际收取的金额登记" in page
    form = {"verb": "approve", "opinion": "同意", "fee": "80"}
    page = client.post(url, form, follow=True).content.decode()
    assert "上限合计 50.00 元" in page and "确认按实际收取的金额登记" in page
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.fee_charged is None
    client.post(url, {**form, "confirm_fee": "1"})
    app.refresh_from_db()
    assert app.state == Application.State.DECIDED and app.fee_charged == Decimal("80.00")


def test_a_veto_denies_without_publishing(demo):
    app = actions.accept(demo.users["window"], submitted(demo), at=AT)
    review(demo, app, ["handler", "deputy", "reviewer"], AT)
    market = demo.users["market"]
    task = next(t for t in open_tasks(app.instance) if may_act(market, t))
    actions.sign(market, task, "reject", opinion="不符合食品安全条件。", at=DONE)
    app.refresh_from_db()
    assert app.decision == Application.Decision.DENIED and app.decided_at == DONE
    assert app.state == Application.State.COMPLETED and app.completed_at == DONE
    assert app.statutory_clock.stopped_at == DONE
    assert app.decision_reason == "不符合食品安全条件。"
    assert app.fee_charged is None and app.publication is None
    assert app.notices.filter(kind=Notice.Kind.DENIAL).exists()
    assert results() == 0


def test_refusal_at_intake_is_not_a_licensing_decision(demo):
    app = actions.refuse(demo.users["window"], submitted(demo), reason="不属于本机关职权", at=AT)
    assert app.decision == "" and app.decided_at is None


def test_a_filing_without_a_deciding_step_is_decided_when_its_process_ends(demo):
    item = ServiceItem.objects.get(name="单用途商业预付卡发卡企业备案")
    assert item.process.parsed.deciding is None
    user = demo.users["13800000002"]
    app = actions.submit(user, actions.save_draft(user, item, data=DATA, files=files(item)), at=AT)
    app = actions.accept(demo.users["window"], app, at=AT)
    review(demo, app, ["handler"], DECIDED)
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW and app.decided_at is None
    with pytest.raises(ActionError, match="请填写实收费用"):
        deliver(demo, app)
    app = deliver(demo, app, "0")
    assert app.state == Application.State.COMPLETED
    assert app.decision == Application.Decision.GRANTED and app.fee_charged == 0
    assert app.decided_at == app.completed_at == DONE
    assert app.statutory_clock.stopped_at == DONE
    assert app.publication is None and results() == 0


def test_a_natural_persons_name_is_masked_in_the_publication(demo):
    citizen = demo.users["13800000001"]
    data = {**DATA, "applicant_name": "王小明"}
    item = ServiceItem.objects.get(name="成品油零售经营资格初审（加油站设置）")
    draft = actions.save_draft(citizen, item, data=data, files=files(item))
    app = actions.submit(citizen, draft, at=AT)
    app = decide(demo, at_decision(demo, app), "0")
    body = app.publication.body + app.publication.title
    assert "王**" in body and "王小明" not in body


def test_only_the_deciding_signature_records_the_fee(demo, client):
    app = at_decision(demo)
    (task,) = open_tasks(app.instance)
    with pytest.raises(PermissionDenied):
        actions.sign(demo.users["window"], task, "approve", opinion="x", fee="0", at=DONE)
    client.force_login(demo.users["handler"])
    page = client.get(f"/hall/applications/{app.pk}/").content.decode()
    assert 'name="fee"' in page and "本事项不收费" in page and "通过即作出准予决定" in page
    # The form refuses a negative fee beside the field; nothing is decided.
    response = client.post(
        f"/hall/tasks/{task.pk}/sign/", {"verb": "approve", "opinion": "同意", "fee": "-5"}
    )
    assert response.status_code == 400
    assert f'id="sign-{task.pk}-fee_error"' in response.content.decode()
    app.refresh_from_db()
    assert app.state == Application.State.IN_REVIEW
    client.post(f"/hall/tasks/{task.pk}/sign/", {"verb": "approve", "opinion": "同意", "fee": "0"})
    app.refresh_from_db()
    assert app.state == Application.State.DECIDED and app.fee_charged == 0
    # Earlier steps have no fee field.
    fresh = actions.accept(demo.users["window"], submitted(demo), at=AT)
    client.force_login(demo.users["handler"])
    page = client.get(f"/hall/applications/{fresh.pk}/").content.decode()
    assert 'data-task="first"' in page and 'name="fee"' not in page


def test_the_guide_shows_fee_standards_and_the_catalogue_is_browsable(demo, client):
    pig = ServiceItem.objects.get(name="生猪定点屠宰厂（场）设置审查")
    page = client.get(f"/hall/items/{pig.pk}/").content.decode()
    for text in ("屠宰证书及标志牌工本费", "每套 50 元", "每件不超过 50.00 元", "示发改价费"):
        assert text in page
    assert pig.fees.get().amount == Decimal("50.00")
    assert ServiceItem.objects.get(name="外商投资企业设立及变更").fees.get().amount is None
    index = client.get("/hall/").content.decode()
    for heading in ("按部门", "按主题", "按人生事件", "开办企业", "商贸流通"):
        assert heading in index
    life = Theme.objects.get(name="项目建设", kind=Theme.Kind.LIFE_EVENT)
    listed = client.get(f"/hall/?theme={life.pk}").content.decode()
    assert "成品油零售经营资格初审" in listed and "单用途商业预付卡发卡企业备案" not in listed
    listed = client.get("/hall/?department=SLS-SCJG").content.decode()
    assert "没有找到符合条件的事项" in listed
    assert "单用途商业预付卡发卡企业备案" in client.get("/hall/?q=预付卡").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_decide_and_publish_once(demo):
    app = at_decision(demo)
    (task,) = open_tasks(app.instance)

    def decide_now() -> None:
        actions.sign(demo.users["handler"], task, "approve", opinion="同意", fee="0", at=DONE)

    assert race(decide_now, decide_now) == ["ok", "该任务已处理，请刷新页面。"]
    assert results() == 1
    assert Notice.objects.filter(kind=Notice.Kind.GRANT).count() == 1
    assert AuditEvent.objects.filter(verb="hall.progress", object_id=str(app.pk)).count() == 1
