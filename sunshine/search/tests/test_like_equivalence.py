"""A phrase of bigrams finds exactly what a substring search finds (stack.md §2)."""

import random
from datetime import UTC, datetime

import pytest

from sunshine.search import backends, queries
from sunshine.search.index import PART_CHARS, index_document, remove_document
from sunshine.search.queries import Filters, search
from sunshine.search.tokens import index_tokens, parse_query

pytestmark = pytest.mark.django_db
ALPHABET = "信息公开政务投诉许可号年月日市局"
AT = datetime(2026, 1, 5, tzinfo=UTC)


def _text(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randint(5, 40)):
        r = rng.random()
        if r < 0.75:
            pieces.append(rng.choice(ALPHABET))
        elif r < 0.9:
            pieces.append(str(rng.randint(0, 2030)))
        else:
            pieces.append(rng.choice(["〔", "〕", " ", "，", "A", "b"]))
    return "".join(pieces)


def test_results_equal_a_substring_search():
    rng = random.Random(7)
    docs = {pk: _text(rng) for pk in range(1, 121)}
    for pk, text in docs.items():
        index_document(
            "test", pk, title="", text=text, url=f"/{pk}", organisation_id=1, published_at=AT
        )
    queries = set()
    for text in list(docs.values())[:60]:
        start = rng.randrange(len(text))
        queries.add(text[start : start + rng.randint(1, 5)])
    checked = 0
    for q in sorted(queries):
        terms = parse_query(q)
        # Equality holds for a single word whose Latin/digit parts are whole tokens.
        if len(terms) != 1 or not all("\u4e00" <= c <= "\u9fff" for c in terms[0].text):
            continue
        expected = {pk for pk, text in docs.items() if terms[0].text in text}
        got = {h.object_id for h in search(q, source="test", limit=500).hits}
        assert got == expected, q
        checked += 1
    assert checked > 20


def test_document_numbers_and_latin_terms():
    index_document(
        "test",
        1,
        title="国务院办公厅关于印发信息处理费管理办法的通知",
        text="国办函〔2020〕109号 GB/T 9704",
        url="/1",
        organisation_id=1,
        published_at=AT,
    )
    for q in ["〔2020〕109号", "国办函〔2020〕", "109号", "gb", "9704", "处理费", "费"]:
        assert [h.object_id for h in search(q, source="test").hits] == [1], q
    for q in ["〔2020〕110号", "信息公开", "97"]:
        assert search(q, source="test").total == 0, q


