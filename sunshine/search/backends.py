"""The two token stores behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same token strings (`tokens.index_tokens`) and answer the same phrase queries,
so the two databases return the same result sets.
"""

from collections.abc import Sequence

from django.db import connection

from .tokens import Term


class SQLiteBackend:
    def write(self, cursor, doc_id: int, title_tokens: str, body_tokens: str) -> None:
        # A row left by a flushed test database may hold this rowid: replace it.
        cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [doc_id])
        cursor.execute(
            "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [doc_id, title_tokens, body_tokens],
        )

    def delete(self, cursor, doc_ids: Sequence[int]) -> None:
        for doc_id in doc_ids:
            cursor.execute("DELETE FROM search_fts WHERE rowid = %s", [doc_id])

    def match(self, terms: Sequence[Term]) -> tuple[str, str, list]:
        """(FROM/JOIN clause, WHERE condition, params); the rank column is `score`."""
        expression = " AND ".join(
            '{title body} : "' + " ".join(t.tokens) + '"' for t in terms if not t.needs_scan
        )
        return (
            # CROSS JOIN keeps the FTS table outermost: one MATCH, not one per candidate row.
            "search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid",
            "search_fts MATCH %s",
            [expression],
        )

    def score(self, terms: Sequence[Term]) -> tuple[str, list]:
        """Lower is better: bm25 with the title weighing ten times the body."""
        return "bm25(search_fts, 10.0, 1.0)", []


class PostgresBackend:
    def write(self, cursor, doc_id: int, title_tokens: str, body_tokens: str) -> None:
        cursor.execute(
            "UPDATE search_searchdocument SET tokens = "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')"
            " WHERE id = %s",
            [title_tokens, body_tokens, doc_id],
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


def backend() -> SQLiteBackend | PostgresBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
