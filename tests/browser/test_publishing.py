"""主动公开 end to end: an officer reports an item with a PDF attachment holding a mobile number;
保密审查 sees it flagged; the chain approves; the public finds it in its column, the catalogue, the
feed and the search; it is withdrawn and its page says so. A returned draft shows its opinion.
"""

import pytest
from playwright.sync_api import Page, expect

from sunshine.publishing.tests.factories import pdf_bytes

from .session import sign_in

pytestmark = pytest.mark.browser
TITLE = "关于开展冷链食品经营单位专项检查的通知"


def open_task(page: Page, base: str, title: str) -> None:
    page.goto(base + "/gk/work/")
    page.locator("table.tasks").get_by_role("link", name=title).click()


def write_draft(page: Page, base: str, title: str, attachment=None) -> None:
    page.goto(base + "/gk/work/")
    page.get_by_role("link", name="新建信息").click()
    page.get_by_label("标题").fill(title)
    page.get_by_label("发文字号").fill("示商发〔2026〕21号")
    page.get_by_label("目录分类").select_option(label="其他主动公开信息 / 通知公告")
    page.get_by_label("示例市商务局 · 通知公告").check()
    page.get_by_label("正文").fill("各经营单位：定于12月开展冷链食品专项检查，请做好自查。")
    if attachment:
        page.get_by_label("上传附件").set_input_files(attachment)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存。")).to_be_visible()


