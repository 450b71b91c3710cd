"""The tokeniser both search backends share.

Neither SQLite's unicode61 nor PostgreSQL's 'simple' configuration splits Chinese, so text is
tokenised here: every run of CJK characters gives its overlapping two-character tokens (as Lucene's
CJK analyser does), and Latin letters and digits are kept as whole lower-case words. A run of CJK
characters is also framed by its first and last character, so a query that crosses from digits
into Chinese (〔2020〕109号) still lines up with the document's tokens. Searched as a phrase, the
bigrams of a query find exactly the documents that contain it as a substring (stack.md §2).
"""

import re
import unicodedata
from dataclasses import dataclass

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_SEGMENT = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")
_CJK_RUN = re.compile(rf"[{CJK}]+")
MAX_QUERY_LENGTH = 100


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case: what both index and query see."""
    # The quick check costs far less than normalising text that is already normal (most is).
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _cjk_tokens(run: str, *, open_start: bool, open_end: bool) -> list[str]:
    if len(run) == 1:
        return [] if open_start and open_end else [run]
    tokens = [] if open_start else [run[0]]
    tokens += [run[i : i + 2] for i in range(len(run) - 1)]
    if not open_end:
        tokens.append(run[-1])
    return tokens


def index_tokens(text: str) -> str:
    """The token string stored in the index (space separated)."""
    tokens: list[str] = []
    for match in _SEGMENT.finditer(normalise(text)):
        segment = match.group()
        if _CJK_RUN.fullmatch(segment):
            tokens += _cjk_tokens(segment, open_start=False, open_end=False)
        else:
            tokens.append(segment)
    return " ".join(tokens)


@dataclass(frozen=True)
class Term:
    """One word of the query: its text, and its tokens to be found as one phrase."""

    text: str
    tokens: tuple[str, ...]

    @property
    def needs_scan(self) -> bool:
        """A lone Chinese character has no bigram: it is looked for by substring instead."""
        return not self.tokens


def parse_query(query: str) -> list[Term]:
    """The query's words (split at spaces); each word must occur, as a phrase."""
    terms = []
    for word in normalise(query)[:MAX_QUERY_LENGTH].split():
        segments = _SEGMENT.findall(word)
        if not segments:
            continue
        tokens: list[str] = []
        for i, segment in enumerate(segments):
            if _CJK_RUN.fullmatch(segment):
                # The query's first segment may start inside a document's run, its last may end
                # inside one; inner edges are run edges in the document too.
                tokens += _cjk_tokens(segment, open_start=i == 0, open_end=i == len(segments) - 1)
            else:
                tokens.append(segment)
        terms.append(Term(word, tuple(tokens)))
    return terms
