"""Reading appeal text: jieba tokens, similarity for repeat detection, a naive Bayes department
classifier, out-of-remit hints, and masking of personal data for publication."""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg

from sunshine.accounts.validators import id_number_check_char

jieba.setLogLevel(60)

_STOP = frozenset(
    "的 了 是 在 我 我们 你 您 他 她 它 和 与 及 或 也 都 就 还 又 被 把 对 向 从 给 请 问 有 没有 "
    "一个 这个 那个 这 那 吗 呢 啊 吧 要 能 会 可以 什么 怎么 如何 为什么 已经 因为 所以 但是 如果 "
    "希望 相关 部门 问题 情况 反映 领导 市长 书记 局长 你好 您好 谢谢".split()
)


@lru_cache(maxsize=4096)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(jieba.lcut(text))


def tokens(text: str) -> list[str]:
    """Content words: jieba tokens without punctuation, digits and stop words."""
    return [
        t
        for t in _cut(text)
        if len(t) > 1 and not t.isdigit() and t not in _STOP and re.search(r"\w", t)
    ]


def similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Cosine similarity of two token bags (0–1)."""
    ca, cb = Counter(a), Counter(b)
    if not ca or not cb:
        return 0.0
    dot = sum(ca[t] * cb[t] for t in ca.keys() & cb.keys())
    return dot / math.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))


@dataclass
class NaiveBayes:
    """Multinomial naive Bayes over token counts with Laplace smoothing."""

    priors: dict[int, float]
    counts: dict[int, Counter]
    totals: dict[int, int]
    vocabulary: int

    @classmethod
    def train(cls, samples: Iterable[tuple[list[str], int]]) -> "NaiveBayes":
        docs: Counter = Counter()
        counts: dict[int, Counter] = {}
        for words, label in samples:
            docs[label] += 1
            counts.setdefault(label, Counter()).update(words)
        n = sum(docs.values()) or 1
        vocabulary = len({w for c in counts.values() for w in c}) or 1
        return cls(
            priors={label: math.log(k / n) for label, k in docs.items()},
            counts=counts,
            totals={label: sum(c.values()) for label, c in counts.items()},
            vocabulary=vocabulary,
        )

    def rank(self, words: list[str]) -> list[tuple[int, float]]:
        """Labels with their posterior probability, most likely first."""
        if not self.priors:
            return []
        scores = {}
        for label, prior in self.priors.items():
            denominator = math.log(self.totals[label] + self.vocabulary)
            counts = self.counts[label]
            scores[label] = prior + sum(math.log(counts[w] + 1) - denominator for w in words)
        top = max(scores.values())
        weights = {label: math.exp(s - top) for label, s in scores.items()}
        total = sum(weights.values())
        return sorted(((lb, w / total) for lb, w in weights.items()), key=lambda x: -x[1])


# --- out of the platform's remit (国办发〔2020〕53号; research §1.3 不予受理) ------------

REFUSALS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # code: (label, route told to the citizen, words that suggest it)
    "police": (
        "110 报警",
        "涉及违法犯罪或治安警情，请立即拨打110报警。",
        ("报警", "抢劫", "打架", "盗窃"),
    ),
    "fire": ("119 火警", "发生火灾或需要抢险救援，请立即拨打119。", ("着火", "火灾", "失火")),
    "medical": ("120 急救", "需要医疗急救，请立即拨打120。", ("急救", "昏迷", "晕倒")),
    "traffic": ("122 交通事故", "发生交通事故，请拨打122报警。", ("车祸", "交通事故", "撞车")),
    "court": (
        "法院、检察院职责",
        "属于人民法院、人民检察院职责范围的事项，请向相应法院、检察院反映。",
        ("法院", "判决", "检察院", "执行款"),
    ),
    "litigation": (
        "已进入诉讼",
        "该事项已进入诉讼程序，请依法通过诉讼途径解决。",
        ("起诉", "诉讼", "开庭"),
    ),
    "arbitration": (
        "已进入仲裁",
        "该事项已进入仲裁程序，请通过仲裁机构解决。",
        ("仲裁",),
    ),
    "review": (
        "行政复议",
        "该事项属于行政复议范围或已申请复议，请向行政复议机关申请或等待复议结果。",
        ("复议",),
    ),
    "petition": (
        "信访",
        "该事项已进入信访程序，请向信访工作机构了解办理进度。",
        ("信访",),
    ),
}


def refusal_hints(text: str) -> list[str]:
    """Codes of REFUSALS whose words occur in the text: a hint to the operator, never automatic."""
    return [code for code, (_l, _r, words) in REFUSALS.items() if any(w in text for w in words)]


# --- masking personal data (research §1.6: mask in letter and reply, keep the original) --------

MASK = "＊"
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{7,8})(?!\d)")
_LONG_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{12,19})(?![\dA-Za-z])")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fa5]{1,6}(?:路|街|大道|巷|弄|胡同|村|小区|花园|公寓|大厦)"
    r"[\d一二三四五六七八九十]*(?:号|弄|栋|幢|座|单元|楼|层|室|户|组|-|\d)+"
)
_NAMED = re.compile(
    r"(?:我叫|本人|姓名|联系人|经办人)[:：]?"
    r"([\u4e00-\u9fa5]{2}(?:(?![反映说在是的了和向到给等于要想请您你我他已因电手])[\u4e00-\u9fa5])?)"
)
# The commonest surnames: a person-name token (jieba's "nr") counts only if it starts with one.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤欧司"
)


def _valid_id(value: str) -> bool:
    value = value.upper()
    return len(value) == 18 and id_number_check_char(value[:17]) == value[17]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_number(match: re.Match) -> str:
    value = match.group(0)
    if _valid_id(value):
        return value[:4] + MASK * 10 + value[-4:]
    if value.isdigit() and 13 <= len(value) <= 19 and _luhn(value):
        return MASK * (len(value) - 4) + value[-4:]
    return value


def mask_name(name: str) -> str:
    """张三 → 张某, 欧阳小明 → 欧阳某某: the surname stays, as published letters do."""
    if len(name) <= 1:
        return "某"
    surname = name[:2] if len(name) == 4 else name[0]
    return surname + "某" * (1 if len(name) == 2 else 2)


def mask_text(text: str, *, names: Iterable[str] = (), places: Iterable[str] = ()) -> str:
    """The text with names, phone numbers, ID numbers, bank cards and addresses masked.

    `names` and `places` are what the appeal itself records (the writer's name, the place) and
    what the editor adds; they are masked wherever they occur, longest first.
    """
    text = _NAMED.sub(lambda m: m.group(0)[: -len(m.group(1))] + mask_name(m.group(1)), text)
    found = {
        w.word
        for w in jieba.posseg.cut(text)
        if w.flag == "nr" and 2 <= len(w.word) <= 4 and w.word[0] in _SURNAMES
    }
    known = sorted({n.strip() for n in [*names, *found] if n and n.strip()}, key=len, reverse=True)
    for name in known:
        text = text.replace(name, mask_name(name) if len(name) <= 4 else MASK * len(name))
    for place in sorted({p.strip() for p in places if p and p.strip()}, key=len, reverse=True):
        text = text.replace(place, MASK * 4)
    text = _LONG_NUMBER.sub(_mask_number, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}{MASK * 4}{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-{MASK * 4}{m.group(2)[-2:]}", text)
    text = _ADDRESS.sub(lambda m: MASK * 4, text)
    return text
