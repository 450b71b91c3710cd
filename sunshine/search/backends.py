"""The two token stores behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same token strings (`tokens.index_tokens`) and answer the same phrase queries,
so the two databases return the same result sets. Both answer one question, `newest`: the
matching items, most recently indexed first, at most `limit` of them. Walking the index in
document order and stopping at the limit is what keeps broad queries as cheap as selective ones:
nothing counts or ranks every match (queries.py ranks the newest few and bounds the count).
"""

import math
import time
from collections.abc import Sequence

from django.db import connection

from .tokens import Term, index_tokens

MAIN_SOURCE = "publication"
# A row of `newest`: (document id, item id), in document order.
Found = tuple[int, int]
# PostgreSQL: documents walked newest first before the plan is chosen (PostgresBackend).
PROBE = 200
# PostgreSQL: tokens of the query the GIN index is asked for (the rarest), and how long the
# token frequencies read from the planner's statistics are trusted.
SIEVE_TOKENS = 2
STATISTICS_SECONDS = 600
# PostgreSQL: from this share of matches among the newest documents on, the count walks them
# (about 3 µs a document) rather than asking the GIN index (a common token's posting list
# alone costs more than walking to the cap at this share).
WALK_SHARE = 0.2


def _conditions(
    terms: Sequence[Term], facets: dict[str, object], source: str
) -> tuple[list[str], list]:
    """What the document row must satisfy besides the phrase match."""
    where, params = ["d.source = %s"], [source]
    for name, value in facets.items():
        where.append(f"d.{name} = %s")
        params.append(value)
    for term in terms:
        if term.needs_scan:
            # A lone character: substring search in any part, over rows the phrases narrowed.
            where.append(
                "EXISTS (SELECT 1 FROM search_searchdocument p WHERE p.source = d.source"
                " AND p.object_id = d.object_id AND (p.title LIKE %s OR p.text LIKE %s))"
            )
            params += [f"%{term.text}%"] * 2
    return where, params


class Backend:
    # Whether phrase queries go through the backend's `_walk` (the first `need` rows of
    # `newest`, by several statements) rather than one statement of `_select`.
    walks = False

    def newest(
        self,
        cursor,
        terms: Sequence[Term],
        *,
        source: str,
        facets: dict[str, object],
        limit: int,
        before: int | None = None,
        offset: int = 0,
        count_to: int = 0,
    ) -> list[Found]:
        """(document id, item id) of the matching items, newest first, `offset` and `limit`
        applied; `before` continues the walk after a document. With `count_to`, a backend
        that meets every match on its way anyhow keeps `count(cap=count_to)`'s answer.
        """
        if self.walks and any(not t.needs_scan for t in terms):
            need = offset + limit
            # A walk that continues after `before` does not see the newer matches: no count.
            cap = 0 if before is not None else count_to
            key = (tuple(terms), source, tuple(sorted(facets.items())), cap)
            return self._walk(cursor, terms, source, facets, need, before, key)[offset:]
        sql, params = self._select(terms, source, facets, before)
        cursor.execute(sql + " LIMIT %s OFFSET %s", [*params, limit, offset])
        return cursor.fetchall()

    def count(
        self, cursor, terms: Sequence[Term], *, source: str, facets: dict[str, object], cap: int
    ) -> tuple[int, int]:
        """(rows, items) among the first `cap` + 1 rows `newest` would give: no more is read."""
        sql, params = self._select(terms, source, facets, None)
        cursor.execute(
            f"SELECT count(*), count(DISTINCT object_id) FROM ({sql} LIMIT %s) found",  # noqa: S608
            [*params, cap + 1],
        )
        return cursor.fetchone()

    def _select(
        self, terms: Sequence[Term], source: str, facets: dict[str, object], before: int | None
    ) -> tuple[str, list]:
        where, params = _conditions(terms, facets, source)
        if any(not t.needs_scan for t in terms):
            return self._matching(terms, source, where, params, before)
        if before is not None:
            where.append("d.id < %s")
            params.append(before)
        sql = (
            "SELECT d.id, d.object_id FROM search_searchdocument d"  # noqa: S608
            f" WHERE d.part = 0 AND {' AND '.join(where)} ORDER BY d.id DESC"
        )
        return sql, params

    def _matching(
        self, terms: Sequence[Term], source: str, where: list[str], params: list, before: int | None
    ) -> tuple[str, list]:
        """The query of the items whose phrases match, besides `where`, newest first."""
        raise NotImplementedError


