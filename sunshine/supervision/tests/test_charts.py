"""Dashboards: each chart's table comes from the records, its options carry the same figures,
the page draws them without inline script, and every table exports to Excel."""

import io
import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sunshine.appeals.models import Appeal
from sunshine.appeals.models import FollowUp as AppealFollowUp
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import Unit
from sunshine.org.models import Membership, Role
from sunshine.supervision import actions, charts

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 12, tzinfo=TZ)  # a Friday; the window starts Monday 2025-12-29


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def rows(chart: charts.Chart) -> dict[str, list]:
    return {row[0]: row[1:] for row in chart.rows}


@pytest.fixture
def records(demo):
    d, u = demo.departments, demo.users
    made = [
        clock_actions.start_clock(
            d["SLS-QSZ"],
            kind="chart",
            title=f"图表{i}",
            department=d["SLS-QSZ"],
            limit=3,
            unit=Unit.WORKDAYS,
            at=at("2026-03-02"),
        )
        for i in range(3)
    ]
    # One done on 03-04; the other two, due 03-05, are swept red on 03-06 and done late.
    clock_actions.stop_clock(made[0], outcome="办结", actor=None, at=at("2026-03-04"))
    actions.sweep(at("2026-03-06", 9))
    for clock, stop in zip(made[1:], ["2026-03-06", "2026-03-13"], strict=True):
        clock_actions.stop_clock(clock, outcome="办结", actor=None, at=at(stop))
    for serial, place, satisfaction in [
        ("C1", "清水镇东村", "satisfied"),
        ("C2", "清水镇西街", "unsatisfied"),
        ("C3", "阳光路88号", None),
    ]:
        appeal = Appeal.objects.create(
            serial=serial,
            query_digest="x",
            channel="hotline",
            type="complaint",
            title="路灯不亮",
            body="路灯不亮",
            place=place,
            received_at=at("2026-03-09"),
            lead_department=d["SLS-QSZ"],
        )
        if satisfaction:
            AppealFollowUp.objects.create(
                appeal=appeal,
                satisfaction=satisfaction,
                resolved=True,
                via="phone",
                recorded_by=u["city_supervisor"],
                at=at("2026-03-16"),
            )
    return made


@pytest.fixture
def town_head(demo, django_user_model):
    head = django_user_model.objects.create_user(
        username="qsz_head", password="x" * 12, real_name="镇长"
    )
    Membership.objects.create(user=head, department=demo.departments["SLS-QSZ"], role=Role.LEADER)
    return head


def test_tables_from_the_records(records, town_head):
    built = {c.key: c for c in charts.build(town_head, charts.Window.last_weeks(NOW))}
    assert set(built) == set(charts.CHARTS)
    # The head of the town sees their own town: three started the week of 03-02, two finished
    # that week (one late, on 03-06), one the next week (late).
    weekly = rows(built["flow"])
    assert weekly["2026-03-02"] == [3, 2, 1] and weekly["2026-03-09"] == [0, 1, 1]
    assert next(iter(weekly)) == "2025-12-29" and len(weekly) == 12
    assert built["flow"].options["series"][0]["data"][-3:] == [3, 0, 0]
    assert rows(built["on_time"])["示例市清水镇人民政府"] == [3, 1, 33.3]
    assert rows(built["alerts"])["红牌"] == [2, 2]
    places = rows(built["appeal_places"])
    assert places["清水镇"] == [2] and places["城区及其他"] == [1]
    assert built["appeal_places"].options["xAxis"]["data"] == ["清水镇", "城区及其他"]
    assert rows(built["satisfaction"])["12345回访"] == [1, 0, 1, 2, 50.0]
    assert charts.place_of("滨江街道三号") == "滨江街道"


def test_a_department_head_sees_only_their_department(records, demo):
    built = {c.key: c for c in charts.build(demo.users["director"], charts.Window.last_weeks(NOW))}
    assert "示例市清水镇人民政府" not in rows(built["on_time"])
    assert sum(r[1] for r in built["flow"].rows) == 0


