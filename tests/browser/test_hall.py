"""网上办事大厅 end to end: an enterprise finds a licence in the catalogue and applies with its
materials (the guide offers the application form blank and filled in), the window asks for
补正, the case goes through 初审 → 审查 → 并联会审 → 审议 → 决定 (where the decision is made, the
fee charged recorded and the grant published to the portal) → 送达 (which completes it), the
enterprise downloads its notices and rates the service, and the 差评 opens a follow-up that an
officer closes."""

import pytest
from playwright.sync_api import Page, expect

from .session import sign_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ITEM = "生猪定点屠宰厂（场）设置审查"


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def open_case(page: Page, live_server, username: str, password: str, number: str) -> None:
    """An officer finds the case among their tasks in the workbench."""
    sign_in(page, live_server.url, username, password)
    page.get_by_role("link", name="审批办件").click()
    page.locator("table.tasks").get_by_role("link", name=number).click()


def sign(page: Page, task: str, opinion: str) -> None:
    card = page.locator(f'section[data-task="{task}"]')
    card.get_by_label("处理意见").fill(opinion)
    card.get_by_role("button", name="签署").click()
    expect(page.get_by_text("已签署意见。")).to_be_visible()


def download(page: Page, link: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def test_licence_from_application_to_follow_up(page: Page, live_server, demo, shot):
    pw = demo.password
    sign_in(page, live_server.url, "13800000002", pw)
    page.get_by_role("link", name="办事大厅").first.click()
    # Browsed by life event and found by search.
    page.get_by_role("navigation", name="按人生事件").get_by_role("link", name="项目建设").click()
    expect(page.locator("ul.items")).to_contain_text("成品油零售经营资格初审")
    expect(page.locator("ul.items")).not_to_contain_text("单用途商业预付卡发卡企业备案")
    page.get_by_role("navigation", name="按主题").get_by_role("link", name="食品安全").click()
    expect(page.locator("ul.items li")).to_have_count(1)
    page.get_by_label("搜索事项").fill("屠宰")
    page.get_by_role("button", name="查询").click()
    shot(page, "hall-catalogue")
    page.get_by_role("link", name=ITEM).click()
    expect(page.locator("ol.flow")).to_be_visible()
    expect(page.locator("dd.fees")).to_contain_text("每件不超过 50.00 元")
    expect(page.locator("ol.flow")).to_contain_text("廉政风险点")
    assert download(page, "下载申请书空白表格").startswith(b"PK")
    assert download(page, "下载申请书示例样表").startswith(b"PK")
    shot(page, "hall-guide")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_label("申请内容").fill("示例市滨江生猪定点屠宰场新建")
    page.get_by_label("经营（项目）地址").fill("示例市滨江路 88 号")
    page.get_by_label("申请书").set_input_files(files=[pdf("申请书.pdf")])
    page.get_by_label("营业执照").set_input_files(files=[pdf("营业执照.pdf")])
    page.get_by_role("button", name="提交申请").click()
    # A missing required material: what was given is kept in a draft, whose form names the
    # files attached and asks, beside its field, for the one missing.
    expect(page.get_by_text("已上传的材料均已保存在草稿中")).to_be_visible()
    expect(page.locator(".errorlist")).to_have_count(1)
    expect(page.locator(".errorlist")).to_contain_text("这个字段是必填项")
    expect(page.locator(".attached")).to_have_count(2)
    expect(page.get_by_role("link", name="营业执照.pdf")).to_be_visible()
    expect(page.get_by_label("经营（项目）地址")).to_have_value("示例市滨江路 88 号")
    page.get_by_label("动物防疫条件合格证").set_input_files(files=[pdf("防疫合格证.pdf")])
    shot(page, "hall-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("dd.state")).to_have_text("待受理")
    number = page.locator("dd.number").inner_text()
    expect(page.get_by_text(f"申请已提交，办件编号 {number}。")).to_be_visible()
    shot(page, "hall-submitted")

    # The window lists everything to correct at once, its own note among it.
    open_case(page, live_server, "window", pw, number)
    page.get_by_label("营业执照的预审意见").fill("复印件不清晰")
    page.locator("tr", has_text="营业执照").get_by_label("需补正").check()
    page.get_by_label("需补正的内容（每行一项）").fill("防疫合格证须加盖农业农村部门公章")
    shot(page, "hall-intake")
    page.get_by_role("button", name="一次性告知补正").click()
    expect(page.locator("dd.state")).to_have_text("待补正")
    expect(page.get_by_role("button", name="一次性告知补正")).to_have_count(0)

    sign_in(page, live_server.url, "13800000002", pw)
    page.goto(live_server.url + "/hall/my/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("dd", has_text="防疫合格证须加盖农业农村部门公章")).to_contain_text(
        "营业执照：复印件不清晰"
    )
    shot(page, "hall-correction-asked")
    form = page.locator("form", has=page.get_by_role("button", name="提交补正"))
    form.get_by_label("营业执照").set_input_files(files=[pdf("营业执照（清晰）.pdf")])
    form.get_by_label("动物防疫条件合格证").set_input_files(files=[pdf("防疫合格证（盖章）.pdf")])
    form.get_by_label("补正说明").fill("已重新扫描营业执照，防疫合格证已盖章。")
    page.get_by_role("button", name="提交补正").click()
    expect(page.get_by_text("补正材料已提交。")).to_be_visible()
    expect(page.locator("dd.state")).to_have_text("待受理")

    open_case(page, live_server, "window", pw, number)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("dd.state")).to_have_text("审查中")
    expect(page.locator("ol.explain").first).to_be_visible()
    shot(page, "hall-accepted")

    for username, task, opinion in [
        ("handler", "first", "材料齐全，现场核查符合要求。"),
        ("deputy", "review", "同意提交会审。"),
        ("reviewer", "joint-swj", "商务局意见：符合规划。"),
    ]:
        open_case(page, live_server, username, pw, number)
        sign(page, task, opinion)
    # One branch signed: the joint review waits for the other department.
    expect(page.locator("li[data-step=joint]")).to_have_count(1)
    expect(page.locator("li[data-step=joint]")).to_contain_text("市场监督管理局")
    shot(page, "hall-joint-waiting")
    for username, task, opinion in [
        ("market", "joint-scjg", "市场监管局意见：同意。"),
        ("director", "meeting", "局长办公会议审议通过。"),
    ]:
        open_case(page, live_server, username, pw, number)
        sign(page, task, opinion)
    # 制作决定书 makes the decision: its signer records the fee charged, checked before anything
    # is decided.
    open_case(page, live_server, "handler", pw, number)
    card = page.locator('section[data-task="decide"]')
    expect(card.locator("p.hint").first).to_contain_text("每件不超过 50.00 元")
    card.get_by_label("处理意见").fill("决定书已制作。")
    card.get_by_label("实收费用（元）").fill("-50")
    card.get_by_role("button", name="签署").click()
    expect(page.get_by_text("实收费用（元）：")).to_be_visible()
    expect(page.locator("dd.state")).to_have_text("审查中")
    # Above the standard: the officer is warned and asked to confirm before it is recorded.
    card.get_by_label("实收费用（元）").fill("80")
    card.get_by_role("button", name="签署").click()
    expect(page.get_by_text("上限合计 50.00 元")).to_be_visible()
    expect(card.get_by_label("确认按实际收取的金额登记")).to_be_visible()
    expect(page.locator("dd.state")).to_have_text("审查中")
    card.get_by_label("实收费用（元）").fill("50")
    card.get_by_label("处理意见").fill("决定书已制作，收取证书工本费。")
    card.get_by_role("button", name="签署").click()
    expect(page.get_by_text("已签署意见。")).to_be_visible()
    expect(page.locator("dd.state")).to_have_text("决定已作出，待送达 · 准予许可")
    expect(page.locator("dd.fee")).to_have_text("50.00 元")
    shot(page, "hall-decided")
    # 送达 completes the case; the fee was recorded with the decision.
    open_case(page, live_server, "window", pw, number)
    card = page.locator('section[data-task="deliver"]')
    expect(card.get_by_label("实收费用（元）")).to_have_count(0)
    sign(page, "deliver", "已送达申请人。")
    expect(page.locator("dd.state")).to_have_text("已办结 · 准予许可")
    expect(page.locator("table.history")).to_contain_text("市场监管局意见：同意。")
    shot(page, "hall-completed-staff")

    sign_in(page, live_server.url, "13800000002", pw)
    page.goto(live_server.url + "/hall/my/")
    page.get_by_role("link", name=number).click()
    shot(page, "hall-completed")
    assert download(page, "下载受理通知书 PDF").startswith(b"%PDF-")
    assert download(page, "下载准予行政许可决定书 Word").startswith(b"PK")
    assert download(page, "下载准予行政许可决定书 PDF").startswith(b"%PDF-")
    # The grant is public on the portal (条例 Art. 20(5)), without the applicant's contact details.
    expect(page.locator("dd.published")).to_contain_text("索引号")
    page.get_by_role("link", name="查看公开的许可决定").click()
    expect(page.locator("main")).to_contain_text("示例市阳光商贸有限公司")
    expect(page.locator("main")).to_contain_text("准予许可")
    expect(page.locator("main")).not_to_contain_text("滨江路 88 号")
    shot(page, "hall-decision-published")
    page.go_back()
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("文字评价").fill("送达环节等待时间较长。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价。")).to_be_visible()
    expect(page.locator("p.follow-up")).to_contain_text("整改中")

    sign_in(page, live_server.url, "supervisor", pw)
    page.get_by_role("link", name="审批办件").click()
    page.locator("section.follow-ups").get_by_role("link").first.click()
    shot(page, "hall-follow-up")
    page.get_by_label("回访核实情况").fill("已电话回访，送达因快递延误。")
    page.get_by_label("处置方式").select_option(index=1)
    page.get_by_label("反馈申请人").fill("已调整送达方式，今后当场送达。")
    page.get_by_role("button", name="办结整改").click()
    expect(page.get_by_text("差评整改已办结")).to_be_visible()

    sign_in(page, live_server.url, "13800000002", pw)
    page.goto(live_server.url + "/hall/my/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("p.follow-up")).to_contain_text("今后当场送达")
    shot(page, "hall-follow-up-closed")
