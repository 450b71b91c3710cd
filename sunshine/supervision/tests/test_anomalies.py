"""Every anomaly rule fires on a crafted case and stays silent on a normal one; findings are
recorded once per (rule, case) and closed with a finding."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sunshine.appeals.models import Appeal, AppealEvent
from sunshine.appeals.models import Status as AppealStatus
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import PauseReason, Unit
from sunshine.errors import ActionError
from sunshine.foi.models import Request
from sunshine.hall.models import Application, Fee, Notice, ServiceItem, SubmittedMaterial
from sunshine.org.permissions import PermissionDenied
from sunshine.supervision import actions, anomalies
from sunshine.supervision.models import Anomaly
from sunshine.supervision.performance import Period
from sunshine.workflow import actions as workflow
from sunshine.workflow.models import ProcessDefinition

TZ = ZoneInfo("Asia/Shanghai")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)


def found(code: str) -> dict[object, anomalies.Finding]:
    """The rule's findings over March, by case."""
    return {f.case: f for f in anomalies.RULES[code].find(MARCH)}


@pytest.fixture
def application(demo):
    """Builds hall applications straight in the tables the rules read."""
    item = ServiceItem.objects.filter(is_current=True).select_related("department").first()
    counter = iter(range(1, 1000))

    def make(**fields) -> Application:
        fields.setdefault("item", item)
        return Application.objects.create(
            number=f"T{next(counter):06d}",
            applicant=demo.users["13800000001"],
            applicant_name="张三",
            contact_phone="13800000001",
            channel="2",
            project="测试申请",
            **fields,
        )

    return make


@pytest.fixture
def foi_request(demo):
    counter = iter(range(1, 1000))

    def make(**fields) -> Request:
        fields.setdefault("submitted_at", at("2026-03-02"))
        return Request.objects.create(
            number=f"TEST-{next(counter)}",
            organisation=demo.departments["SLS-ZFB"],
            applicant_type="natural",
            applicant_name="李四",
            id_number="110101199003074514",
            phone="13800000001",
            info_title="测试信息",
            channel=Request.Channel.ONLINE,
            **fields,
        )

    return make


def clock(demo, case, *, kind: str, limit: int = 10, start: str = "2026-03-02"):
    department = demo.departments["SLS-SCJG"]
    return clock_actions.start_clock(
        case,
        kind=kind,
        title=f"{kind} {case}",
        department=department,
        limit=limit,
        unit=Unit.WORKDAYS,
        at=at(start),
    )


def test_too_fast(demo):
    d = demo.departments
    quick = clock(demo, d["SLS-SCJG"], kind="hall.statutory")
    clock_actions.stop_clock(quick, outcome="准予许可", actor=None, at=at("2026-03-02", 10, 4))
    normal = clock(demo, d["SLS-QSZ"], kind="hall.statutory")
    clock_actions.stop_clock(normal, outcome="准予许可", actor=None, at=at("2026-03-05"))
    # A short limit, or a kind where speed is normal, is not suspicious either.
    short = clock(demo, d["SLS-ZFB"], kind="hall.statutory", limit=1)
    clock_actions.stop_clock(short, outcome="准予许可", actor=None, at=at("2026-03-02", 10, 1))
    sign = clock(demo, d["SLS-DZZW"], kind="appeals.sign")
    clock_actions.stop_clock(sign, outcome="签收", actor=None, at=at("2026-03-02", 10, 1))
    result = found("too_fast")
    assert d["SLS-SCJG"] in result and "4 分钟即办结" in result[d["SLS-SCJG"]].detail
    assert not {d["SLS-QSZ"], d["SLS-ZFB"], d["SLS-DZZW"]} & set(result)


def test_outside_system(demo, application, foi_request):
    late = application(state=Application.State.IN_REVIEW, accepted_at=at("2026-03-20"))
    prompt = application(state=Application.State.IN_REVIEW, accepted_at=at("2026-03-03"))
    material = late.item.materials.first()
    for app in (late, prompt):
        SubmittedMaterial.objects.create(
            application=app,
            material=material,
            file="hall/materials/a.pdf",
            name="a.pdf",
            uploaded_at=at("2026-03-02"),
        )
    slow = foi_request(received_on=date(2026, 3, 16))
    on_time = foi_request(received_on=date(2026, 3, 3))
    result = found("outside_system")
    assert late in result and "相隔 18 天" in result[late].detail
    assert slow in result and "登记收到于 2026-03-16" in result[slow].detail
    assert prompt not in result and on_time not in result