class SQLiteBackend(Backend):
    """FTS5 holds one row per item, its whole text (FTS5 has no limit on positions), under the
    id of the item's first part, negated for the public publications: FTS5 walks rowids upwards
    about twice as fast as downwards, so their newest matches come first in ascending order.
    """

    @staticmethod
    def _rowid(source: str, doc_id: int) -> int:
        return -doc_id if source == MAIN_SOURCE else doc_id

    def write(
        self, cursor, source: str, doc_ids: Sequence[int], title: str, text: str, parts: list[str]
    ) -> None:
        rowid = self._rowid(source, doc_ids[0])
        # A row left by a flushed test database may hold this rowid: replace it.
        cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [rowid])
        cursor.execute(
            "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [rowid, index_tokens(title), index_tokens(text)],
        )

    def delete(self, cursor, doc_ids: Sequence[int]) -> None:
        for doc_id in doc_ids:
            cursor.execute("DELETE FROM search_fts WHERE rowid IN (%s, %s)", [doc_id, -doc_id])

    @staticmethod
    def _expression(terms: Sequence[Term]) -> str:
        # A phrase lies within one column: FTS5 counts positions per column.
        return " AND ".join('"' + " ".join(t.tokens) + '"' for t in terms if not t.needs_scan)

    def count(
        self, cursor, terms: Sequence[Term], *, source: str, facets: dict[str, object], cap: int
    ) -> tuple[int, int]:
        if source != MAIN_SOURCE or facets or any(t.needs_scan for t in terms):
            return super().count(cursor, terms, source=source, facets=facets, cap=cap)
        # One row per item, the publications' under negative rowids: no document is read.
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            " AND rowid < 0 ORDER BY rowid LIMIT %s)",
            [self._expression(terms), cap + 1],
        )
        rows = cursor.fetchone()[0]
        return rows, rows

    def _matching(
        self, terms: Sequence[Term], source: str, where: list[str], params: list, before: int | None
    ) -> tuple[str, list]:
        sign = -1 if source == MAIN_SOURCE else 1
        # The range is on the rowid itself, so that FTS5 starts the walk there.
        low, high = (-before if before else None, 0) if sign < 0 else (0, before)
        bounds = [("search_fts.rowid > %s", low), ("search_fts.rowid < %s", high)]
        where += [condition for condition, value in bounds if value is not None]
        params += [value for _condition, value in bounds if value is not None]
        # CROSS JOIN keeps the FTS table outermost: one MATCH, walked in rowid order, each
        # row's document found by its key, and the walk stops at the limit.
        sql = (
            "SELECT d.id, d.object_id FROM search_fts CROSS JOIN search_searchdocument d"  # noqa: S608
            f" ON d.id = {sign} * search_fts.rowid WHERE search_fts MATCH %s"
            f" AND {' AND '.join(where)}"
            f" ORDER BY search_fts.rowid {'ASC' if sign < 0 else 'DESC'}"
        )
        return sql, [self._expression(terms), *params]


