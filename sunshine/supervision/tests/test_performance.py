"""Scoring a crafted month by hand, and the 通报 made from it."""

import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from sunshine.appeals.models import Appeal, Assignment
from sunshine.appeals.models import FollowUp as AppealFollowUp
from sunshine.clocks.actions import start_clock, stop_clock
from sunshine.clocks.models import Unit
from sunshine.errors import ActionError
from sunshine.org.models import Department, Membership, Role
from sunshine.org.permissions import PermissionDenied
from sunshine.supervision import actions, performance
from sunshine.supervision.models import Bulletin, ManualScore, Scheme

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = performance.Period(date(2026, 11, 1), date(2026, 11, 30))


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


@pytest.fixture
def city(db, django_user_model):
    def dept(code, name, kind, parent=None):
        return Department.objects.create(code=code, name=name, kind=kind, parent=parent)

    root = dept("C", "测试市人民政府", Department.Kind.GOVERNMENT)
    commerce = dept("C-SW", "测试市商务局", Department.Kind.BUREAU, root)
    section = dept("C-SW-1", "市场运行科", Department.Kind.SECTION, commerce)
    market = dept("C-SC", "测试市市场监管局", Department.Kind.BUREAU, root)
    people = {}
    for name, role, where in [
        ("supervisor", Role.SUPERVISOR, root),
        ("mayor", Role.DEPUTY_LEADER, root),
        ("director", Role.LEADER, commerce),
        ("clerk", Role.HANDLER, section),
    ]:
        people[name] = django_user_model.objects.create_user(
            username=name, password="x" * 12, real_name=name
        )
        Membership.objects.create(user=people[name], department=where, role=role)
    # 商务局: four cases in November, one early, two on their due day, one late.
    cases = [
        start_clock(
            section,
            kind="t",
            title=f"商务{i}",
            department=section,
            limit=limit,
            unit=Unit.WORKDAYS,
            at=at("2026-11-02"),
        )
        for i, limit in enumerate([5, 5, 5, 3])
    ]
    stop_clock(cases[0], outcome="办结", actor=None, at=at("2026-11-03"))
    actions.sweep(at("2026-11-06"))  # case 3 (due 11-05) is overdue: prompt, yellow, red
    stop_clock(cases[1], outcome="办结", actor=None, at=at("2026-11-09"))
    stop_clock(cases[2], outcome="办结", actor=None, at=at("2026-11-09", 15))
    stop_clock(cases[3], outcome="办结", actor=None, at=at("2026-11-10"))
    for i in range(2):
        clock = start_clock(
            market,
            kind="t",
            title=f"市场{i}",
            department=market,
            limit=5,
            unit=Unit.WORKDAYS,
            at=at("2026-11-02"),
        )
        stop_clock(clock, outcome="办结", actor=None, at=at("2026-11-09"))
    ManualScore.objects.create(
        indicator="expert",
        department=commerce,
        value=90,
        period_start=NOVEMBER.start,
        period_end=NOVEMBER.end,
        entered_by=people["supervisor"],
    )
    return {"commerce": commerce, "market": market, **people}


def test_a_crafted_month_scores_as_computed_by_hand(city):
    scheme = Scheme.objects.get(name="综合绩效考评（默认）")
    scores = {s.unit.code: s for s in performance.score(scheme, NOVEMBER)}
    commerce = scores["C-SW"]
    # 按时办结率 3/4 = 75 %: (75 − 60) / 40 × 60 = 22.50; 提前办结率 1/4 = 25 %: 25/50 × 10 = 5.00;
    # 专家评审 90: (90 − 60) / 40 × 15 = 11.25; 公众评议 none: left out, so the 38.75 earned
    # of 85 possible becomes 45.59 of 100; −5 (one yellow card) −10 (one red card);
    # early completions 25 % → +2.
    assert commerce.base == Decimal("45.59")
    assert commerce.deduction == Decimal("15") and commerce.bonus == Decimal("2")
    assert commerce.total == Decimal("32.59") and commerce.grade == "不合格"
    text = "\n".join(commerce.lines)
    assert "按时办结率：3/4 = 75.0%" in text and "得 22.50 分" in text
    assert "黄牌 1 张 × 5.00 = 扣 5.00 分" in text and "红牌 1 张 × 10.00 = 扣 10.00 分" in text
    assert "公众评议：本期无数据" in text
    # 市场监管局: both on time, neither early: 60 of 70 → 85.71, 良好.
    assert scores["C-SC"].total == Decimal("85.71") and scores["C-SC"].grade == "良好"
    assert scores["C-SC"].rank < commerce.rank


