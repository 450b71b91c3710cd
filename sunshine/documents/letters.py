"""Official letters (告知书, 答复书, 通知书) as .docx and PDF from one description.

A letter is data (`Letter`); `render_letter` lays it out twice, as GB/T 9704 公文 do:
red issuer line, 小标宋 title, 仿宋 body in 3号 (16 pt), 黑体 headings, right-aligned signature
and date. The PDF comes from an HTML template rendered by a standalone template engine (this
package is not a Django app, so it needs no INSTALLED_APPS entry) and WeasyPrint;
the .docx is built with python-docx and names the East-Asian font on every run, without which
Word falls back to a Latin font.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.template import Context, Engine
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
ENGINE = Engine(dirs=[str(HERE / "templates")], autoescape=True)

# The GB/T 9704 fonts, then what Debian's fonts-noto-cjk provides.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
CHINESE_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Block:
    text: str
    heading: bool = False

    @property
    def paragraphs(self) -> list[str]:
        """A line break typed in the text starts a new paragraph, indented like the others: kept
        inside one justified paragraph it would stretch its line into a wide gap."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


FOOTER_SEPARATOR = "\u3000"  # the ideographic space between the items of a footer
# A footer line (14 pt, 156 mm) holds 31 Chinese characters: items up to this length are kept
# whole, with room to spare for the wider Latin letters some of them hold.
FOOTER_ITEM_KEPT = 24


@dataclass
class Letter:
    issuer: str
    title: str
    blocks: list[Block]
    signer: str
    date: date
    number: str = ""
    recipient: str = ""
    attachments: list[str] = field(default_factory=list)
    footer: str = ""

    @property
    def footer_items(self) -> list[tuple[str, bool]]:
        """The footer's items ("联系电话：138****0001"), each with whether it is kept on one line,
        so that a number never wraps away from its label. An item too long for a line (a long
        organisation's name) is left to wrap: kept whole it would run off the page."""
        return [
            (item, len(item) <= FOOTER_ITEM_KEPT)
            for item in self.footer.split(FOOTER_SEPARATOR)
            if item.strip()
        ]

    @property
    def date_text(self) -> str:
        """Dates on 公文 are written in Arabic numerals since GB/T 9704-2012: 2026年2月24日."""
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


@dataclass(frozen=True)
class RenderedLetter:
    docx: bytes
    pdf: bytes


def render_html(letter: Letter, template_name: str = "documents/letter.html") -> str:
    css = (HERE / "letter.css").read_text(encoding="utf-8")
    return ENGINE.get_template(template_name).render(Context({"letter": letter, "css": css}))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango costs a moment at start-up

    return HTML(string=html, base_url=str(HERE)).write_pdf()


def _run(paragraph, text: str, *, font: str, size: float, bold: bool = False, red: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    if red:
        run.font.color.rgb = RGBColor(0xCC, 0, 0)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    return run


def _paragraph(document, *, align=None, indent: bool = False, before: float = 0):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28.9)
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def render_docx(letter: Letter) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _run(_paragraph(document, align=center), letter.issuer, font=TITLE_FONT, size=26, red=True)
    _run(_paragraph(document, align=center, before=14), letter.title, font=TITLE_FONT, size=22)
    if letter.number:
        _run(_paragraph(document, align=center), letter.number, font=BODY_FONT, size=16)
    if letter.recipient:
        _run(_paragraph(document, before=14), f"{letter.recipient}：", font=BODY_FONT, size=16)
    body = []
    for block in letter.blocks:
        font = HEADING_FONT if block.heading else BODY_FONT
        for text in [block.text] if block.heading else block.paragraphs:
            body.append(_paragraph(document, indent=True))
            _run(body[-1], text, font=font, size=16)
            # A heading never ends a page: it keeps with its text, as in the PDF.
            body[-1].paragraph_format.keep_with_next = block.heading or None
    last_text = len(body) - 1
    for i, name in enumerate(letter.attachments, 1):
        prefix = "附件：" if i == 1 else "　　　"
        body.append(_paragraph(document, indent=True, before=14 if i == 1 else 0))
        _run(body[-1], f"{prefix}{i}. {name}", font=BODY_FONT, size=16)
    signature = _paragraph(document, align=right, before=36)
    _run(signature, letter.signer, font=BODY_FONT, size=16)
    dated = _paragraph(document, align=right)
    _run(dated, letter.date_text, font=BODY_FONT, size=16)
    # The signature and date never stand alone on a page: they keep with the last paragraph
    # (and the attachments between), as GB/T 9704 asks.
    first_kept = last_text if last_text >= 0 else len(body)
    for paragraph in [*body[first_kept:], signature, *([dated] if letter.footer else [])]:
        paragraph.paragraph_format.keep_with_next = True
    if letter.footer:
        _run(_paragraph(document, before=28), letter.footer, font=KAI_FONT, size=14)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_letter(letter: Letter, template_name: str = "documents/letter.html") -> RenderedLetter:
    """The letter as .docx and PDF bytes; `template_name` picks another layout for the PDF."""
    return RenderedLetter(
        docx=render_docx(letter), pdf=render_pdf(render_html(letter, template_name))
    )
