"""Section 三 typed in for a year before the platform: who may, the template's checks, refusal
where the platform holds requests, the audit record, and the mark in the report."""

import io
from datetime import date

import openpyxl
import pytest
from docx import Document

from sunshine.audit.models import AuditEvent
from sunshine.core.testing import race
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied
from sunshine.reports import actions
from sunshine.reports.forms import SectionThreeForm, cell
from sunshine.reports.models import AnnualReport
from sunshine.reports.queries import compute, tables_of
from sunshine.reports.tables import CARRIED_IN, CARRIED_OUT, NEW, TOTAL_ROW, Table

from .test_section_three import req

URL = "/reports/SLS-SWJ/2019/"


def paper_table() -> Table:
    """A balanced 2019 table: in each column c, c + 3 new and 1 carried in; c + 2 disclosed,
    1 partly disclosed and 1 carried out."""
    table = {row: [0] * 7 for row in range(1, 26)}
    for c in range(6):
        table[NEW][c], table[CARRIED_IN][c] = c + 3, 1
        table[3][c], table[4][c], table[CARRIED_OUT][c] = c + 2, 1, 1
        table[TOTAL_ROW][c] = c + 3
    for values in table.values():
        values[6] = sum(values[:6])
    return table


def form_data(table: Table) -> dict[str, str]:
    return {cell(row, c): str(v) for row, values in table.items() for c, v in enumerate(values)}


def test_who_may_enter(demo):
    swj, users = demo.departments["SLS-SWJ"], demo.users
    for name in ("handler", "window", "admin", "market", "supervisor", "13800000001"):
        with pytest.raises(PermissionDenied):
            actions.enter_section_three(users[name], swj, 2019, paper_table())
    with pytest.raises(PermissionDenied):  # another bureau's figures
        actions.enter_section_three(users["officer"], demo.departments["SLS-SCJG"], 2019, None)
    for name in ("officer", "deputy", "director", "mayor"):
        actions.enter_section_three(users[name], swj, 2019, paper_table())
    assert AuditEvent.objects.filter(verb="reports.enter_three").count() == 4


def test_the_template_checks_and_bad_input_are_refused(demo):
    officer, swj = demo.users["officer"], demo.departments["SLS-SWJ"]
    broken = paper_table()
    broken[NEW][2] += 1
    broken[NEW][6] += 1
    with pytest.raises(ActionError, match="“科研机构”列：一 \\+ 二 ≠ 三（七）总计 \\+ 四"):
        actions.enter_section_three(officer, swj, 2019, broken)
    total = paper_table()
    total[3][6] += 1
    with pytest.raises(ActionError, match="第3行“予以公开”：总计不等于各类申请人之和"):
        actions.enter_section_three(officer, swj, 2019, total)
    negative = paper_table()
    negative[3][0], negative[4][0] = -1, 3  # balances, but a count cannot be negative
    with pytest.raises(ActionError, match="负数"):
        actions.enter_section_three(officer, swj, 2019, negative)
    short = paper_table()
    del short[25]
    hostile = paper_table()
    hostile[3][0] = "3; DROP TABLE"  # type: ignore[call-overload]
    flags = paper_table()
    flags[3][0] = True  # type: ignore[call-overload]
    for table in (short, hostile, flags, {**paper_table(), 26: [0] * 7}):
        with pytest.raises(ActionError, match="25行×7列"):
            actions.enter_section_three(officer, swj, 2019, table)
    with pytest.raises(ActionError, match="年度"):
        actions.enter_section_three(officer, swj, 2100, paper_table())
    assert not AnnualReport.objects.filter(entered_three__has_key="1").exists()
    assert not AuditEvent.objects.filter(verb="reports.enter_three").exists()


def test_refused_where_the_platform_holds_requests(demo):
    """Demo requests exist for 2025 (received and closed), and one received in 2024 and still
    open at 2025's start would count as carried in: both years are computed."""
    officer, swj = demo.users["officer"], demo.departments["SLS-SWJ"]
    with pytest.raises(ActionError, match="平台已有2025年度"):
        actions.enter_section_three(officer, swj, 2025, paper_table())
    req(swj, "natural", date(2023, 12, 30)).save()  # received 2023, open: carried into 2024
    with pytest.raises(ActionError, match="平台已有2024年度"):
        actions.enter_section_three(officer, swj, 2024, paper_table())
    # The government above holds them too; a township without requests does not.
    with pytest.raises(ActionError, match="平台已有"):
        actions.enter_section_three(
            demo.users["mayor"], demo.departments["SLS"], 2024, paper_table()
        )
    actions.enter_section_three(
        demo.users["mayor"], demo.departments["SLS-QSZ"], 2024, paper_table()
    )