def test_bulletin_is_drafted_approved_and_exported(city, client):
    scheme = Scheme.objects.get(name="综合绩效考评（默认）")
    with pytest.raises(PermissionDenied):
        actions.generate_bulletin(city["director"], scheme, period="month", day=date(2026, 11, 5))
    with pytest.raises(ActionError, match="尚未结束"):
        actions.generate_bulletin(
            city["supervisor"], scheme, period="month", day=date(2026, 11, 5), now=at("2026-11-30")
        )
    bulletin = actions.generate_bulletin(
        city["supervisor"], scheme, period="month", day=date(2026, 11, 5), now=at("2026-12-01")
    )
    assert (bulletin.period_start, bulletin.period_end) == (NOVEMBER.start, NOVEMBER.end)
    assert bulletin.data["overdue"][0]["title"] == "商务3"
    # 商务局 fails and holds a red card; 市场监管局 (良好) is good but not 优秀; the quiet
    # units have nothing to be praised or blamed for.
    assert bulletin.data["black_list"] == ["测试市商务局"]
    assert bulletin.data["red_list"] == []
    with pytest.raises(ActionError, match="已经生成"):
        actions.generate_bulletin(
            city["supervisor"], scheme, period="month", day=date(2026, 11, 20), now=at("2026-12-01")
        )
    # Staff do not see a draft; the mayor approves; then every officer reads it.
    client.force_login(city["clerk"])
    assert client.get(reverse("supervision:bulletin", args=[bulletin.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.approve_bulletin(city["director"], bulletin)
    client.force_login(city["mayor"])
    client.post(reverse("supervision:bulletin", args=[bulletin.pk]))
    bulletin.refresh_from_db()
    assert bulletin.state == Bulletin.State.PUBLISHED and bulletin.approved_by == city["mayor"]
    client.force_login(city["clerk"])
    page = client.get(reverse("supervision:bulletin", args=[bulletin.pk])).content.decode()
    assert "32.59" in page and "红牌 1 张" in page
    xlsx = client.get(reverse("supervision:bulletin_file", args=[bulletin.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["测试市商务局"][5] == pytest.approx(32.59)
    docx = client.get(reverse("supervision:bulletin_file", args=[bulletin.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get(f"/supervision/bulletins/{bulletin.pk}.pdf").status_code == 404


@pytest.mark.parametrize(
    ("kind", "day", "bounds"),
    [
        ("month", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
        ("quarter", date(2026, 11, 5), (date(2026, 10, 1), date(2026, 12, 31))),
        ("year", date(2026, 6, 1), (date(2026, 1, 1), date(2026, 12, 31))),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_period_bounds(kind, day, bounds):
    assert performance.period_bounds(kind, day) == bounds


def test_the_appeals_scheme_scores_the_three_rates(city):
    """响应率 30 / 解决率 35 / 满意率 35 (migration 0005), from the 12345 records of November."""
    commerce, market = city["commerce"], city["market"]
    # 商务局 signs 9 of 10 tickets in time, 市场监管局 both of 2.
    for unit, late in ((commerce, 1), (market, 0)):
        count = 10 if unit is commerce else 2
        for i in range(count):
            clock = start_clock(
                unit,
                kind="appeals.sign",
                title=f"签收{i}",
                department=unit,
                limit=1,
                unit=Unit.WORKDAYS,
                at=at("2026-11-16"),
            )
            stop = at("2026-11-19") if i < late else at("2026-11-16", 11)
            stop_clock(clock, outcome="签收", actor=None, at=stop)
    # 回访: 商务局 3 of 4 resolved and 3 of 4 satisfied; 市场监管局 1 of 1 both.
    visits = [
        (commerce, True, "satisfied", 0),
        (commerce, True, "basic", 1),
        (commerce, True, "satisfied", 0),
        (commerce, False, "unsatisfied", 0),
        (market, True, "basic", 0),
    ]
    for i, (unit, resolved, satisfaction, rework) in enumerate(visits):
        appeal = Appeal.objects.create(
            serial=f"S{i}",
            query_digest="x",
            channel="hotline",
            type="help",
            title="求助",
            body="求助",
            received_at=at("2026-11-16"),
            lead_department=unit,
            status="closed",
            closed_at=at("2026-11-20"),
            rework_count=rework,
        )
        AppealFollowUp.objects.create(
            appeal=appeal,
            satisfaction=satisfaction,
            resolved=resolved,
            via="phone",
            recorded_by=city["supervisor"],
            at=at("2026-11-21"),
        )
        Assignment.objects.create(
            appeal=appeal,
            department=unit,
            role="lead",
            state="done",
            dispatched_by=city["supervisor"],
            dispatched_at=at("2026-11-16"),
            returns=1 if i == 3 else 0,
        )
    assert performance.INDICATORS["rework_rate"].compute(NOVEMBER)[commerce.pk] == (1, 4)
    assert performance.INDICATORS["return_rate"].compute(NOVEMBER)[commerce.pk] == (1, 4)
    scheme = Scheme.objects.get(name="12345诉求办理考评（三率）")
    scores = {s.unit.code: s for s in performance.score(scheme, NOVEMBER)}
    # 响应率 90 %: (90 − 80) / 20 × 30 = 15; 解决率 and 满意率 75 %: (75 − 60) / 40 × 35
    # = 13.125 → 13.13 each; the scheme has no card deductions.
    assert scores["C-SW"].total == Decimal("41.26") and scores["C-SW"].deduction == 0
    assert "及时签收率（响应率）：9/10 = 90.0%" in "\n".join(scores["C-SW"].lines)
    assert scores["C-SC"].total == Decimal("100.00") and scores["C-SC"].rank == 1


def test_a_quiet_unit_is_not_rated(city):
    quiet = Department.objects.create(
        code="C-QX",
        name="测试市气象局",
        kind=Department.Kind.BUREAU,
        parent=city["commerce"].parent,
    )
    scheme = Scheme.objects.get(name="综合绩效考评（默认）")
    ranked = performance.score(scheme, NOVEMBER)
    assert ranked[-1].unit == quiet and ranked[-1].grade == "不参评"
    assert ranked[-1].rank is None and ranked[-1].total is None
    assert [(s.unit.code, s.rank) for s in ranked[:2]] == [("C-SC", 1), ("C-SW", 2)]


def test_a_quiet_unit_reads_no_data_in_every_format(city, client):
    """No score of 100 for a unit without cases: 无数据 / 不参评 on the page, in Word and in
    Excel; not ranked, on neither list."""
    Department.objects.create(
        code="C-QX",
        name="测试市气象局",
        kind=Department.Kind.BUREAU,
        parent=city["commerce"].parent,
    )
    scheme = Scheme.objects.get(name="综合绩效考评（默认）")
    # With a made-up 100 the quiet unit would top the ranking and be 优秀.
    bulletin = actions.generate_bulletin(
        city["supervisor"], scheme, period="month", day=date(2026, 11, 5), now=at("2026-12-01")
    )
    quiet = next(row for row in bulletin.data["scores"] if row["unit"] == "测试市气象局")
    assert quiet["total"] is None and quiet["rank"] is None and quiet["assessed"] is False
    assert "测试市气象局" not in bulletin.data["red_list"] + bulletin.data["black_list"]
    client.force_login(city["supervisor"])
    page = client.get(reverse("supervision:bulletin", args=[bulletin.pk])).content.decode()
    row = re.search(r'<tr data-unit="测试市气象局"[^>]*>(.*?)</tr>', page)[1]
    assert "无数据" in row and "不参评" in row and "100" not in row
    assert re.search(r"<td>1</td><th scope=\"row\">测试市市场监管局", page)
    xlsx = client.get(reverse("supervision:bulletin_file", args=[bulletin.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["测试市气象局"] == ("—", "测试市气象局", "—", "—", "—", "无数据", "不参评")
    assert rows["测试市市场监管局"][0] == 1
    docx = client.get(reverse("supervision:bulletin_file", args=[bulletin.pk, "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "本期无考评数据、不参评的单位（" in text and "测试市气象局" in text
    assert not re.search(r"第\d+名　测试市气象局", text)
    assert "第1名　测试市市场监管局" in text


@pytest.mark.django_db(transaction=True)
def test_the_shipped_schemes_survive_a_flush():
    from io import StringIO

    from django.core.management import call_command

    call_command("flush", interactive=False, stdout=StringIO())
    assert set(Scheme.objects.values_list("name", flat=True)) >= {"综合绩效考评（默认）"}
    assert Scheme.objects.get(name="综合绩效考评（默认）").items.count() == 4
