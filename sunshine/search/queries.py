"""Searching: the query's words are phrases of tokens; results are public items, ranked, with the
passage that matched highlighted.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from .backends import MAIN_SOURCE, backend
from .models import SearchDocument
from .tokens import Term, normalise, parse_query

SNIPPET_CHARS = 120


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


def _conditions(terms: list[Term], filters: Filters, source: str) -> tuple[list[str], list]:
    where, params = ["d.source = %s"], [source]
    for name in ("organisation_id", "category_id", "theme_id", "year", "kind"):
        value = getattr(filters, name)
        if value:
            where.append(f"d.{name} = %s")
            params.append(value)
    for term in terms:
        if term.needs_scan:
            # A lone character: substring search, over rows the other words already narrowed.
            where.append("(d.title LIKE %s OR d.text LIKE %s)")
            params += [f"%{term.text}%"] * 2
    return where, params


def search(
    query: str,
    *,
    filters: Filters | None = None,
    source: str = "publication",
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Ranked public items containing every word of `query` (each as a substring).

    Unfiltered searches of the publications take the backend's shortcut when it has one; the
    result set is the same either way, broad ones are ordered differently (see the backend).
    """
    terms = parse_query(query)
    if not terms:
        return Results(query, 0, [])
    filters = filters or Filters()
    store = backend()
    if source == MAIN_SOURCE and filters == Filters() and not any(t.needs_scan for t in terms):
        with connection.cursor() as cursor:
            page = store.main_source_page(cursor, terms, limit, offset)
        if page is not None:
            total, doc_ids = page
            objects = dict(
                SearchDocument.objects.filter(pk__in=doc_ids).values_list("pk", "object_id")
            )
            return Results(query, total, _hits([objects[pk] for pk in doc_ids], terms, source))
    where, params = _conditions(terms, filters, source)
    if all(t.needs_scan for t in terms):
        tables, match_params, score, score_params = "search_searchdocument d", [], "0", []
    else:
        tables, match, match_params = store.match(terms)
        where.insert(0, match)
        score, score_params = store.score(terms)
    condition = " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT d.object_id) FROM {tables} WHERE {condition}",  # noqa: S608
            match_params + params,
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            # Materialised, so that SQLite computes bm25 before grouping the parts.
            "WITH matches AS MATERIALIZED"  # noqa: S608
            f" (SELECT d.object_id, {score} AS score, d.published_at AS at"
            f" FROM {tables} WHERE {condition})"
            " SELECT object_id, MIN(score) AS best, MAX(at) AS latest FROM matches"
            " GROUP BY object_id ORDER BY best, latest DESC, object_id DESC LIMIT %s OFFSET %s",
            score_params + match_params + params + [limit, offset],
        )
        ranked = [row[0] for row in cursor.fetchall()]
    return Results(query, total, _hits(ranked, terms, source))


def _hits(ids: list[int], terms: list[Term], source: str) -> list[Hit]:
    parts: dict[int, list[SearchDocument]] = {}
    for doc in SearchDocument.objects.filter(source=source, object_id__in=ids).order_by("part"):
        parts.setdefault(doc.object_id, []).append(doc)
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


def _lowered(text: str) -> str:
    """What the needles are looked for in: normalised, unless that would move the offsets."""
    normalised = normalise(text)
    return normalised if len(normalised) == len(text) else text.lower()


def _find(lowered: str, terms: list[Term]) -> tuple[int, int]:
    for needle in _needles(terms):
        at = lowered.find(needle)
        if at >= 0:
            return at, len(needle)
    return -1, 0


def highlight(text: str, terms: list[Term], *, width: int) -> SafeString:
    """An escaped passage of `text` around the first match, every match in it marked."""
    lowered = _lowered(text)
    at, _length = _find(lowered, terms)
    start = max(0, at - width // 3) if at >= 0 else 0
    passage = text[start : start + width]
    lowered = lowered[start : start + width] if len(lowered) == len(text) else passage.lower()
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
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 -- every piece escaped above
