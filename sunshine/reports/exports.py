"""The report as .xlsx and .docx, laid out like the published ones (sections 一 to 六)."""

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sunshine.documents.letters import BODY_FONT, HEADING_FONT, TITLE_FONT

from .models import AnnualReport
from .queries import section_two_rows
from .tables import COLUMN_LABELS, REMEDY_GROUPS, REMEDY_RESULTS, row_labels


def title_of(report: AnnualReport) -> str:
    return _("{organisation}{year}年政府信息公开工作年度报告").format(
        organisation=report.organisation.name, year=report.year
    )


def three_rows(tables: dict[str, Any]) -> list[list[Any]]:
    return [[label, *tables["three"][row]] for row, label in row_labels()]


def entered_note(report: AnnualReport) -> str:
    """The mark on a section 三 typed in by staff rather than computed from the requests."""
    return _("注：本部分数据由{name}根据纸质台账人工填报，非系统计算。").format(
        name=report.three_entered_by.display_name if report.three_entered_by else ""
    )


def four_header() -> list[str]:
    """The 15 cells: 复议, 直接起诉, 复议后起诉, each 维持 · 纠正 · 其他 · 尚未审结 · 总计."""
    results = [str(result.label) for result in REMEDY_RESULTS] + [_("总计")]
    return [f"{kind.label}·{result}" for kind in REMEDY_GROUPS for result in results]


def xlsx(report: AnnualReport, tables: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("三、依申请公开")
    sheet.append([title_of(report)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("三、收到和处理政府信息公开申请情况")])
    sheet.append([_("申请人情况"), *[str(label) for label in COLUMN_LABELS]])
    for values in three_rows(tables):
        sheet.append(values)
    if tables["entered"]:
        sheet.append([entered_note(report)])
    sheet.column_dimensions["A"].width = 60
    for cells in sheet.iter_rows(min_row=3):
        cells[0].alignment = Alignment(wrap_text=True)
    two = book.create_sheet(_("二、主动公开"))
    two.append([_("信息内容"), _("数量"), _("来源")])
    for label, value, source in section_two_rows(report, tables):
        two.append([str(label), value, source])
    two.column_dimensions["A"].width = 40
    four = book.create_sheet(_("四、复议诉讼"))
    four.append(four_header())
    four.append([v for group in tables["four"] for v in group])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name, run.font.size, run.font.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def docx(report: AnnualReport, tables: dict[str, Any]) -> bytes:
    document = Document()
    _font(document.add_paragraph().add_run(title_of(report)), TITLE_FONT, 22)

    def heading(text: str) -> None:
        _font(document.add_paragraph().add_run(text), HEADING_FONT, 16)

    def body(text: str) -> None:
        for line in filter(None, (text or "").splitlines()):
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            _font(paragraph.add_run(line.strip()), BODY_FONT, 16)

    def table(rows: list[list[Any]]) -> None:
        grid = document.add_table(rows=len(rows), cols=len(rows[0]))
        grid.style = "Table Grid"
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = grid.cell(r, c)
                cell.text = str(value)
                for run in cell.paragraphs[0].runs:
                    _font(run, BODY_FONT, 9)

    heading(_("一、总体情况"))
    body(report.overview)
    heading(_("二、主动公开政府信息情况"))
    table([[str(label), str(value)] for label, value, _source in section_two_rows(report, tables)])
    heading(_("三、收到和处理政府信息公开申请情况"))
    table([[_("申请人情况"), *[str(label) for label in COLUMN_LABELS]], *three_rows(tables)])
    if tables["entered"]:
        body(entered_note(report))
    heading(_("四、政府信息公开行政复议、行政诉讼情况"))
    table([four_header(), [v for group in tables["four"] for v in group]])
    heading(_("五、存在的主要问题及改进情况"))
    body(report.problems)
    heading(_("六、其他需要报告的事项"))
    body(report.other)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
