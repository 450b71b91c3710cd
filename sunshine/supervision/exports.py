"""A 通报 as .docx (official style, through sunshine.documents) and as .xlsx; the page shows
the same rows (`score_rows`)."""

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sunshine.documents import Block, Letter, render_docx

from . import performance
from .models import Bulletin


def headings() -> list[str]:
    return [_("名次"), _("单位"), _("指标得分"), _("扣分"), _("加分"), _("总分"), _("等次")]


def score_rows(bulletin: Bulletin) -> list[dict[str, Any]]:
    """The ranking as every format shows it: a unit without data in the period reads 无数据 and
    不参评 instead of a score, with no rank. (Bulletins frozen before `assessed` existed count
    every unit as assessed.)"""
    rows = []
    for row in bulletin.data["scores"]:
        if row.get("assessed", True):
            rows.append({**row, "assessed": True})
        else:
            dash = "—"
            rows.append(
                {
                    **row,
                    "rank": dash,
                    "base": dash,
                    "deduction": dash,
                    "bonus": dash,
                    "total": _("无数据"),
                    "grade": str(performance.NOT_RATED),
                }
            )
    return rows


def bulletin_docx(bulletin: Bulletin) -> bytes:
    data = bulletin.data
    rows = score_rows(bulletin)
    blocks = [Block(_("一、考评结果"), heading=True)]
    blocks += [
        Block(
            _(
                "第%(rank)s名　%(unit)s　%(total)s分（%(grade)s）：指标得分%(base)s，"
                "扣%(deduction)s分，加%(bonus)s分。"
            )
            % row
        )
        for row in rows
        if row["assessed"]
    ]
    quiet = [row["unit"] for row in rows if not row["assessed"]]
    if quiet:
        blocks.append(
            Block(
                _("本期无考评数据、不参评的单位（%(n)s 个）：%(units)s。")
                % {"n": len(quiet), "units": "、".join(quiet)}
            )
        )
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
    for row in score_rows(bulletin):
        figures = [row[key] for key in ("base", "deduction", "bonus", "total")]
        if row["assessed"]:
            figures = [float(v) for v in figures]
        sheet.append([row["rank"], row["unit"], *figures, row["grade"]])
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
