import io
from datetime import date

import docx
import pypdf
from docx.oxml.ns import qn

from sunshine.documents import Block, Letter, render_html, render_letter


def make_letter(**overrides) -> Letter:
    values = {
        "issuer": "示例市商务局",
        "title": "政府信息公开申请答复书",
        "number": "示商依复〔2026〕1号",
        "recipient": "张三",
        "blocks": [
            Block("一、答复内容", heading=True),
            Block("经审查，予以公开。<script>x</script>"),
        ],
        "signer": "示例市商务局",
        "date": date(2026, 3, 2),
        "attachments": ["统计表.pdf"],
        "footer": "如对本答复不服，可在60日内申请行政复议。",
    }
    values.update(overrides)
    return Letter(**values)


def test_letter_renders_as_docx_and_pdf_with_the_official_fonts():
    rendered = render_letter(make_letter())
    text = pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    assert "政府信息公开申请答复书" in text and "2026年3月2日" in text
    document = docx.Document(io.BytesIO(rendered.docx))
    paragraphs = [p.text for p in document.paragraphs]
    assert "张三：" in paragraphs and "2026年3月2日" in paragraphs
    title = next(p for p in document.paragraphs if p.text == "政府信息公开申请答复书")
    assert title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text.startswith("经审查"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    heading = next(p for p in document.paragraphs if p.text == "一、答复内容")
    assert heading.paragraph_format.keep_with_next  # a heading never ends a page in Word


def test_letter_html_escapes_its_text_and_names_the_fonts_first():
    html = render_html(make_letter())
    assert "<script>x" not in html and "&lt;script&gt;" in html
    title_rule = next(line for line in html.splitlines() if line.startswith("h1 {"))
    assert title_rule.index('"方正小标宋简体"') < title_rule.index('"Noto Serif CJK SC"')
    assert '"仿宋_GB2312"' in html and '"楷体_GB2312"' in html and '"黑体"' in html
