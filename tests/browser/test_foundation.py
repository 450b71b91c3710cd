"""A newcomer's first minutes: register as a citizen, and an officer signs in to the workbench."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sunshine.accounts.validators import id_number_check_char
from sunshine.clocks import actions
from sunshine.clocks.models import Unit

pytestmark = pytest.mark.browser
FIRST17 = "32010219850615123"


def test_citizen_registration(page: Page, live_server, shot):
    page.goto(live_server.url)
    page.get_by_role("link", name="实名注册").first.click()
    page.get_by_label("真实姓名").fill("王五")
    wrong = FIRST17 + ("0" if id_number_check_char(FIRST17) != "0" else "1")
    page.get_by_label("居民身份号码").fill(wrong)
    page.get_by_label("手机号码").fill("13912345678")
    page.locator("#id_password1").fill("Qingshui#2026")
    page.get_by_label("确认密码").fill("Qingshui#2026")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("居民身份号码校验位不正确，请核对后重新输入。")).to_be_visible()
    shot(page, "register-bad-id")

    page.get_by_label("居民身份号码").fill(FIRST17 + id_number_check_char(FIRST17))
    page.locator("#id_password1").fill("Qingshui#2026")
    page.get_by_label("确认密码").fill("Qingshui#2026")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()
    expect(page.get_by_role("heading", name="我的账户")).to_be_visible()
    shot(page, "register-done")


def test_staff_sees_the_workbench(page: Page, live_server, demo, shot):
    d = demo.departments
    now = timezone.now()
    for title, days_ago, limit in [
        ("依申请公开答复（超期）", 10, 3),
        ("审批环节（黄牌）", 1, 1),
        ("12345 工单（正常）", 0, 30),
    ]:
        actions.start_clock(
            d["SLS"],
            kind="demo",
            title=title,
            department=d["SLS-SWJ-SCYX"],
            limit=limit,
            unit=Unit.NATURAL_DAYS,
            at=now - timedelta(days=days_ago),
        )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名或手机号码").fill("handler")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
    page.get_by_label("密码").fill(demo.password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    # Among the demo's own cases of the unit, these three, soonest due first.
    ours = re.compile("（超期）|（黄牌）|（正常）")
    rows = page.locator("table.clocks tbody tr").filter(has_text=ours)
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-status", "overdue")
    expect(rows.nth(1)).to_have_attribute("data-status", "yellow")
    expect(rows.nth(2)).to_have_attribute("data-status", "running")
    # The colour comes from the stylesheet, served locally.
    colour = rows.nth(0).locator(".badge").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(198, 40, 40)"
    shot(page, "workbench")