def test_fee_above_the_standard(demo, foi_request):
    # The applicant's first request of the month is free: any fee breaks the 办法.
    overcharged = foi_request(fee_method="per_request", fee_amount=100)
    for day in range(3, 13):
        foi_request(submitted_at=at(f"2026-03-{day:02d}"))
    eleventh = foi_request(submitted_at=at("2026-03-13"), fee_method="per_request", fee_amount=100)
    result = found("fee")
    assert overcharged in result and "收费标准 0 元，实收 100 元" in result[overcharged].detail
    assert eleventh not in result


def test_hall_fee_beyond_the_item(demo, application):
    """A case charged where its item says 不收费, or above the sum of its fee standards."""
    decided = {
        "state": Application.State.COMPLETED,
        "decision": Application.Decision.GRANTED,
        "decided_at": at("2026-03-10"),
    }
    free_item = application().item
    ServiceItem.objects.filter(pk=free_item.pk).update(free=True)
    charged_free = application(fee_charged=Decimal("50"), **decided)
    nothing_charged = application(fee_charged=Decimal("0"), **decided)
    not_recorded = application(**decided)

    priced = ServiceItem.objects.get(pk=free_item.pk)
    priced.pk, priced.impl_code, priced.free = None, "PRICED", False
    priced.save()
    Fee.objects.create(item=priced, name="工本费", standard="每证 10 元", amount=10, basis="文件")
    Fee.objects.create(item=priced, name="检测费", standard="每件 20 元", amount=20, basis="文件")
    above = application(item=priced, fee_charged=Decimal("30.01"), **decided)
    at_ceiling = application(item=priced, fee_charged=Decimal("30"), **decided)
    last_year = application(item=priced, fee_charged=Decimal("99"), **decided)
    Application.objects.filter(pk=last_year.pk).update(decided_at=at("2025-03-10"))

    open_ended = ServiceItem.objects.get(pk=priced.pk)
    open_ended.pk, open_ended.impl_code = None, "OPEN"
    open_ended.save()
    Fee.objects.create(
        item=open_ended, name="工本费", standard="每证 10 元", amount=10, basis="文件"
    )
    Fee.objects.create(item=open_ended, name="评估费", standard="按面积计", basis="文件")
    depends = application(item=open_ended, fee_charged=Decimal("500"), **decided)

    unlisted = ServiceItem.objects.get(pk=priced.pk)
    unlisted.pk, unlisted.impl_code = None, "UNLISTED"
    unlisted.save()
    no_standard = application(item=unlisted, fee_charged=Decimal("5"), **decided)

    result = found("fee")
    assert "事项标明不收费。实收 50.00 元。" in result[charged_free].detail
    assert "各收费项目每件上限合计 30.00 元。实收 30.01 元。" in result[above].detail
    assert "事项未公布收费标准。实收 5.00 元。" in result[no_standard].detail
    assert result[above].department_id == priced.department_id
    assert result[above].occurred_at == at("2026-03-10")
    silent = {nothing_charged, not_recorded, at_ceiling, last_year, depends}
    assert not silent & set(result)
    # Recorded once by the nightly run, whatever the number of runs.
    assert actions.run_anomaly_rules(at("2026-04-01"), MARCH)["fee"] == 3
    assert actions.run_anomaly_rules(at("2026-04-01"), MARCH)["fee"] == 0


