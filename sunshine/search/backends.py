"""The two token stores behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same token strings (`tokens.index_tokens`) and answer the same phrase queries,
so the two databases return the same result sets.
"""

from collections.abc import Sequence

from django.db import connection

from .tokens import Term, index_tokens

MAIN_SOURCE = "publication"
# bm25 reads every candidate's phrase statistics: broad queries rank their newest matches only.
RANKED_CANDIDATES = 500


class SQLiteBackend:
    """FTS5 holds one row per item, its whole text (FTS5 has no limit on positions), under the
    rowid of the item's first part; items of other sources than the public publications are
    stored under the negated rowid. So the main source's matches are the positive rowids, and
    they are counted and paged without joining the documents table.
    """

    @staticmethod
    def _rowid(source: str, doc_id: int) -> int:
        return doc_id if source == MAIN_SOURCE else -doc_id

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

    def match(self, terms: Sequence[Term]) -> tuple[str, str, list]:
        """(FROM/JOIN clause, WHERE condition, params); the rank column is `score`."""
        return (
            # CROSS JOIN keeps the FTS table outermost: one MATCH, not one per candidate row.
            "search_fts CROSS JOIN search_searchdocument d ON d.id = abs(search_fts.rowid)",
            "search_fts MATCH %s",
            [self._expression(terms)],
        )

    def main_source_page(
        self, cursor, terms: Sequence[Term], limit: int, offset: int
    ) -> tuple[int, list[int]]:
        """(number of matching items, document ids of one page) for the public publications
        without filters: the RANKED_CANDIDATES most recently indexed matches (indexing follows
        publication) ranked by bm25, then the others, most recent first. The set is the phrase
        query's, as with the joined query; only the order of broad results differs.
        """
        expression = self._expression(terms)
        match = "FROM search_fts WHERE search_fts MATCH %s AND rowid"
        # One pass finds the newest candidates with their scores; a selective query ends here.
        cursor.execute(
            f"SELECT rowid, bm25(search_fts, 10.0, 1.0) {match} > 0"  # noqa: S608
            " ORDER BY rowid DESC LIMIT %s",
            [expression, RANKED_CANDIDATES + 1],
        )
        candidates = cursor.fetchall()
        total = len(candidates)
        if total > RANKED_CANDIDATES:
            candidates = candidates[:RANKED_CANDIDATES]
            cursor.execute(f"SELECT count(*) {match} > 0", [expression])  # noqa: S608
            total = cursor.fetchone()[0]
        ranked = sorted(candidates, key=lambda row: (row[1], -row[0]))
        ids = [rowid for rowid, _score in ranked[offset : offset + limit]]
        if len(ids) < limit and total > RANKED_CANDIDATES:
            cursor.execute(
                f"SELECT rowid {match} > 0 AND rowid < %s"  # noqa: S608
                " ORDER BY rowid DESC LIMIT %s OFFSET %s",
                [
                    expression,
                    candidates[-1][0],
                    limit - len(ids),
                    max(0, offset - RANKED_CANDIDATES),
                ],
            )
            ids += [row[0] for row in cursor.fetchall()]
        return total, ids

    def score(self, terms: Sequence[Term]) -> tuple[str, list]:
        """Lower is better: bm25 with the title weighing ten times the body."""
        return "bm25(search_fts, 10.0, 1.0)", []


class PostgresBackend:
    """A tsvector per part: PostgreSQL keeps at most 16,383 positions in one."""

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

    def match(self, terms: Sequence[Term]) -> tuple[str, str, list]:
        # A phrase must lie within the title (A) or within the body (B), never across both.
        query = " & ".join(
            f"(({self._phrase(t.tokens, 'A')}) | ({self._phrase(t.tokens, 'B')}))"
            for t in terms
            if not t.needs_scan
        )
        return (
            "search_searchdocument d",
            "d.tokens @@ to_tsquery('simple', %s)",
            [query],
        )

    def score(self, terms: Sequence[Term]) -> tuple[str, list]:
        """Lower is better, as with bm25."""
        return "-ts_rank(d.tokens, to_tsquery('simple', %s))", self.match(terms)[2]

    def main_source_page(
        self, cursor, terms: Sequence[Term], limit: int, offset: int
    ) -> tuple[int, list[int]] | None:
        """No shortcut: every part has its own row, so matches are grouped by item."""
        return None


def backend() -> SQLiteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
