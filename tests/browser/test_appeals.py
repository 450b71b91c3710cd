"""A letter to the 市长信箱 from writing to publication, as each person sees it."""

import re

import pytest
from playwright.sync_api import Page, expect

from .session import sign_in

pytestmark = pytest.mark.browser


def form(page: Page, action: str):
    return page.locator(f"form[action$='/{action}/']").first


def test_a_letter_to_the_mayor_from_writing_to_publication(page: Page, live_server, demo, shot):
    base, password = live_server.url, demo.password

    # A citizen writes to the 市长信箱.
    sign_in(page, base, "13800000001", password)
    page.goto(base + "/appeals/")
    page.get_by_role("link", name="给市长信箱写信").click()
    page.get_by_label("诉求类型").select_option(label="投诉")
    page.get_by_label("诉求分类").select_option(label="商贸流通 / 预付卡消费")
    page.get_by_label("标题").fill("短")
    page.get_by_label("诉求内容").fill(
        "阳光路健身房关门，预付卡余额两千元无法退还，请联系我13912345678。"
    )
    page.get_by_label("事发地点").fill("阳光路66号")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("同意公开").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("信件标题应为 10 至 25 个字。")).to_be_visible()
    page.get_by_label("标题").fill("健身房关门预付卡无法退款")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    serial = page.get_by_test_id("serial").inner_text()
    shot(page, "appeals-submitted")

    # The dispatcher sends it to 商务局 (主办) with 市场监管局 (协办).
    sign_in(page, base, "dispatcher", password)
    page.goto(base + "/appeals/desk/")
    page.get_by_role("link", name=re.compile(serial)).first.click()
    dispatch = form(page, "dispatch")
    expect(page.get_by_text("示例市商务局（派单目录）")).to_be_visible()
    dispatch.get_by_label("主办单位").select_option(label="示例市商务局")
    dispatch.get_by_label("示例市市场监督管理局").check()
    shot(page, "appeals-dispatch")
    dispatch.get_by_role("button", name="派单").click()
    expect(page.get_by_text("已办理。")).to_be_visible()
    ticket_url = page.url

    # 商务局 signs, and asks for an extension.
    sign_in(page, base, "handler", password)
    page.goto(ticket_url)
    form(page, "sign").get_by_role("button", name="签收").click()
    extend = form(page, "extend")
    extend.get_by_label("延长时限").fill("3")
    extend.get_by_label("延期理由").fill("需会同市场监管局核查商户资产。")
    extend.get_by_role("button", name="申请延期").click()
    expect(page.get_by_text("申请延长 3")).to_be_visible()

    sign_in(page, base, "dispatcher", password)
    page.goto(ticket_url)
    decide = form(page, "decide_extension")
    decide.get_by_label("同意", exact=True).check()
    decide.get_by_role("button", name="审批延期").click()
    expect(page.get_by_text("批准延期，新的期限")).to_be_visible()

    def reply_and_pass(text: str) -> None:
        sign_in(page, base, "handler", password)
        page.goto(ticket_url)
        answer = form(page, "reply")
        answer.get_by_label("答复内容").fill(text)
        answer.get_by_role("button", name="提交答复").click()
        expect(page.get_by_text("已办理。")).to_be_visible()
        sign_in(page, base, "dispatcher", password)
        page.goto(ticket_url)
        review = form(page, "review_reply")
        review.get_by_role("button", name="审核答复").click()
        expect(page.get_by_text("请选择同意或不同意。")).to_be_visible()
        review = form(page, "review_reply")
        review.get_by_label("同意", exact=True).check()
        review.get_by_role("button", name="审核答复").click()
        expect(page.locator(".state").first).to_have_text("已答复待回访")

    reply_and_pass("经核查，该健身房已停业，我局已登记您的预付卡余额，将督促经营者退款。")

    # The citizen is not satisfied; the unit's reason reopens the ticket.
    def rate(satisfaction: str, resolved: str, fault: str | None = None) -> None:
        sign_in(page, base, "13800000001", password)
        page.goto(f"{base}/appeals/mine/")
        page.get_by_role("link", name="健身房关门预付卡无法退款").click()
        page.get_by_label(satisfaction, exact=True).check()
        page.get_by_label(resolved, exact=True).check()
        if fault:
            page.get_by_label("不满意的原因").select_option(label=fault)
        page.get_by_role("button", name="提交评价").click()
        expect(page.get_by_text("感谢您的评价。")).to_be_visible()

    rate("不满意", "未解决", "承办单位原因")
    expect(page.locator(".state").first).to_have_text("办理中")
    reply_and_pass("已约谈经营者，余额两千元已于今日退还至您的账户，请查收。")
    rate("满意", "已解决")
    expect(page.get_by_test_id("reply")).to_contain_text("已于今日退还")
    shot(page, "appeals-citizen-status")

    # The editor publishes it; the phone number is masked, the original kept.
    sign_in(page, base, "editor", password)
    page.goto(ticket_url)
    page.get_by_role("link", name="预览并公开").click()
    expect(page.get_by_test_id("preview-body")).to_contain_text("139＊＊＊＊5678")
    expect(page.get_by_test_id("preview-body")).not_to_contain_text("13912345678")
    page.get_by_label("另需隐去的内容").fill("健身房")
    page.get_by_role("button", name="更新预览").click()
    expect(page.get_by_test_id("preview-title")).not_to_contain_text("健身房")
    page.get_by_role("button", name="公开").click()
    expect(page.get_by_test_id("letter-body")).to_contain_text("139＊＊＊＊5678")
    expect(page.get_by_test_id("letter-reply")).to_contain_text("退还至您的账户")
    shot(page, "appeals-published")

    page.context.clear_cookies()
    page.goto(base + "/appeals/letters/")
    expect(page.get_by_role("link", name=re.compile("预付卡无法退款"))).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(ticket_url.replace(ticket_url, base + "/appeals/"))
    shot(page, "appeals-index-phone")