def test_repeated_correction(demo, application, foi_request):
    twice = application(state=Application.State.IN_REVIEW)
    once = application(state=Application.State.IN_REVIEW)
    for app, times in ((twice, 2), (once, 1)):
        for i in range(times):
            Notice.objects.create(
                application=app,
                kind=Notice.Kind.CORRECTION,
                number=f"B{i}",
                issued_at=at(f"2026-03-0{3 + i}"),
            )
    # A disclosure request corrected twice, one corrected once.
    many = foi_request(corrections=2)
    many.steps.create(at=at("2026-03-05"), title="补正")
    single = foi_request(corrections=1)
    single.steps.create(at=at("2026-03-05"), title="补正")
    # A case on a clock paused twice for 补正; one paused once and then restarted.
    d = demo.departments
    paused = clock(demo, d["SLS-SCJG"], kind="other")
    restarted = clock(demo, d["SLS-QSZ"], kind="other")
    for day in ("03", "05"):
        paused = clock_actions.pause_clock(
            paused, reason=PauseReason.CORRECTION, actor=None, at=at(f"2026-03-{day}")
        )
        paused = clock_actions.resume_clock(paused, actor=None, at=at(f"2026-03-{day}", 15))
    restarted = clock_actions.pause_clock(
        restarted, reason=PauseReason.CORRECTION, actor=None, at=at("2026-03-03")
    )
    clock_actions.restart_clock(restarted, actor=None, at=at("2026-03-05"))
    result = found("repeated_correction")
    assert twice in result and "2 次" in result[twice].detail
    assert many in result and d["SLS-SCJG"] in result
    assert not {once, single, d["SLS-QSZ"]} & set(result)


def test_refusal_without_reason(demo, application, foi_request):
    bare = application(state=Application.State.REFUSED, completed_at=at("2026-03-04"))
    reasoned = application(
        state=Application.State.REFUSED,
        completed_at=at("2026-03-04"),
        refusal_reason="申请事项依法不需要取得行政许可",
    )
    denied = application(
        state=Application.State.COMPLETED,
        decision=Application.Decision.DENIED,
        decided_at=at("2026-03-05"),
        completed_at=at("2026-03-05"),
    )
    silent = foi_request(state=Request.State.CLOSED, closed_on=date(2026, 3, 9), outcome="not_held")
    explained = foi_request(
        state=Request.State.CLOSED,
        closed_on=date(2026, 3, 9),
        outcome="not_held",
        reply_text="经检索，本机关未制作或获取该信息。",
    )
    result = found("refusal_without_reason")
    assert bare in result and denied in result and silent in result
    assert "不予许可" in result[denied].detail
    assert reasoned not in result and explained not in result


def appeal(demo, serial: str, **fields) -> Appeal:
    return Appeal.objects.create(
        serial=serial,
        query_digest="x",
        channel="hotline",
        type="complaint",
        title="噪音扰民",
        body="夜间施工噪音",
        received_at=at("2026-03-02"),
        lead_department=demo.departments["SLS-SCJG"],
        **fields,
    )


def test_refused_appeal_without_reason(demo):
    bare = appeal(demo, "T1", status=AppealStatus.REFUSED)
    reasoned = appeal(demo, "T2", status=AppealStatus.REFUSED, refusal_reason="not_public")
    result = found("refusal_without_reason")
    assert bare in result and reasoned not in result


def test_ping_pong(demo):
    d = demo.departments
    bounced = appeal(demo, "T3")
    settled = appeal(demo, "T4")
    moves = [("return", "SLS-SCJG"), ("reassign", None), ("return", "SLS-SCJG")]
    for i, (kind, code) in enumerate(moves):
        AppealEvent.objects.create(
            appeal=bounced, kind=kind, department=d.get(code), at=at(f"2026-03-0{3 + i}")
        )
    AppealEvent.objects.create(appeal=settled, kind="return", at=at("2026-03-03"))
    AppealEvent.objects.create(appeal=settled, kind="reassign", at=at("2026-03-04"))
    result = found("ping_pong")
    assert bounced in result and "共 3 次" in result[bounced].detail
    assert result[bounced].department_id == d["SLS-SCJG"].pk
    assert settled not in result


def test_extensions_beyond_the_cap(demo):
    d = demo.departments
    twice = clock(demo, d["SLS-SCJG"], kind="other")
    once = clock(demo, d["SLS-QSZ"], kind="other")
    approver = demo.users["director"]
    for c, days in ((twice, ("03", "04")), (once, ("03",))):
        for day in days:
            c = clock_actions.extend_clock(
                c, amount=5, approver=approver, actor=approver, at=at(f"2026-03-{day}")
            )
    result = found("extensions")
    assert d["SLS-SCJG"] in result and "延长 2 次" in result[d["SLS-SCJG"]].detail
    assert d["SLS-QSZ"] not in result


