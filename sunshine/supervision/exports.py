"""A 通报 as .docx (official style, through sunshine.documents) and as .xlsx."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sunshine.documents import Block, Letter, render_docx

from .models import Bulletin

COLUMNS = ("rank", "unit", "base", "deduction", "bonus", "total", "grade")


def headings() -> list[str]:
    return [_("名次"), _("单位"), _("指标得分"), _("扣分"), _("加分"), _("总分"), _("等次")]


def bulletin_docx(bulletin: Bulletin) -> bytes:
    data = bulletin.data
    blocks = [Block(_("一、考评结果"), heading=True)]
    blocks += [
        Block(
            _(
                "第%(rank)s名　%(unit)s　%(total)s分（%(grade)s）：指标得分%(base)s，"
                "扣%(deduction)s分，加%(bonus)s分。"
            )
            % row
        )
        for row in data["scores"]
    ]
    blocks.append(Block(_("二、红榜与黑榜"), heading=True))
    blocks.append(Block(_("红榜：") + ("、".join(data["red_list"]) or _("无"))))
    blocks.append(Block(_("黑榜：") + ("、".join(data["black_list"]) or _("无"))))
    blocks.append(Block(_("三、超期事项"), heading=True))
    blocks += [Block(f"{item['department']}：{item['title']}") for item in data["overdue"]] or [
        Block(_("本期无超期事项。"))
    ]
    blocks.append(Block(_("四、扣分说明"), heading=True))
    for row in data["scores"]:
        blocks += [Block(f"{row['unit']}：{line}") for line in row["lines"] if "扣" in line]
    issued = timezone.localtime(bulletin.approved_at or bulletin.generated_at).date()
    letter = Letter(
        issuer=_("电子监察通报"),
        title=bulletin.title,
        blocks=blocks,
        signer=_("监察室"),
        date=issued,
    )
    return render_docx(letter)


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("考评结果")
    sheet.append([bulletin.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headings())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in bulletin.data["scores"]:
        sheet.append(
            [
                row["rank"],
                row["unit"],
                float(row["base"]),
                float(row["deduction"]),
                float(row["bonus"]),
                float(row["total"]),
                row["grade"],
            ]
        )
    sheet.column_dimensions["B"].width = 28
    details = book.create_sheet(_("扣分说明"))
    details.append([_("单位"), _("说明")])
    for row in bulletin.data["scores"]:
        for line in row["lines"]:
            details.append([row["unit"], line])
    details.column_dimensions["A"].width = 28
    details.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
