"""The reply letter's pages: its sections flow from one page to the next, a heading stays with
its first lines, and the signature and date stay with the last lines of the text."""

import io
from datetime import date

from pypdf import PdfReader

from sunshine.foi.letters import reply_letter

from .test_staff_page import _in_review

REMEDIES = "三、救济途径"


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_remedies_start_on_the_first_page_when_their_first_lines_fit(demo):
    # The demo's 予以公开 with one file: 三、救济途径 and its first two lines fit on page 1, all
    # of it with the attachment note, signature and date does not.
    pages = _pages(reply_letter(_in_review(demo), date(2026, 3, 6)).pdf)
    assert len(pages) == 2
    assert "二、法律依据" in pages[0]
    assert REMEDIES in pages[0] and f"{REMEDIES}如对本答复不服" in pages[0]
    assert "提起行政诉讼。" in pages[1] and "2026年3月6日" in pages[1]
