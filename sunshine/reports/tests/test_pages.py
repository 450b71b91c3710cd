import io

import openpyxl
from docx import Document

from sunshine.reports import actions


def test_report_pages_exports_and_publication(year_of_requests, client):
    users = year_of_requests.users
    url = "/reports/SLS-SWJ/2025/"
    assert client.get(url).status_code == 404  # no draft for visitors
    client.force_login(users["market"])
    assert client.get(url).status_code == 404  # another bureau's staff
    client.force_login(users["officer"])
    response = client.post(url, {"overview": "全年收到申请<script>", "licences": "12"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "（七）总计" in page and "结转下年度继续办理" in page
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "report.xlsx").content))
    sheet = book.worksheets[0]
    assert sheet.cell(3, 8).value == "总计" and sheet.max_row == 3 + 25
    text = "\n".join(
        p.text for p in Document(io.BytesIO(client.get(url + "report.docx").content)).paragraphs
    )
    assert "三、收到和处理政府信息公开申请情况" in text
    report = actions.finalise_report(
        users["deputy"],
        actions.save_report(
            users["officer"],
            year_of_requests.departments["SLS-SWJ"],
            2025,
            texts={"overview": "总体情况"},
            section_two={},
        ),
    )
    client.logout()
    assert client.get(url).status_code == 200
    assert "示例市商务局2025年政府信息公开工作年度报告" in client.get("/reports/").content.decode()
    assert report.state == "final"