def test_report_review_publish_find_withdraw(page: Page, live_server, demo, shot, tmp_path):
    base, password = live_server.url, demo.password
    pdf = tmp_path / "检查安排.pdf"
    pdf.write_bytes(pdf_bytes("Contact: Wang 13912345678"))

    sign_in(page, base, "officer", password)
    write_draft(page, base, TITLE, attachment=pdf)
    expect(page.get_by_text("检查安排.pdf")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交审核。")).to_be_visible()
    expect(page.get_by_role("heading", name="公开时限（条例第二十六条）")).to_be_visible()
    shot(page, "publishing-submitted")

    sign_in(page, base, "office_head", password)
    open_task(page, base, TITLE)
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text("审核意见已记录。")).to_be_visible()

    sign_in(page, base, "secrecy", password)
    open_task(page, base, TITLE)
    expect(page.get_by_role("heading", name="保密自动预检")).to_be_visible()
    flagged = page.locator("mark.finding-mobile")
    expect(flagged).to_contain_text("13912345678")
    expect(flagged).to_contain_text("手机号码")
    shot(page, "publishing-secrecy-precheck")
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text("请选择保密审查结论。")).to_be_visible()
    page.get_by_label("公开", exact=True).check()
    page.get_by_label("依据").fill("《政府信息公开条例》第十九条；电话为单位联系电话，可公开")
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text("审核意见已记录。")).to_be_visible()

    # A reviewer of another section has no business with this item: it does not exist for them.
    sign_in(page, base, "reviewer", password)
    page.goto(base + "/gk/work/")
    expect(page.locator("table.tasks")).not_to_contain_text(TITLE)

    sign_in(page, base, "deputy", password)
    open_task(page, base, TITLE)
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text("审核意见已记录。")).to_be_visible()

    page.context.clear_cookies()
    page.goto(base + "/gk/site/swj/tzgg/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("table.metabox")).to_contain_text("SLS-SWJ/")
    expect(page.locator("table.metabox")).to_contain_text("示商发〔2026〕21号")
    expect(page.get_by_role("link", name="检查安排.pdf")).to_be_visible()
    item_url = page.url
    shot(page, "publishing-item")

    page.goto(base + "/gk/org/SLS-SWJ/")
    page.get_by_role("link", name="通知公告").first.click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    feed = page.request.get(base + "/gk/site/swj/tzgg/atom/")
    assert TITLE in feed.text()

    page.goto(base + "/search/")
    page.get_by_label("检索词").fill("冷链食品经营")
    page.get_by_role("button", name="检索").click()
    result = page.locator("ol.results li").first
    expect(result).to_contain_text(TITLE)
    expect(result.locator("mark").first).to_have_text("冷链食品经营")
    # The text of the PDF is searchable too.
    page.goto(base + "/search/?q=13912345678")
    expect(page.locator("ol.results")).to_contain_text(TITLE)
    shot(page, "publishing-search")

    sign_in(page, base, "deputy", password)
    page.goto(item_url.replace("/gk/i/", "/gk/work/"))
    placements = page.locator("ul.placements li")
    placements.first.get_by_role("button", name="置顶").click()
    expect(page.locator("ul.placements li").first).to_contain_text("已置顶")
    shot(page, "publishing-manage")
    page.get_by_label("撤回理由").fill("检查时间调整，另行通知。")
    page.get_by_role("button", name="撤回").click()
    expect(page.get_by_text("已处理。")).to_be_visible()
    page.context.clear_cookies()
    page.goto(item_url)
    expect(page.get_by_role("alert")).to_contain_text("撤回")
    # The reason is for the record, not the public page.
    expect(page.locator("main")).not_to_contain_text("检查时间调整，另行通知。")
    expect(page.locator("table.metabox")).to_contain_text("已撤回")
    shot(page, "publishing-withdrawn")
    page.goto(base + "/search/?q=冷链食品经营")
    expect(page.locator("ol.results")).not_to_contain_text(TITLE)


def test_a_returned_draft_shows_the_opinion(page: Page, live_server, demo, shot):
    base, password = live_server.url, demo.password
    title = "商务局第四季度工作动态"
    sign_in(page, base, "officer", password)
    write_draft(page, base, title)
    page.get_by_role("button", name="提交审核").click()
    # Wait for the answer: signing out at once could cut the submission off in flight.
    expect(page.get_by_text("已提交审核。")).to_be_visible()

    sign_in(page, base, "office_head", password)
    open_task(page, base, title)
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("请填写审核意见")).to_be_visible()
    page.get_by_label("审核意见").fill("请补充检查范围和联系人。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("审核意见已记录。")).to_be_visible()

    sign_in(page, base, "officer", password)
    page.goto(base + "/gk/work/")
    page.locator("table.drafts").get_by_role("link", name=title).click()
    expect(page.get_by_role("alert")).to_contain_text("请补充检查范围和联系人。")
    expect(page.get_by_text("退回修改").first).to_be_visible()
    shot(page, "publishing-returned")


def test_the_home_page_leads_to_the_columns_search_and_services(
    page: Page, live_server, demo, shot
):
    """A citizen's first page: the main columns' newest items, the search box, every service
    entry; on a phone it fits the screen without sideways scrolling."""
    base = live_server.url
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/")
    for column in ("通知公告", "政策法规", "政策解读", "工作动态"):
        expect(page.get_by_role("heading", name=column)).to_be_visible()
    for entry in ("政府信息公开", "依申请公开", "网上办事大厅", "12345政务服务便民热线"):
        expect(page.get_by_role("navigation", name="办事服务入口")).to_contain_text(entry)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "portal-home-phone")

    news = page.get_by_role("region", name="通知公告").get_by_role("listitem").first
    title = news.get_by_role("link").inner_text()
    page.get_by_label("站内检索").fill(title)
    page.get_by_label("站内检索").press("Enter")
    expect(page.locator("ol.results li").first).to_contain_text(title)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/")
    page.get_by_role("link", name="网上办事大厅").click()
    expect(page).to_have_url(base + "/hall/")
    page.go_back()
    page.get_by_role("region", name="工作动态").get_by_role("link", name="更多工作动态").click()
    expect(page.get_by_role("heading", name="工作动态")).to_be_visible()
    page.goto(base + "/")
    shot(page, "portal-home")


def test_an_items_key_value_tables_wrap_on_a_phone(page: Page, live_server, demo, shot):
    """The metadata box and a 许可决定's particulars (name and value in each row) wrap their
    long values on a phone; only tables with columns to compare scroll sideways."""
    from sunshine.publishing.tests.factories import draft, publish

    long_value = "示例市商务局关于再生资源回收经营者备案（含变更、注销）事项的办理结果" * 2
    body = (
        f"<table><tbody><tr><th>许可事项</th><td>{long_value}</td></tr>"
        "<tr><th>许可决定书文号</th><td>示商许准字〔2026〕第000123456789号</td></tr></tbody></table>"
    )
    item = publish(demo, draft(demo, title="准予行政许可决定：再生资源回收经营者备案", body=body))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/gk/i/{item.pk}/")
    expect(page.locator("table.metabox")).to_contain_text(item.index_number)
    for table in (page.locator("table.metabox"), page.locator(".body table")):
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
        for cell in table.locator("td").all():
            assert cell.evaluate("c => c.scrollWidth <= c.clientWidth + 1"), cell.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "publishing-item-phone")
