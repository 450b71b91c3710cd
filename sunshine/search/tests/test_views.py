"""The search page: 索引号 queries, over-long queries and pages past the end."""

import pytest
from django.urls import reverse

from sunshine.publishing.tests.factories import draft, publish
from sunshine.search.index import index_document
from sunshine.search.queries import search
from sunshine.search.tokens import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db


def test_an_index_number_finds_its_item(client, demo):
    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告"))
    assert item.index_number.startswith("SLS-SWJ/")
    for query in (item.index_number, item.index_number.lower(), f" {item.index_number} "):
        assert [h.object_id for h in search(query).hits] == [item.pk], query
    page = client.get(reverse("search:results"), {"q": item.index_number}).text
    assert "共找到 1 条" in page and f"<mark>{item.index_number}</mark>" in page


def test_an_index_number_is_matched_as_the_substring_search_would(demo):
    """Indexed as text: a query finds what a substring search over the indexed text finds,
    the 索引号 included, and no other item of the same organisation and year."""
    from datetime import UTC, datetime

    at = datetime(2026, 1, 5, tzinfo=UTC)
    numbers = {1: "SLS-SWJ/2026-00142", 2: "SLS-SWJ/2026-01420", 3: "SLS-SWJ/2025-00142"}
    for pk, number in numbers.items():
        text = f"示商发〔2026〕{pk}号\n正文\n{number}"
        index_document(
            "test", pk, title="通知", text=text, url="/", organisation_id=1, published_at=at
        )
    for query, expected in [
        ("SLS-SWJ/2026-00142", {1}),
        ("sls-swj/2026", {1, 2}),
        ("2026-01420", {2}),
        ("SLS-SWJ", {1, 2, 3}),
    ]:
        assert {h.object_id for h in search(query, source="test").hits} == expected, query


def test_an_overlong_query_is_told_so(client, demo):
    page = client.get(reverse("search:results"), {"q": "政务公开" * 30}).text
    assert f"检索词不能超过 {MAX_QUERY_LENGTH} 个字" in page
    assert 'role="alert"' in page


def test_a_page_past_the_end_shows_the_last_page(client, demo):
    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告"))
    for number in ("999999999999", "2", "50"):
        page = client.get(reverse("search:results"), {"q": "老字号名录", "page": number}).text
        assert "共找到 1 条" in page and f'href="/gk/i/{item.pk}/"' in page, number
        assert "没有找到相关信息" not in page, number


def test_reindexing_puts_what_is_searched_for_back_in_the_index(demo):
    """After an upgrade changes what is indexed (the 索引号 was added), one command brings the
    items already published up to date."""
    from io import StringIO

    from django.core.management import call_command

    from sunshine.search.models import SearchDocument

    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告"))
    SearchDocument.objects.filter(source="publication", object_id=item.pk).delete()
    assert not search(item.index_number).hits
    out = StringIO()
    call_command("reindex_publications", stdout=out)
    assert "已重建" in out.getvalue()
    assert [h.object_id for h in search(item.index_number).hits] == [item.pk]