def test_entered_table_is_marked_audited_exported_and_frozen(demo, client):
    officer, swj = demo.users["officer"], demo.departments["SLS-SWJ"]
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "人工填报第三部分" in page
    form = client.get(URL + "three/").content.decode()
    assert 'aria-label="一、本年新收政府信息公开申请数量·自然人"' in form
    data = form_data(paper_table())
    data[cell(NEW, 0)] = "-5"
    response = client.post(URL + "three/", data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    data[cell(NEW, 0)] = "4"  # the checks catch a mistyped figure
    assert "“自然人”列" in client.post(URL + "three/", data).content.decode()
    response = client.post(URL + "three/", form_data(paper_table()))
    assert response.status_code == 302
    report = AnnualReport.objects.get(organisation=swj, year=2019)
    assert report.three_entered_by == officer
    event = AuditEvent.objects.get(verb="reports.enter_three")
    assert event.after["entered_three"]["1"] == paper_table()[NEW]
    assert event.before["entered_three"] == {}
    page = client.get(URL).content.decode()
    assert "本部分数据由吴敏根据纸质台账人工填报，非系统计算" in page
    assert "<td>33</td>" in page  # 新收 总计: 3 + 4 + … + 8
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get(URL + "report.xlsx").content))
    assert xlsx.worksheets[0].cell(4, 8).value == 33
    assert "人工填报" in xlsx.worksheets[0].cell(3 + 25 + 1, 1).value
    docx = Document(io.BytesIO(client.get(URL + "report.docx").content))
    assert any("人工填报" in p.text for p in docx.paragraphs)
    # The entry form shows what was entered.
    again = SectionThreeForm(initial=SectionThreeForm.initial_from(report.entered_three))
    assert again[cell(NEW, 5)].value() == 8
    client.post(URL, {"overview": "2019年总体情况"})
    report = actions.finalise_report(demo.users["deputy"], AnnualReport.objects.get(pk=report.pk))
    assert report.tables["entered"] is True
    assert tables_of(report)["three"] == paper_table()
    with pytest.raises(ActionError, match="已定稿"):
        actions.enter_section_three(officer, swj, 2019, None)
    client.logout()
    assert "人工填报" in client.get(URL).content.decode()  # the public sees the mark too
    # The next year's carried-in must equal the published carry-out (1 in each column).
    nxt = actions.save_report(officer, swj, 2020, texts={"overview": "2020"}, section_two={})
    with pytest.raises(ActionError, match="上年结转"):
        actions.finalise_report(demo.users["deputy"], nxt)


def test_requests_registered_later_win_over_the_entry(demo, client):
    officer, swj = demo.users["officer"], demo.departments["SLS-SWJ"]
    actions.enter_section_three(officer, swj, 2019, paper_table())
    actions.save_report(officer, swj, 2019, texts={"overview": "总体情况"}, section_two={})
    req(swj, "natural", date(2019, 5, 6), date(2019, 5, 20), "disclose").save()
    report = AnnualReport.objects.get(year=2019)
    tables = tables_of(report)
    assert tables["entered"] is False and tables["three"] == compute(swj, 2019)["three"]
    client.force_login(officer)
    assert "请撤销人工填报的第三部分" in client.get(URL).content.decode()
    with pytest.raises(ActionError, match="请撤销人工填报"):
        actions.finalise_report(demo.users["deputy"], report)
    assert client.post(URL + "three/", {"withdraw": "1"}).status_code == 302
    assert AnnualReport.objects.get(pk=report.pk).entered_three == {}
    assert AuditEvent.objects.filter(verb="reports.withdraw_three").count() == 1
    assert actions.finalise_report(demo.users["deputy"], report).state == "final"


def test_entry_page_is_hidden_from_others(demo, client):
    for name in ("handler", "market", "admin"):
        client.force_login(demo.users[name])
        assert client.get(URL + "three/").status_code == 404
        assert client.post(URL + "three/", form_data(paper_table())).status_code == 404
    assert not AnnualReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_have_one_effect(demo):
    officer, swj = demo.users["officer"], demo.departments["SLS-SWJ"]
    actions.enter_section_three(officer, swj, 2019, paper_table())
    outcomes = race(*[lambda: actions.enter_section_three(officer, swj, 2019, None)] * 2)
    assert outcomes == ["ok", "第三部分没有人工填报的数据，请刷新页面。"]
    assert AuditEvent.objects.filter(verb="reports.withdraw_three").count() == 1
    # Two first entries at once: one report, both entries recorded (the later one stands).
    enter = lambda: actions.enter_section_three(officer, swj, 2018, paper_table())  # noqa: E731
    assert race(enter, enter) == ["ok", "ok"]
    assert AnnualReport.objects.filter(organisation=swj, year=2018).count() == 1
    assert AuditEvent.objects.filter(verb="reports.enter_three").count() == 3
