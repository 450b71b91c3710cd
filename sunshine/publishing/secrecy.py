"""The automatic 保密 pre-check (条例 Art. 17: information is reviewed before it is published).

It lists what looks sensitive, classified markings from the editable term list and personal data
(resident ID numbers with a valid check digit, mobile numbers, bank card numbers passing Luhn,
street addresses), so the 保密审查 reviewer sees it highlighted in place. It never blocks: the
reviewer decides, and the decision is recorded.
"""

import html
import re
from dataclasses import asdict, dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from sunshine.accounts.validators import id_number_check_char

KINDS = {
    "marking": _("密级标志"),
    "id_number": _("身份证号码"),
    "mobile": _("手机号码"),
    "bank_card": _("银行卡号"),
    "address": _("详细地址"),
}
_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{2,12}(?:路|街|大道|巷|弄|胡同)\d{1,5}号"
    r"(?:[\d\-]{1,6}(?:号楼|栋|幢|单元|室|层))*"
    r"|[\u4e00-\u9fff]{2,12}(?:小区|花园|新村|公寓)\d{1,4}(?:号楼|栋|幢)(?:\d{1,4}(?:单元|室))*"
)
CONTEXT = 30


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _valid_id(value: str) -> bool:
    value = value.upper()
    month, day = int(value[10:12]), int(value[12:14])
    return 1 <= month <= 12 and 1 <= day <= 31 and id_number_check_char(value[:17]) == value[17]


def precheck(text: str, terms: list[str]) -> list[Finding]:
    """Everything that looks sensitive in `text`, in order, without overlaps."""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if not any(f.start < end and start < f.end for f in found):
            found.append(Finding(kind, start, end, text[start:end]))

    for m in _ID.finditer(text):
        if _valid_id(m.group()):
            add("id_number", *m.span())
    for m in _MOBILE.finditer(text):
        add("mobile", *m.span())
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 16 <= len(digits) <= 19 and luhn_valid(digits):
            add("bank_card", *m.span())
    for m in _ADDRESS.finditer(text):
        add("address", *m.span())
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        for m in re.finditer(re.escape(term), text):
            add("marking", *m.span())
    return sorted(found, key=lambda f: f.start)


def as_records(source: str, findings: list[Finding]) -> list[dict]:
    return [{"source": source, **asdict(f)} for f in findings]


def highlight(text: str, findings: list[dict], *, excerpts: bool = False) -> SafeString:
    """`text` escaped with every finding marked; with `excerpts`, only the passages around them."""
    pieces, cursor = [], 0
    for f in sorted(findings, key=lambda f: f["start"]):
        start, end = f["start"], f["end"]
        if start < cursor:
            continue
        before = text[cursor:start]
        if excerpts and len(before) > 2 * CONTEXT:
            head = before[:CONTEXT] if cursor else ""
            before = f"{head} … {before[-CONTEXT:]}"
        label = html.escape(str(KINDS.get(f["kind"], f["kind"])))
        pieces += [
            html.escape(before),
            f'<mark class="finding finding-{f["kind"]}" title="{label}">',
            html.escape(text[start:end]),
            f'<span class="finding-label">（{label}）</span></mark>',
        ]
        cursor = end
    rest = text[cursor:]
    if excerpts and len(rest) > CONTEXT:
        rest = rest[:CONTEXT] + " …"
    pieces.append(html.escape(rest))
    return mark_safe("".join(pieces))  # noqa: S308 -- every piece escaped above
