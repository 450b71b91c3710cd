"""Searching: the query's words are phrases of tokens; results are public items, ranked, with the
passage that matched highlighted.

The matches are walked newest first and every walk stops early, so a broad query costs what a
selective one does: the RANKED_CANDIDATES newest matches are ranked here (BM25 over their texts,
title first) and the rest follow newest first; the count is exact up to COUNT_CAP and "more
than" beyond it. The set itself is always every item containing every word.
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import jieba
from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from sunshine.core.rows import aware

from .backends import MAIN_SOURCE, Found, backend
from .models import SearchDocument
from .tokens import Term, parse_query

jieba.setLogLevel(60)

SNIPPET_CHARS = 120
# The view pages through 50 pages of 20: past that, refining the query serves better.
COUNT_CAP = 1000
RANKED_CANDIDATES = 100
# BM25 over the candidates; a word in the title counts as much as a body full of it, thrice.
K1, B, TITLE_WEIGHT = 1.2, 0.75, 3.0
SENTENCE_ENDS = "。！？；\n"
WORD_WINDOW = 6  # characters either side of a passage edge that jieba looks at


@dataclass(frozen=True)
class Filters:
    organisation_id: int | None = None
    category_id: int | None = None
    theme_id: int | None = None
    year: int | None = None
    kind: str = ""


@dataclass
class Hit:
    object_id: int
    title: str
    url: str
    published_at: datetime
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    title_html: SafeString = field(default_factory=lambda: mark_safe(""))


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]
    # False: more than `total` items match; the first `total` of them can be paged through.
    exact: bool = True


class _Part(NamedTuple):
    object_id: int
    title: str
    text: str
    url: str
    published_at: datetime


def search(
    query: str,
    *,
    filters: Filters | None = None,
    source: str = MAIN_SOURCE,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Public items containing every word of `query` (each as a substring), best first."""
    terms = parse_query(query)
    if not terms:
        return Results(query, 0, [])
    facets = {k: v for k, v in vars(filters or Filters()).items() if v}
    store = backend()

    def newest(limit: int, **more) -> list[Found]:
        with connection.cursor() as cursor:
            return store.newest(cursor, terms, source=source, facets=facets, limit=limit, **more)

    rows = newest(RANKED_CANDIDATES + 1, count_to=COUNT_CAP)
    found = _items(rows[:RANKED_CANDIDATES])
    total, exact = len(found), len(rows) <= RANKED_CANDIDATES
    if not exact:
        with connection.cursor() as cursor:
            counted, items = store.count(cursor, terms, source=source, facets=facets, cap=COUNT_CAP)
        total, exact = min(items, COUNT_CAP), counted <= COUNT_CAP
    parts = _parts(source, found)
    ids = _rank(found, parts, terms)[offset : offset + limit]
    if len(ids) < limit and len(rows) > RANKED_CANDIDATES:
        # Past the ranked ones: the rest, newest first.
        more = newest(
            limit - len(ids),
            before=rows[RANKED_CANDIDATES - 1][0] if RANKED_CANDIDATES else None,
            offset=max(0, offset - len(found)),
        )
        ids += [i for i in _items(more) if i not in parts]
    parts.update(_parts(source, [i for i in ids if i not in parts]))
    return Results(query, total, _hits(ids, parts, terms), exact)


def _items(rows: Sequence[Found]) -> list[int]:
    """Item ids in order, once each (on PostgreSQL two parts of an item may both match)."""
    return list(dict.fromkeys(object_id for _doc_id, object_id in rows))


def _parts(source: str, ids: Sequence[int]) -> dict[int, list[_Part]]:
    """The candidates' texts, for ranking (a hundred of them on every search: one plain
    statement, without the ORM's compiling and converting, which cost more than the query)."""
    parts: dict[int, list[_Part]] = {}
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT object_id, title, text, url, published_at"  # noqa: S608
                f" FROM {SearchDocument._meta.db_table}"
                f" WHERE source = %s AND object_id IN ({', '.join(['%s'] * len(ids))})"
                " ORDER BY object_id, part",
                [source, *ids],
            )
            for object_id, title, text, url, published_at in cursor.fetchall():
                part = _Part(object_id, title, text, url, aware(published_at))
                parts.setdefault(object_id, []).append(part)
    return parts


