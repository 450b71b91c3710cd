"""Typed line breaks are paragraphs, in PDF and Word; a footer's number stays with its label."""

import io
import re

import docx
import pypdf

from sunshine.documents import Block, render_html, render_letter

from .test_letters import make_letter

TYPED = "经审查，予以公开，详见附件。\r\n如对本答复有疑问，可来电咨询。\n\n"


def test_a_typed_line_break_starts_an_indented_paragraph():
    letter = make_letter(blocks=[Block("一、答复意见", heading=True), Block(TYPED)])
    body = re.findall(r'<p class="body">(.*?)</p>', render_html(letter))
    assert body == ["经审查，予以公开，详见附件。", "如对本答复有疑问，可来电咨询。"]
    document = docx.Document(io.BytesIO(render_letter(letter).docx))
    paragraphs = {p.text: p for p in document.paragraphs}
    for text in body:
        assert paragraphs[text].paragraph_format.first_line_indent is not None
    # The signature still keeps with the last paragraph of the text.
    assert paragraphs["如对本答复有疑问，可来电咨询。"].paragraph_format.keep_with_next


def test_the_phone_number_stays_on_the_line_of_its_label():
    footer = "申请人：张三　证件号码：1101**********3015　联系电话：138****0001"
    pdf = render_letter(make_letter(footer=footer)).pdf
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    line = next(line for line in text.splitlines() if "联系电话" in line)
    assert "138****0001" in line


def test_a_footer_item_longer_than_a_line_still_wraps():
    name = "示例市" + "某" * 40 + "有限公司"
    html = render_html(make_letter(footer=f"申请人：{name}　联系电话：138****0001"))
    assert '<span class="kept">联系电话：138****0001</span>' in html
    assert f'<span class="kept">申请人：{name}' not in html
