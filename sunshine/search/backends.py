"""The two token stores behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same token strings (`tokens.index_tokens`) and answer the same phrase queries,
so the two databases return the same result sets. Both answer one question, `newest`: the
matching items, most recently indexed first, at most `limit` of them. Walking the index in
document order and stopping at the limit is what keeps broad queries as cheap as selective ones:
nothing counts or ranks every match (queries.py ranks the newest few and bounds the count).
"""

import math
from collections.abc import Sequence

from django.db import connection

from .tokens import Term, index_tokens

MAIN_SOURCE = "publication"
# A row of `newest`: (document id, item id), in document order.
Found = tuple[int, int]
# PostgreSQL: documents walked newest first before the plan is chosen (PostgresBackend).
PROBE = 200


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
    ) -> list[Found]:
        """(document id, item id) of the matching items, newest first, `offset` and `limit`
        applied; `before` continues the walk after a document.
        """
        if self.walks and any(not t.needs_scan for t in terms):
            return self._walk(cursor, terms, source, facets, offset + limit, before)[offset:]
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
    """

    walks = True

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
    ) -> list[Found]:
        where, params = _conditions(terms, facets, source)
        match = " AND ".join(["d.tokens @@ to_tsquery('simple', %s)", *where])
        params = [self._query(terms), *params]
        found: list[Found] = []
        walked, window = 0, PROBE
        while len(found) < need:
            below = "" if before is None else "WHERE id < %s"
            bound = [] if before is None else [before]
            # The window: the next documents of the whole table by id, whatever they hold, so
            # that the share that matched and the documents left are counted alike. Its bounds
            # come first: a document published meanwhile does not shift it.
            cursor.execute(
                "SELECT count(*), min(id) FROM (SELECT id FROM search_searchdocument"  # noqa: S608
                f" {below} ORDER BY id DESC LIMIT %s) w",
                [*bound, window],
            )
            seen, low = cursor.fetchone()
            if not seen:
                break
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
                cursor.execute(
                    "SELECT d.id, d.object_id FROM search_searchdocument d"  # noqa: S608
                    f" WHERE {match} AND d.id < %s ORDER BY d.id DESC LIMIT %s",
                    [*params, before, missing],
                )
                found += cursor.fetchall()
                break
            # No more than are left: a longer LIMIT would have PostgreSQL sort the table.
            window = min(math.ceil(2 * missing / rate), before)
        return found[:need]

    def count(
        self, cursor, terms: Sequence[Term], *, source: str, facets: dict[str, object], cap: int
    ) -> tuple[int, int]:
        if all(t.needs_scan for t in terms):
            return super().count(cursor, terms, source=source, facets=facets, cap=cap)
        # In no order: the bitmap scan of the GIN index stops after cap + 1 matches.
        where, params = _conditions(terms, facets, source)
        cursor.execute(
            "SELECT count(*), count(DISTINCT object_id) FROM (SELECT d.object_id"  # noqa: S608
            " FROM search_searchdocument d WHERE d.tokens @@ to_tsquery('simple', %s)"
            f" AND {' AND '.join(where)} LIMIT %s) found",
            [self._query(terms), *params, cap + 1],
        )
        return cursor.fetchone()


def backend() -> SQLiteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
