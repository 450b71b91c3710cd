"""依申请公开 end to end: a citizen files, staff ask for a correction, consult a third party,
extend, pass the legal review and send the letter, turn the information into a proactive draft
and record a review against the reply; the citizen follows it and downloads the letter."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from .session import sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def staff_open(page: Page, live_server, username: str, password: str, number: str) -> None:
    sign_in(page, live_server.url, username, password)
    page.goto(live_server.url + "/foi/staff/")
    page.get_by_role("link", name=number).click()


def test_request_from_filing_to_the_letter(page: Page, live_server, demo, shot):
    pw = demo.password
    sign_in(page, live_server.url, "13800000001", pw)
    page.get_by_role("link", name="依申请公开", exact=True).click()
    page.get_by_label("受理机关").select_option(label="示例市商务局")
    page.get_by_label("所需信息名称").fill("2025年商贸流通专项资金分配结果")
    page.get_by_label("电子邮箱").fill("zhangsan@example.com")  # the form asked for: 电子邮件
    shot(page, "foi-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    number = page.locator("dd.number").inner_text()
    code = page.locator("dd.code").inner_text()
    shot(page, "foi-filed")

    staff_open(page, live_server, "window", pw, number)
    page.get_by_role("button", name="确认收到").click()
    expect(page.locator("dd.state")).to_have_text("办理中")
    # The staff list shows the reply clock's status and due day, and filters by it.
    page.goto(live_server.url + "/foi/staff/")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row.locator("td.due .badge")).to_have_text("正常")
    expect(row.locator("td.due")).to_contain_text(str(timezone.localdate().year))
    page.get_by_label("时限状态").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("row").filter(has_text=number)).to_have_count(0)
    page.get_by_label("时限状态").select_option("running")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("row").filter(has_text=number)).to_have_count(1)
    shot(page, "foi-staff-list")

    staff_open(page, live_server, "handler", pw, number)
    page.get_by_label("需要补正的全部事项").fill("请说明所需资金的项目名称。")
    page.get_by_role("button", name="发出补正告知").click()
    expect(page.locator("dd.state")).to_have_text("待申请人补正")

    # The citizen follows it without signing in, with the number and the query code.
    page.context.clear_cookies()
    page.goto(live_server.url + "/foi/track/")
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill("WRONG123")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("受理编号或查询码不正确。")).to_be_visible()
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("请说明所需资金的项目名称。")).to_be_visible()

    sign_in(page, live_server.url, "13800000001", pw)
    page.goto(live_server.url + "/foi/mine/")
    page.get_by_role("link", name=number).click()
    page.get_by_label("补正内容").fill("城市一刻钟便民生活圈项目。")
    page.get_by_role("button", name="提交补正").click()
    expect(page.get_by_text("答复期限自今日起重新计算")).to_be_visible()
    expect(page.locator("ol.explain")).to_contain_text("重新起算")
    expect(page.locator("strong.due")).to_be_visible()
    shot(page, "foi-restarted")

    staff_open(page, live_server, "handler", pw, number)
    page.locator("#panel-consult").get_by_label("征求对象").fill("示例市阳光商贸有限公司")
    page.locator("#panel-consult").get_by_label("征求事项").fill("是否同意公开贵司获得的资金额")
    page.get_by_role("button", name="征求意见").click()
    expect(page.locator("dd.state")).to_have_text("征求意见中")
    expect(page.locator("ol.explain")).to_contain_text("暂停计时（征求第三方意见）")
    shot(page, "foi-consulting")
    page.get_by_label("对方意见").select_option("agree")
    page.get_by_label("答复内容").fill("同意公开。")
    page.get_by_role("button", name="记录征求意见答复").click()
    expect(page.locator("dd.state")).to_have_text("办理中")
    # The handler may not approve an extension.
    expect(page.get_by_role("button", name="批准延期")).to_have_count(0)

    staff_open(page, live_server, "deputy", pw, number)
    page.get_by_label("延期理由").fill("需要汇总多个项目的资金数据。")
    page.get_by_role("button", name="批准延期").click()
    expect(page.locator("ol.explain")).to_contain_text("延长 20 个工作日")

    staff_open(page, live_server, "handler", pw, number)
    page.get_by_label("办理结果").select_option("disclose")
    page.locator("#panel-decide").get_by_label("答复内容").fill(
        "经审查，您申请的信息予以公开，见附件。"
    )
    page.get_by_label("公开的政府信息").set_input_files(
        files=[{"name": "资金分配结果.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交合法性审查").click()
    expect(page.locator("dd.state")).to_have_text("合法性审查中")
    expect(page.get_by_role("button", name="签发并送达答复书")).to_have_count(0)

    staff_open(page, live_server, "legal", pw, number)
    page.get_by_label("审查结论").select_option("1")
    page.get_by_role("button", name="提交审查结论").click()
    expect(page.locator("dd.state")).to_have_text("待送达答复")

    staff_open(page, live_server, "handler", pw, number)
    page.get_by_role("button", name="签发并送达答复书").click()
    expect(page.locator("dd.state")).to_have_text("已办结")
    shot(page, "foi-staff-closed")

    # 第四十四条: the information becomes a proactive draft; a 行政复议 is recorded against it.
    page.locator("#panel-proactive").get_by_label("正文").fill("2025年商贸流通专项资金分配结果。")
    page.get_by_role("button", name="转为主动公开").click()
    expect(page.get_by_text("已生成主动公开草稿")).to_be_visible()
    remedy = page.locator("#panel-remedy")
    remedy.get_by_label("类别").select_option("review")
    remedy.get_by_label("受理日期").fill(timezone.localdate().isoformat())
    remedy.get_by_label("说明").fill("示例市人民政府行政复议")
    remedy.get_by_role("button", name="登记行政复议或行政诉讼").click()
    expect(page.get_by_role("cell", name="尚未审结")).to_be_visible()
    expect(page.get_by_text("已转为主动公开：")).to_be_visible()
    shot(page, "foi-staff-seams")

    sign_in(page, live_server.url, "13800000001", pw)
    page.goto(live_server.url + "/foi/mine/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("dd.outcome")).to_contain_text("予以公开")
    shot(page, "foi-citizen-closed")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载答复书（PDF）").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    download.value.save_as("var/screenshots/foi-letter.pdf")


def test_report_figures_inserted_at_the_cursor_and_without_javascript(
    page: Page, browser, live_server, demo, shot
):
    """一、五、六: the system's figures go into the text where the cursor is; without JavaScript
    the same button saves the text with the figure's sentence appended."""
    sign_in(page, live_server.url, "officer", demo.password)
    url = live_server.url + "/reports/SLS-SWJ/2025/"
    page.goto(url)
    overview = page.get_by_label("一、总体情况")
    overview.fill("一年来，我局依法办理申请。全年工作平稳。")
    overview.evaluate("area => area.setSelectionRange(13, 13)")  # after the first sentence
    page.get_by_role("button", name="插入“收到和办结申请”").click()
    text = overview.input_value()
    assert text.startswith("一年来，我局依法办理申请。本年新收政府信息公开申请")
    assert text.endswith("件。全年工作平稳。")
    page.get_by_role("button", name="插入“收取信息处理费”").click()
    expect(page.get_by_label("六、其他需要报告的事项")).to_have_value(
        "本年度未收取政府信息公开信息处理费。"
    )
    shot(page, "report-figures")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("报告已保存。")).to_be_visible()
    expect(page.locator("section.card p.pre").first).to_contain_text("全年工作平稳。")

    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    plain = context.new_page()
    sign_in(plain, live_server.url, "officer", demo.password)
    plain.goto(url)
    plain.get_by_label("五、存在的主要问题及改进情况").fill("个别答复不够规范。")
    plain.get_by_role("button", name="插入“复议、诉讼结果被纠正”").click()
    expect(plain.get_by_text("已插入数字并保存。")).to_be_visible()
    expect(plain.get_by_label("五、存在的主要问题及改进情况")).to_have_value(
        "个别答复不够规范。\n本年政府信息公开行政复议、行政诉讼结果被纠正0件。"
    )
    expect(plain.get_by_label("一、总体情况")).to_contain_text("全年工作平稳。")
    context.close()