def _rank(ids: list[int], parts: dict[int, list[_Part]], terms: list[Term]) -> list[int]:
    """BM25 of each word (weighted by its length, longer words being rarer) among the
    candidates, a word in the title counting TITLE_WEIGHT; the newer first among equals.
    """
    texts = {
        i: (_lowered("".join(p.text for p in parts[i])), _lowered(parts[i][0].title)) for i in ids
    }
    average = sum(len(body) for body, _title in texts.values()) / max(1, len(texts)) or 1
    needles = [t.text for t in terms]

    def score(item: int) -> float:
        body, title = texts[item]
        norm = K1 * (1 - B + B * len(body) / average)
        total = 0.0
        for needle in needles:
            tf = body.count(needle)
            total += len(needle) * (TITLE_WEIGHT * (needle in title) + tf * (K1 + 1) / (tf + norm))
        return total

    position = {item: n for n, item in enumerate(ids)}
    return sorted(ids, key=lambda item: (-score(item), position[item]))


def _hits(ids: list[int], parts: dict[int, list[_Part]], terms: list[Term]) -> list[Hit]:
    hits = []
    for object_id in ids:
        docs = parts[object_id]
        first = docs[0]
        text = next((d.text for d in docs if _find(_lowered(d.text), terms)[0] >= 0), first.text)
        hits.append(
            Hit(
                object_id,
                first.title,
                first.url,
                first.published_at,
                snippet=highlight(text, terms, width=SNIPPET_CHARS),
                title_html=highlight(first.title, terms, width=len(first.title)),
            )
        )
    return hits


def _needles(terms: list[Term]) -> list[str]:
    needles = []
    for term in terms:
        needles.append(term.text)
        needles += [s for s in re.findall(r"\w+", term.text) if s != term.text]
    return sorted({n for n in needles if n}, key=len, reverse=True)


# Full-width letters and digits to ASCII, one character for one: offsets stay where they were.
_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_NARROW = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９"} | {
    code: code - 0xFEE0 for start in (0xFF21, 0xFF41) for code in range(start, start + 26)
}


def _lowered(text: str) -> str:
    """What the needles are looked for in. Not `normalise`: NFKC is slow on Chinese text (it
    rewrites the full-width punctuation), and only letters and digits matter to the needles.
    """
    lowered = (text.translate(_NARROW) if _WIDE.search(text) else text).lower()
    return lowered if len(lowered) == len(text) else text.lower()


def _find(lowered: str, terms: list[Term]) -> tuple[int, int]:
    for needle in _needles(terms):
        at = lowered.find(needle)
        if at >= 0:
            return at, len(needle)
    return -1, 0


def _word_start(text: str, at: int) -> int:
    """Where the word jieba finds at `at` begins, so that a passage does not start inside a
    word. Only a few characters around are segmented, to stay cheap.
    """
    base = max(0, at - WORD_WINDOW)
    window = text[base : at + WORD_WINDOW]
    starts = [base + start for _word, start, _end in jieba.tokenize(window, HMM=False)]
    return max((s for s in starts if s <= at), default=at)


def _passage(text: str, at: int, length: int, width: int) -> tuple[int, int]:
    """Where the passage around a match (at `at`, `length` long) starts and ends: at the
    sentence the match is in when that begins shortly before, else at a whole word.
    """
    if len(text) <= width:
        return 0, len(text)
    if at < 0:
        return 0, width
    start = max(0, at - width // 3)
    sentence = max(text.rfind(mark, start, at) for mark in SENTENCE_ENDS)
    if sentence >= 0:
        start = sentence + 1
    elif start > 0:
        start = _word_start(text, start)
    return start, min(max(start + width, at + length), len(text))


def highlight(text: str, terms: list[Term], *, width: int) -> SafeString:
    """An escaped passage of `text` around the first match, every match in it marked."""
    lowered = _lowered(text)
    at, length = _find(lowered, terms)
    start, end = _passage(text, at, length, width)
    passage = text[start:end]
    lowered = lowered[start:end] if len(lowered) == len(text) else passage.lower()
    marks: list[tuple[int, int]] = []
    for needle in _needles(terms):
        for found in re.finditer(re.escape(needle), lowered):
            span = found.span()
            if not any(a < span[1] and span[0] < b for a, b in marks):
                marks.append(span)
    out, cursor = [], 0
    for a, b in sorted(marks):
        out += [html.escape(passage[cursor:a]), "<mark>", html.escape(passage[a:b]), "</mark>"]
        cursor = b
    out.append(html.escape(passage[cursor:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 -- every piece escaped above