def test_page_and_excel(records, demo, client):
    client.force_login(demo.users["city_supervisor"])
    page = client.get(reverse("supervision:charts")).content.decode()
    assert 'data-options="chart-on_time"' in page
    assert re.search(r'<script id="chart-on_time" type="application/json">', page)
    assert not re.search(r"<script(?![^>]*(src=|application/json))", page)
    options = json.loads(
        re.search(r'<script id="chart-alerts" type="application/json">(.*?)</script>', page)[1]
    )
    assert options["xAxis"]["data"] == ["预警", "黄牌", "红牌"]
    response = client.get(reverse("supervision:chart_file", args=["appeal_places"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "诉求（按事发地）" and sheet["A3"].value == "乡镇（街道）"
    assert client.get("/supervision/charts/nothing.xlsx").status_code == 404
    client.force_login(demo.users["13800000001"])
    assert client.get(reverse("supervision:charts")).status_code in (403, 404)


def test_the_selector_shows_the_period_displayed(demo, client):
    """With no period asked for (or a query naming none) the page covers the last 12 weeks,
    and its selector says 近 12 周, not its first option."""
    client.force_login(demo.users["city_supervisor"])
    url = reverse("supervision:charts")
    for query in ({}, {"day": "2026-03-15"}):
        page = client.get(url, query).content.decode()
        assert "统计期间：近 12 周（" in page
        assert re.findall(r'<option value="(\w+)" selected>', page) == ["12w"]


def test_the_period_is_chosen_and_shown_in_every_chart_and_export(records, demo, client):
    client.force_login(demo.users["city_supervisor"])
    url = reverse("supervision:charts")
    # March 2026 by its month: its first week is the one Sunday 03-01; the alerts are all inside.
    page = client.get(url, {"period": "month", "day": "2026-03-15"}).content.decode()
    assert "统计期间：2026年3月（2026-03-01 至 2026-03-31）" in page
    assert '<th scope="row">03-01</th><td>0</td><td>0</td><td>0</td>' in page
    assert '<th scope="row">03-02</th><td>3</td><td>2</td><td>1</td>' in page
    assert '<th scope="row">03-30</th>' in page and '<th scope="row">04-06</th>' not in page
    link = re.search(r'href="(/supervision/charts/alerts\.xlsx\?[^"]+)"', page)[1]
    sheet = load_workbook(io.BytesIO(client.get(link.replace("&amp;", "&")).content)).active
    assert sheet["A2"].value == "2026年3月（2026-03-01 至 2026-03-31）"
    assert [c.value for c in sheet[6]] == ["红牌", 2, 2]
    # April: nothing happened, in the page and in the export.
    april = {"period": "range", "start": "2026-04-01", "end": "2026-04-30"}
    page = client.get(url, april).content.decode()
    assert "自定义（2026-04-01 至 2026-04-30）" in page
    assert '<th scope="row">红牌</th><td>0</td>' in page
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("supervision:chart_file", args=["alerts"]), april).content)
    ).active
    assert [c.value for c in sheet[6]] == ["红牌", 0, 0]
    # A year is drawn by months.
    built = {
        c.key: c
        for c in charts.build(
            demo.users["city_supervisor"],
            charts.Window(date(2026, 1, 1), date(2026, 12, 31), "2026年"),
        )
    }
    flow = rows(built["flow"])
    assert len(flow) == 12 and flow["2026-03"] == [3, 3, 2]
    assert built["flow"].title == "各月计时事项起算与办结"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "range", "start": "2026-03-01"}, "须填写起始日期和截止日期"),
        (
            {"period": "range", "start": "2026-03-10", "end": "2026-03-01"},
            "起始日期不能晚于截止日期",
        ),
        ({"period": "range", "start": "2000-01-01", "end": "2026-03-01"}, "不能超过 10 年"),
        ({"period": "range", "start": "2026-03-01", "end": "2999-01-01"}, "不能晚于今天"),
        ({"period": "month", "day": "2999-01-01"}, "所在日期不能晚于今天"),
        ({"period": "month", "day": "2026-02-30"}, "有效的日期"),
        ({"period": "<script>"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_period_is_refused_in_chinese(demo, client, query, message):
    client.force_login(demo.users["city_supervisor"])
    response = client.get(reverse("supervision:charts"), query)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert "chart-card" not in body and "<script>" not in body.replace("<script src", "")
    export = client.get(reverse("supervision:chart_file", args=["alerts"]), query)
    assert export.status_code == 400 and message in export.content.decode()