def test_section_three_entered_for_a_year_before_the_platform(page: Page, live_server, demo, shot):
    sign_in(page, live_server.url, "officer", demo.password)
    page.goto(live_server.url + "/reports/SLS-SWJ/2019/")
    page.get_by_role("link", name="人工填报第三部分").click()
    columns = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]

    def fill(row: str, values: list[int]) -> None:
        for column, value in zip(columns, values, strict=True):
            page.get_by_label(f"{row}·{column}", exact=True).fill(str(value))

    fill("一、本年新收政府信息公开申请数量", [5, 2, 0, 0, 1, 0, 8])
    fill("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1])
    fill("（一）予以公开", [4, 1, 0, 0, 1, 0, 6])
    fill("（七）总计", [5, 1, 0, 0, 1, 0, 7])
    fill("四、结转下年度继续办理", [1, 1, 0, 0, 0, 0, 2])
    page.get_by_role("button", name="校验并保存").click()
    # 予以公开 (6) is not all that was closed (7): the template's check names the column.
    expect(page.get_by_text("“自然人”列：（七）总计不等于各项办理结果之和")).to_be_visible()
    fill("（二）部分公开", [1, 0, 0, 0, 0, 0, 1])
    shot(page, "report-three-entry")
    page.get_by_role("button", name="校验并保存").click()
    expect(page.get_by_text("第三部分已填报。")).to_be_visible()
    expect(page.get_by_text("本部分数据由吴敏根据纸质台账人工填报，非系统计算。")).to_be_visible()
    row = page.locator("table.section-three tr").filter(has_text="一、本年新收")
    expect(row.locator("td").last).to_have_text("8")
    shot(page, "report-three-entered")
    # A year the platform holds requests of is computed: no entry offered.
    page.goto(live_server.url + "/reports/SLS-SWJ/2025/")
    expect(page.get_by_role("link", name="人工填报第三部分")).to_have_count(0)
