"""Body HTML made safe, and plain text taken from bodies and attachments (for the 保密 pre-check
and for search).
"""

import html
import io
import logging
import re

import jieba.analyse
import nh3

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "span",
    "sub",
    "sup",
    "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# A PDF of a thousand pages is not read in full while a reviewer waits.
MAX_PAGES = 200
MAX_TEXT = 500_000


def sanitise_html(body: str) -> str:
    """Only formatting survives: no scripts, styles, event handlers or foreign frames."""
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def html_to_text(body: str) -> str:
    spaced = re.sub(r"<(br|/p|/li|/h\d|/tr|/blockquote)\b[^>]*>", "\n", body, flags=re.I)
    return html.unescape(nh3.clean(spaced, tags=set())).strip()


KEYWORD_KINDS = ("n", "nr", "ns", "nt", "nz", "vn", "l")


def suggest_keywords(title: str, body: str, count: int = 5) -> list[str]:
    """Keywords for a draft from its words (jieba's TF-IDF, nouns and the like): the title is
    counted twice, since it names what the item is about.
    """
    text = "\n".join([title, title, html_to_text(body)])
    return jieba.analyse.extract_tags(text, topK=count, allowPOS=KEYWORD_KINDS)


def extract_text(data: bytes, kind: str) -> str:
    """The words of a PDF, Word or text attachment; '' for kinds without readable text."""
    try:
        if kind == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
            return "\n".join(pages)[:MAX_TEXT]
        if kind == "docx":
            from docx import Document

            document = Document(io.BytesIO(data))
            return "\n".join(p.text for p in document.paragraphs)[:MAX_TEXT]
        if kind == "txt":
            for encoding in ("utf-8", "gb18030"):
                try:
                    return data.decode(encoding)[:MAX_TEXT]
                except UnicodeDecodeError:
                    continue
    except Exception:  # a damaged file still attaches; it only yields no text
        logger.warning("no text extracted from a %s attachment", kind, exc_info=True)
    return ""