class PostgresBackend(Backend):
    """A tsvector per part: PostgreSQL keeps at most 16,383 positions in one. An item whose
    parts both match comes twice; queries.py keeps its first row.

    The plan of `newest` is chosen here, not by PostgreSQL: it estimates a phrase as if its
    bigrams were independent (33 rows for one that matches 7,347 of 20,000), so it sorts every
    match of a broad query where walking the newest documents would stop after a few hundred.
    The walk starts on the newest PROBE documents; the share that matched then tells which
    costs less, walking on or checking the older matches the GIN index lists (a bitmap scan).
    The count follows the same share: a broad query walks on to the cap, a narrower one asks
    the index for its two rarest tokens only (`_match`); when the walk turned to the index, it
    met every match anyway, and the count is what it saw.
    """

    walks = True

    def __init__(self) -> None:
        # The share of matches among the documents the last walk went through: the count's
        # way depends on it. The count itself when the walk met every match up to its cap.
        self.share: float | None = None
        self.counted: tuple[tuple, tuple[int, int]] | None = None

    def write(
        self, cursor, source: str, doc_ids: Sequence[int], title: str, text: str, parts: list[str]
    ) -> None:
        for number, (doc_id, part) in enumerate(zip(doc_ids, parts, strict=True)):
            cursor.execute(
                "UPDATE search_searchdocument SET tokens ="
                " setweight(to_tsvector('simple', %s), 'A')"
                " || setweight(to_tsvector('simple', %s), 'B') WHERE id = %s",
                [index_tokens(title) if number == 0 else "", index_tokens(part), doc_id],
            )

    def delete(self, cursor, doc_ids: Sequence[int]) -> None:
        """The tokens go with their row."""

    @staticmethod
    def _phrase(tokens: Sequence[str], weight: str) -> str:
        return " <-> ".join(f"'{token}':{weight}" for token in tokens)

    def _query(self, terms: Sequence[Term]) -> str:
        # A phrase must lie within the title (A) or within the body (B), never across both.
        return " & ".join(
            f"(({self._phrase(t.tokens, 'A')}) | ({self._phrase(t.tokens, 'B')}))"
            for t in terms
            if not t.needs_scan
        )

    def _walk(
        self,
        cursor,
        terms: Sequence[Term],
        source: str,
        facets: dict[str, object],
        need: int,
        before: int | None,
        count_key: tuple,
    ) -> list[Found]:
        where, params = _conditions(terms, facets, source)
        match, match_params = self._match(cursor, terms)
        match = " AND ".join([match, *where])
        params = [*match_params, *params]
        found: list[Found] = []
        walked, window, top = 0, PROBE, before
        while len(found) < need:
            below = "" if before is None else "WHERE id < %s"
            bound = [] if before is None else [before]
            # The window: the next documents of the whole table by id, whatever they hold, so
            # that the share that matched and the documents left are counted alike. Its bounds
            # come first: a document published meanwhile does not shift it.
            cursor.execute(
                "SELECT count(*), min(id), max(id) FROM (SELECT id FROM search_searchdocument"  # noqa: S608
                f" {below} ORDER BY id DESC LIMIT %s) w",
                [*bound, window],
            )
            seen, low, high = cursor.fetchone()
            if not seen:
                break
            top = top or high + 1
            # The LIMIT keeps the phrase outside: PostgreSQL walks the id index.
            cursor.execute(
                "SELECT d.id, d.object_id FROM (SELECT * FROM search_searchdocument"  # noqa: S608
                f" WHERE id >= %s {below.replace('WHERE', 'AND')} ORDER BY id DESC LIMIT %s) d"
                f" WHERE {match} ORDER BY d.id DESC LIMIT %s",
                [low, *bound, window, *params, need - len(found)],
            )
            found += cursor.fetchall()
            if len(found) >= need or seen < window:
                break  # enough, or the oldest document was reached
            walked, before = walked + seen, low
            rate, missing = len(found) / walked, need - len(found)
            # Ids are dense enough: at most `before` documents are older. A bitmap scan checks
            # the matches among them, the walk about missing / rate documents.
            if rate * rate * before <= missing:
                # It checks every candidate to order them: taking up to the count's cap costs
                # no more, and then the count is known (every match before was walked).
                cap = count_key[-1]
                cursor.execute(
                    "SELECT d.id, d.object_id FROM search_searchdocument d"  # noqa: S608
                    f" WHERE {match} AND d.id < %s ORDER BY d.id DESC LIMIT %s",
                    [*params, before, max(missing, cap + 1 - len(found))],
                )
                rows = found + cursor.fetchall()
                if cap:
                    counted = rows[: cap + 1]
                    self.counted = (count_key, (len(counted), len({i for _d, i in counted})))
                found = rows[:need]
                break
            # No more than are left: a longer LIMIT would have PostgreSQL sort the table.
            window = min(math.ceil(2 * missing / rate), before)
        if top:
            # Ids are dense enough: the walk went from `top` down to its last match, or through
            # the whole table when it found fewer than it needed.
            oldest = found[-1][0] if len(found) >= need else 1
            self.share = len(found) / max(1, top - oldest)
        return found[:need]

    def count(
        self, cursor, terms: Sequence[Term], *, source: str, facets: dict[str, object], cap: int
    ) -> tuple[int, int]:
        if all(t.needs_scan for t in terms):
            return super().count(cursor, terms, source=source, facets=facets, cap=cap)
        key = (tuple(terms), source, tuple(sorted(facets.items())), cap)
        if self.counted and self.counted[0] == key:
            return self.counted[1]
        where, params = _conditions(terms, facets, source)
        if self.share is not None and self.share >= WALK_SHARE:
            # Newest first by the id index, every document checked, until cap + 1 matched.
            (match, match_params), order = (
                self._match(cursor, terms, sieve=False),
                " ORDER BY d.id DESC",
            )
        else:
            # In no order: the scan stops after cap + 1 matches.
            (match, match_params), order = self._match(cursor, terms), ""
        cursor.execute(
            "SELECT count(*), count(DISTINCT object_id) FROM (SELECT d.object_id"  # noqa: S608
            f" FROM search_searchdocument d WHERE {match} AND {' AND '.join(where)}"
            f"{order} LIMIT %s) found",
            [*match_params, *params, cap + 1],
        )
        return cursor.fetchone()

    def _match(self, cursor, terms: Sequence[Term], *, sieve: bool = True) -> tuple[str, list]:
        """The phrase condition. The row must hold the phrase with the rarest token; every
        other phrase may lie in any part of the same item (a long text's words can be parts
        apart, and only part 0 holds the title), as a substring search over the item finds it.

        With `sieve`, the GIN index is asked only for that phrase's rarest tokens (its cost
        grows with every posting list it intersects, and a common bigram's lists a third of
        the documents); the phrases themselves are checked through the function behind @@,
        which the planner does not take to the index. Estimating a few tokens, it also
        chooses well between the index and a walk, where a phrase of independent-looking
        bigrams fooled it.
        """
        frequencies = _frequencies(cursor)
        phrases = [t for t in terms if not t.needs_scan]
        lead = min(phrases, key=lambda t: min(frequencies.get(k, 0.0) for k in t.tokens))
        conditions = ["ts_match_vq(d.tokens, to_tsquery('simple', %s))"]
        params = [self._query([lead])]
        if sieve:
            conditions.insert(0, "d.tokens @@ to_tsquery('simple', %s)")
            params.insert(0, _sieve([lead], frequencies))
        for term in phrases:
            if term is not lead:
                conditions.append(
                    "EXISTS (SELECT 1 FROM search_searchdocument p WHERE p.source = d.source"
                    " AND p.object_id = d.object_id"
                    " AND ts_match_vq(p.tokens, to_tsquery('simple', %s)))"
                )
                params.append(self._query([term]))
        return " AND ".join(conditions), params