def test_recorded_once_shown_and_closed(demo, client):
    d, u = demo.departments, demo.users
    twice = clock(demo, d["SLS-SCJG"], kind="other")
    for day in ("03", "04"):
        twice = clock_actions.extend_clock(
            twice, amount=5, approver=u["director"], actor=u["director"], at=at(f"2026-03-{day}")
        )
    mine = Anomaly.objects.filter(rule="extensions", object_id=str(d["SLS-SCJG"].pk))
    assert actions.run_anomaly_rules(at("2026-04-01"), MARCH)["extensions"] >= 1
    assert mine.count() == 1
    assert actions.run_anomaly_rules(at("2026-04-02"), MARCH)["extensions"] == 0
    # The default window is the week before the run.
    actions.run_anomaly_rules(at("2026-03-06"))
    assert mine.count() == 1
    anomaly = mine.get()
    assert anomaly.department == d["SLS-SCJG"] and anomaly.rule_label == "超次延期"

    client.force_login(u["city_supervisor"])
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "超次延期" in page and reverse("supervision:anomaly", args=[anomaly.pk]) in page
    # The head of another department neither sees nor reaches it.
    client.force_login(u["township"])
    assert client.get(reverse("supervision:anomaly", args=[anomaly.pk])).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        actions.close_anomaly(u["market"], anomaly, finding="已纠正")
    client.force_login(u["city_supervisor"])
    url = reverse("supervision:anomaly", args=[anomaly.pk])
    assert client.post(url, {"finding": " "}).status_code == 200
    anomaly.refresh_from_db()
    assert anomaly.state == Anomaly.State.OPEN
    client.post(url, {"finding": "经核实，第二次延期未经批准，已责令纠正"})
    anomaly.refresh_from_db()
    assert anomaly.state == Anomaly.State.CLOSED and anomaly.closed_by == u["city_supervisor"]
    with pytest.raises(ActionError, match="已处理完毕"):
        actions.close_anomaly(u["city_supervisor"], anomaly, finding="再次")
    assert (
        reverse("supervision:anomaly", args=[anomaly.pk])
        not in client.get(reverse("supervision:dashboard")).content.decode()
    )


def test_every_rule_is_registered_with_a_description():
    assert set(anomalies.RULES) == {
        "too_fast",
        "outside_system",
        "fee",
        "repeated_correction",
        "refusal_without_reason",
        "ping_pong",
        "extensions",
    }
    assert all(str(rule.description) for rule in anomalies.RULES.values())


def test_too_fast_approval_step_but_not_intake(demo):
    steps = [
        {"key": "accept", "name": "受理", "role": "window", "department": "SLS-SWJ-BGS",
         "limit": 5, "intake": True, "actions": ["approve", "reject", "return_applicant"]},
        {"key": "first", "name": "业务科室初审", "role": "handler",
         "department": "SLS-SWJ-SCYX", "limit": 3},
    ]  # fmt: skip
    definition = ProcessDefinition(
        key="too-fast", name="测试流程", committed_limit=10, spec={"steps": steps}
    )
    definition.full_clean()
    definition.status = ProcessDefinition.Status.PUBLISHED
    definition.save()
    instance = workflow.start(
        demo.departments["SLS"], definition, title="快审办件", at=at("2026-03-02", 9)
    )
    for username, minute in (("window", 2), ("handler", 5)):
        (task,) = workflow.open_tasks(instance)
        workflow.act(
            demo.users[username], task, "approve", opinion="同意", at=at("2026-03-02", 9, minute)
        )
    tasks = {t.step_key: t for t in instance.tasks.all()}
    result = found("too_fast")
    assert tasks["first"] in result and tasks["accept"] not in result


def test_an_anomaly_links_its_case(demo, client):
    """The supervisor closes an anomaly knowing the case: its page links the case's staff page,
    as an alert's does (cases.case_pages), here a 12345 ticket bounced between units."""
    d = demo.departments
    bounced = appeal(demo, "T5")
    for i, kind in enumerate(["return", "reassign", "return"]):
        AppealEvent.objects.create(
            appeal=bounced, kind=kind, department=d["SLS-SCJG"], at=at(f"2026-03-0{3 + i}")
        )
    actions.run_anomaly_rules(at("2026-04-01"), MARCH)
    anomaly = Anomaly.objects.get(rule="ping_pong", object_id=str(bounced.pk))
    client.force_login(demo.users["city_supervisor"])
    page = client.get(reverse("supervision:anomaly", args=[anomaly.pk])).content.decode()
    ticket = reverse("appeals:ticket", args=[bounced.pk])
    assert f'<a href="{ticket}">打开办理页面</a>' in page
