"""电子监察 in the browser: a case goes overdue, the supervisor sees the red card and sends a 督办,
the department answers it."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sunshine.clocks.actions import start_clock
from sunshine.clocks.models import Unit
from sunshine.supervision.actions import sweep

pytestmark = pytest.mark.browser


def login(page: Page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名或手机号码").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_red_card_and_supervision(page: Page, live_server, demo, shot):
    d = demo.departments
    now = timezone.now()
    start_clock(
        d["SLS-SCJG"],
        kind="demo",
        title="食品经营许可（逾期）",
        department=d["SLS-SCJG"],
        limit=2,
        unit=Unit.NATURAL_DAYS,
        at=now - timedelta(days=5),
    )
    sweep(now)
    login(page, live_server, "city_supervisor", demo.password)
    page.get_by_role("link", name="电子监察").click()
    row = page.locator("table.alerts tr[data-level='red']")
    expect(row).to_have_count(1)
    shot(page, "supervision-dashboard")
    row.get_by_role("link", name="食品经营许可（逾期）").click()
    expect(page.get_by_text("期限是怎样算出来的")).to_be_visible()
    page.get_by_label("类型").select_option("supervise")
    page.get_by_label("内容").fill("请于2个工作日内办结并书面报告")
    page.get_by_label("答复期限（工作日，督办和纠错必填）").fill("2")
    page.get_by_role("button", name="发出").click()
    expect(page.get_by_text("已办理。")).to_be_visible()
    expect(page.locator("ul.timeline")).to_contain_text("请于2个工作日内办结并书面报告")
    shot(page, "supervision-alert")

    page.get_by_role("button", name="退出").click()
    login(page, live_server, "market", demo.password)
    page.goto(live_server.url + "/supervision/inbox/")
    page.get_by_label("答复内容").fill("已办结，原因系现场核查排期延误")
    page.get_by_role("button", name="答复").click()
    expect(page.get_by_text("已答复。")).to_be_visible()
    assert isinstance(now, datetime)