_statistics: tuple[float, dict[str, float]] = (-math.inf, {})


def _frequencies(cursor) -> dict[str, float]:
    """Share of documents holding each of the commonest tokens, from the planner's statistics
    (ANALYZE, run by autovacuum), re-read every STATISTICS_SECONDS. A token not listed is rarer
    than every listed one."""
    global _statistics
    read_at, frequencies = _statistics
    if time.monotonic() - read_at < STATISTICS_SECONDS:
        return frequencies
    cursor.execute(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
        " WHERE schemaname = current_schema() AND tablename = 'search_searchdocument'"
        " AND attname = 'tokens'"
    )
    row = cursor.fetchone()
    elements, shares = row if row and row[0] else ([], [])
    frequencies = dict(zip(elements, shares, strict=False))  # shares end with min, max, nulls
    _statistics = (time.monotonic(), frequencies)
    return frequencies


def _sieve(terms: Sequence[Term], frequencies: dict[str, float]) -> str:
    """The SIEVE_TOKENS rarest tokens of the phrases, as a tsquery every match satisfies.
    Among equally rare tokens, the one farthest from those already chosen in its phrase:
    neighbouring bigrams share a character, and so mostly their documents."""
    places: dict[str, tuple[int, int]] = {}  # token: (its term, its position there)
    for n, term in enumerate(terms):
        for i, token in enumerate(term.tokens):
            places.setdefault(token, (n, i))
    chosen: list[str] = []

    def apart(token: str) -> int:
        n, i = places[token]
        near = [abs(i - places[c][1]) for c in chosen if places[c][0] == n]
        return min(near, default=len(places))

    while len(chosen) < min(SIEVE_TOKENS, len(places)):
        left = [t for t in places if t not in chosen]
        chosen.append(min(left, key=lambda t: (frequencies.get(t, 0.0), -apart(t), places[t])))
    return " & ".join(f"'{token}'" for token in chosen)


def backend() -> SQLiteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
