"""电子监察 in the browser: a case goes overdue, the supervisor sees the red card and sends a 督办,
the department answers it and completes the case, and the month's 通报, approved by the leader,
shows the department's lower score with the deduction explained."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sunshine.clocks.actions import extend_clock, start_clock, stop_clock
from sunshine.clocks.engine import tz
from sunshine.clocks.models import Unit
from sunshine.supervision.actions import run_anomaly_rules, sweep

from .session import sign_in

pytestmark = pytest.mark.browser


def last_month(day: int, hour: int = 10) -> datetime:
    """A moment in the month before this one: its bulletin can be generated today."""
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return datetime.combine(first.replace(day=day), time(hour), tzinfo=tz())


def test_red_card_supervision_and_bulletin(page: Page, live_server, demo, shot):
    d = demo.departments
    clock = start_clock(
        d["SLS-SCJG"],
        kind="demo",
        title="食品经营许可（逾期）",
        department=d["SLS-SCJG"],
        limit=2,
        unit=Unit.NATURAL_DAYS,
        at=last_month(3),
    )
    sweep(last_month(8))
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.get_by_role("link", name="电子监察").click()
    row = page.locator("table.alerts tr[data-level='red']", has_text="食品经营许可（逾期）")
    expect(row).to_have_count(1)
    shot(page, "supervision-dashboard")
    row.get_by_role("link", name="食品经营许可（逾期）").click()
    expect(page.get_by_text("期限是怎样算出来的")).to_be_visible()
    page.get_by_label("类型").select_option("supervise")
    page.get_by_label("内容").fill("请于2个工作日内办结并书面报告")
    page.get_by_label("答复期限（工作日，督办和纠错必填）").fill("2")
    page.get_by_role("button", name="发出").click()
    expect(page.get_by_text("已发出督办，限 2 个工作日内答复。")).to_be_visible()
    expect(page.locator("ul.timeline")).to_contain_text("请于2个工作日内办结并书面报告")
    shot(page, "supervision-alert")

    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server.url, "market", demo.password)
    page.goto(live_server.url + "/supervision/inbox/")
    page.get_by_label("答复内容").fill("已办结，原因系现场核查排期延误")
    page.get_by_role("button", name="答复").click()
    expect(page.get_by_text("已答复。")).to_be_visible()
    # The supervisor who sent it hears of the answer, and sees it answered.
    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.goto(live_server.url + "/supervision/")
    expect(row.locator("td.urging")).to_have_text("督办 · 已答复")
    page.goto(live_server.url + "/workbench/")
    expect(page.get_by_text("【督办已答复】食品经营许可（逾期）")).to_be_visible()
    # The department's completion, dated in the case's own month.
    stop_clock(clock, outcome="准予许可", actor=demo.users["market"], at=last_month(10))

    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.goto(live_server.url + "/supervision/bulletins/")
    page.get_by_label("考评方案").select_option(label="综合绩效考评（默认）")
    page.locator("#id_period").select_option("month")
    page.get_by_label("周期内任一日期").fill(last_month(1).date().isoformat())
    page.get_by_role("button", name="生成").click()
    expect(page.get_by_text("通报已生成，待领导审批后发布。")).to_be_visible()
    bulletin_url = page.url

    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server.url, "mayor", demo.password)
    page.goto(bulletin_url)
    page.get_by_role("button", name="批准发布").click()
    expect(page.get_by_text("通报已批准发布。")).to_be_visible()
    market = page.locator("table.scores tr", has_text="市场监督管理局")
    expect(market).to_have_count(1)
    total = float(market.locator("td strong").inner_text())
    assert total < 100
    explained = page.locator("section.card", has_text="得分说明")
    expect(explained).to_contain_text("红牌 1 张 × 10.00 = 扣 10.00 分")
    expect(page.locator("section.card", has_text="超期事项")).to_contain_text(
        "食品经营许可（逾期）"
    )
    shot(page, "supervision-bulletin")


def test_dashboards_draw_every_chart(page: Page, live_server, demo, shot):
    now = timezone.now()
    for i in range(3):
        start_clock(
            demo.departments["SLS-QSZ"],
            kind="demo",
            title=f"清水镇事项{i}",
            department=demo.departments["SLS-QSZ"],
            limit=1,
            unit=Unit.NATURAL_DAYS,
            at=now - timedelta(days=3 + i),
        )
    sweep(now)
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.goto(live_server.url + "/supervision/")
    page.get_by_role("link", name="监察统计").click()
    cards = page.locator("section.chart-card")
    expect(cards).to_have_count(6)
    # The selector names the period shown (the last 12 weeks), not its first option.
    expect(page.get_by_label("统计期间")).to_have_value("12w")
    expect(page.locator("p.window")).to_contain_text("近 12 周")
    # ECharts drew each one (an SVG inside every chart box) from the page's own script.
    expect(page.locator(".chart svg")).to_have_count(6)
    expect(page.locator("table[data-chart='alerts']")).to_contain_text("红牌")
    with page.expect_download() as download:
        page.locator("#alerts").get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename == "alerts.xlsx"
    shot(page, "supervision-charts")
    # Another period: the page, every chart and its export follow it; a bad one is refused.
    page.get_by_label("统计期间").select_option("year")
    page.get_by_role("button", name="查询").click()
    year = timezone.localdate().year
    expect(page.locator("p.window")).to_contain_text(f"{year}年（{year}-01-01 至")
    expect(page.locator(".chart svg")).to_have_count(6)
    expect(page.locator("#flow h2")).to_have_text("各月计时事项起算与办结")
    with page.expect_download() as download:
        page.locator("#alerts").get_by_role("link", name="导出 Excel").click()
    assert "period=year" in download.value.url
    page.get_by_label("统计期间").select_option("range")
    page.get_by_label("起始日期").fill("2026-03-10")
    page.get_by_label("截止日期").fill("2026-03-01")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("起始日期不能晚于截止日期。")).to_be_visible()
    expect(page.locator("section.chart-card")).to_have_count(0)
    shot(page, "supervision-charts-period")


def test_dashboards_fit_a_phone(page: Page, live_server, demo, shot):
    """At 390px the page is no wider than the screen: one chart per row, drawn to its width;
    a table wider than the card scrolls inside it."""
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/supervision/charts/")
    expect(page.locator(".chart svg")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for card in page.locator("section.chart-card").all():
        box, drawn = card.bounding_box(), card.locator(".chart svg").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert drawn["x"] + drawn["width"] <= box["x"] + box["width"]
    shot(page, "supervision-charts-phone")


def test_anomaly_is_shown_and_closed(page: Page, live_server, demo, shot):
    director = demo.users["director"]
    clock = start_clock(
        demo.departments["SLS-SCJG"],
        kind="demo",
        title="食品经营许可（两次延期）",
        department=demo.departments["SLS-SCJG"],
        limit=5,
        unit=Unit.WORKDAYS,
        at=timezone.now() - timedelta(days=3),
    )
    for hours in (48, 24):
        clock = extend_clock(
            clock,
            amount=5,
            approver=director,
            actor=director,
            at=timezone.now() - timedelta(hours=hours),
        )
    run_anomaly_rules()
    sign_in(page, live_server.url, "city_supervisor", demo.password)
    page.goto(live_server.url + "/supervision/")
    row = page.locator("table.anomalies tr[data-rule='extensions']", has_text="两次延期")
    expect(row).to_contain_text("延长 2 次")
    shot(page, "supervision-anomalies")
    row.get_by_role("link", name="食品经营许可（两次延期）").click()
    expect(page.get_by_text("同一时限延长的次数超过规定")).to_be_visible()
    # Its case is a department's own clock here, no kind of case with a staff page: no link.
    expect(page.get_by_role("link", name="打开办理页面")).to_have_count(0)
    page.get_by_label("处理结论").fill("第二次延期未经批准，责令纠正")
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_text("已办理。")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("第二次延期未经批准，责令纠正")
    shot(page, "supervision-anomaly")