def test_filters_removal_and_long_texts():
    long_text = "前言" + "政务公开" * (PART_CHARS // 2) + "结尾处的关键句"
    index_document(
        "test",
        1,
        title="甲",
        text=long_text,
        url="/1",
        organisation_id=1,
        published_at=AT,
        kind="rule",
    )
    index_document(
        "test", 2, title="乙", text="关键句", url="/2", organisation_id=2, published_at=AT
    )
    assert search("关键句", source="test").total == 2
    assert [
        h.object_id
        for h in search("关键句", source="test", filters=Filters(organisation_id=1)).hits
    ] == [1]
    assert search("关键句", source="test", filters=Filters(kind="rule")).total == 1
    assert search("关键句", source="test", filters=Filters(year=2025)).total == 0
    hit = search("结尾处", source="test").hits[0]
    assert "<mark>结尾处</mark>" in hit.snippet
    remove_document("test", 1)
    assert [h.object_id for h in search("关键句", source="test").hits] == [2]


def test_tokens():
    assert index_tokens("ＡＢＣ１２３信息") == "abc123 信 信息 息"
    assert [t.tokens for t in parse_query("信息公开 2020")] == [("信息", "息公", "公开"), ("2020",)]


@pytest.mark.parametrize(
    ("ranked", "cap", "probe"),
    [(1000, 1000, 200), (3, 1000, 200), (3, 5, 2), (0, 2, 1), (3, 1000, 4)],
)
def test_bounded_count_and_ranking_page_through_the_whole_set(monkeypatch, ranked, cap, probe):
    """Whether all matches are ranked or only the newest, whether the count is exact or stops
    at the cap, whether PostgreSQL walks on or turns to the index after its first documents,
    paging reaches exactly the items a substring search finds, each once, and the count says
    "more than" only when there are more.
    """
    monkeypatch.setattr(queries, "RANKED_CANDIDATES", ranked)
    monkeypatch.setattr(queries, "COUNT_CAP", cap)
    monkeypatch.setattr(backends, "PROBE", probe)
    rng = random.Random(11)
    docs = {pk: _text(rng) for pk in range(1, 61)}
    docs[61] = "甲" * PART_CHARS + "许可公开"  # a match only in the second part
    for pk, text in docs.items():
        index_document(
            "publication", pk, title="", text=text, url=f"/{pk}", organisation_id=1, published_at=AT
        )
    index_document(
        "test", 99, title="", text="许可公开", url="/99", organisation_id=1, published_at=AT
    )
    for q in ["许可", "公开", "许可公开", "市局", "信息 公开", "号"]:
        words = q.split()
        expected = {pk for pk, text in docs.items() if all(w in text for w in words)}
        found = search(q, limit=1000)
        assert found.exact == (len(expected) <= cap), q
        assert found.total == min(cap, len(expected)), q
        everything = [h.object_id for h in found.hits]
        assert sorted(everything) == sorted(expected), q
        pages = [h.object_id for o in range(0, 80, 4) for h in search(q, limit=4, offset=o).hits]
        assert pages == everything, q
    assert 61 in {h.object_id for h in search("许可公开").hits}
    assert [h.object_id for h in search("许可公开", source="test").hits] == [99]


def test_ranking_puts_title_matches_and_frequent_matches_first():
    texts = {
        1: ("工作动态", "本月召开座谈会一次。"),
        2: ("关于召开座谈会的通知", "定于下周召开。"),
        3: ("工作动态", "座谈会、座谈会纪要与座谈会议程。"),
        4: ("工作动态", "无关内容。"),
    }
    for pk, (title, text) in texts.items():
        index_document(
            "publication",
            pk,
            title=title,
            text=text,
            url=f"/{pk}",
            organisation_id=1,
            published_at=AT,
        )
    assert [h.object_id for h in search("座谈会").hits] == [2, 3, 1]


def test_passages_start_at_sentences_or_whole_words():
    sentence = "各经营单位应当按照要求做好冷链食品进口环节的检验检疫工作。"
    text = (
        "前言部分说明了背景情况。"
        + "这是一段很长的说明文字。" * 10
        + sentence
        + "后面还有很多其他的内容" * 10
    )
    index_document(
        "publication", 1, title="通知", text=text, url="/1", organisation_id=1, published_at=AT
    )
    snippet = search("检验检疫").hits[0].snippet
    assert snippet.startswith("…各经营单位应当"), snippet
    assert "<mark>检验检疫</mark>" in snippet
    # No sentence starts near the match: the passage starts with a whole word, not half of one.
    text = "示例市人民政府办公室关于进一步加强政务公开工作的通知" * 6 + "实施意见全文"
    index_document(
        "publication", 2, title="意见", text=text, url="/2", organisation_id=1, published_at=AT
    )
    snippet = search("实施意见全文").hits[0].snippet
    assert snippet.endswith("<mark>实施意见全文</mark>")
    assert snippet.startswith(("…关于", "…进一步", "…加强")), snippet


def test_fts_rows_go_with_their_documents():
    """A flush or a removed document leaves no FTS row behind to be found later (SQLite keeps
    the FTS rows in a table of their own; PostgreSQL keeps the tokens in the document row)."""
    from django.db import connection

    from sunshine.search.models import SearchDocument

    for pk in (1, 2):
        index_document(
            "test",
            pk,
            title="冷链食品",
            text="专项检查",
            url=f"/{pk}",
            organisation_id=1,
            published_at=AT,
        )
    assert search("冷链", source="test").total == 2
    SearchDocument.objects.filter(object_id=1).delete()
    assert [h.object_id for h in search("冷链", source="test").hits] == [2]
    if connection.vendor == "sqlite":
        SearchDocument.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_fts")
            assert cursor.fetchone()[0] == 0


def test_the_index_is_asked_for_the_rarest_tokens_far_apart():
    """PostgreSQL's sieve: the rarest tokens by the planner's statistics (a token it does not
    list is rarer than any it does); among equals, the ends of a phrase before its middle."""
    terms = parse_query("社会消费品零售总额 2024")
    frequencies = {"社会": 0.7, "会消": 0.4, "消费": 0.5, "费品": 0.4, "总额": 0.4, "2024": 0.3}
    assert backends._sieve(terms, frequencies) == "'品零' & '售总'"
    assert backends._sieve(parse_query("政务公开"), {}) == "'政务' & '公开'"


def test_words_in_different_parts_of_a_long_text_are_found_together():
    """PostgreSQL keeps a long text in parts, the title in the first only: each word may lie
    in another part of the same item, as a substring search over the whole item finds it."""
    text = "信息" + "甲" * PART_CHARS + "公开"
    index_document(
        "publication", 1, title="通知", text=text, url="/1", organisation_id=1, published_at=AT
    )
    for q in ["信息 公开", "通知 公开", "公开 通知 信息", "信息"]:
        found = search(q)
        assert [h.object_id for h in found.hits] == [1] and found.total == 1, q
    assert search("信息 公开 乙").total == 0
