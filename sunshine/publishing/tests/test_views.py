"""The pages: permission through the views, public visibility, feeds, counts."""

import pytest
from django.urls import reverse

from sunshine.publishing import actions, counting
from sunshine.publishing.models import Column, Publication, Task

from .factories import draft, pending, publish

pytestmark = pytest.mark.django_db


def test_approving_without_the_role_is_refused_by_the_view(client, demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    task = pending(item)
    url = reverse("publishing:review", args=[task.pk])
    client.force_login(demo.users["secrecy"])  # a reviewer of the unit, but of another step
    page = client.get(url)
    assert page.status_code == 200 and "您不是该环节的审核人员" in page.text
    response = client.post(url, {"verb": "approve", "opinion": "同意"})
    assert response.status_code == 403
    client.force_login(demo.users["reviewer"])  # another section: the item does not exist
    assert client.post(url, {"verb": "approve"}).status_code == 404
    task.refresh_from_db()
    assert task.state == Task.State.PENDING
    client.force_login(demo.users["office_head"])
    assert client.post(url, {"verb": "approve"}).status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.APPROVED


def test_drafts_are_not_public(client, demo):
    item = draft(demo)
    assert client.get(reverse("publishing:item", args=[item.pk])).status_code == 404
    assert client.get(reverse("publishing:draft", args=[item.pk])).status_code == 302
    client.force_login(demo.users["13800000001"])
    assert client.get(reverse("publishing:draft", args=[item.pk])).status_code == 404


def test_the_supervision_office_reads_a_draft_and_may_change_nothing(client, demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    client.force_login(demo.users["supervisor"])
    page = client.get(reverse("publishing:draft", args=[item.pk]))
    assert page.status_code == 200 and item.title in page.text
    assert page.text.count('method="post"') == 1  # 退出 only
    assert client.get(reverse("publishing:work")).status_code == 403
    assert client.get(reverse("publishing:review", args=[pending(item).pk])).status_code == 403


def test_public_pages_feed_and_sitemap(client, demo):
    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告"))
    for name, args in [
        ("publishing:index", []),
        ("publishing:catalogue", ["SLS-SWJ"]),
        ("publishing:guide", ["SLS-SWJ"]),
        ("publishing:site", ["swj"]),
        ("publishing:column", ["swj", "tzgg"]),
        ("publishing:item", [item.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert item.title in client.get(reverse("publishing:column", args=["swj", "tzgg"])).text
    assert item.title in client.get(reverse("publishing:feed", args=["swj", "tzgg"])).text
    assert item.title in client.get(reverse("publishing:rss", args=["swj", "tzgg"])).text
    site_map = client.get(reverse("publishing:site_map")).text
    assert reverse("publishing:column", args=["swj", "tzgg"]) in site_map
    assert reverse("publishing:sitemap") in site_map
    sitemap = client.get(reverse("publishing:sitemap")).text
    assert reverse("publishing:item", args=[item.pk]) in sitemap
    found = client.get(reverse("search:results"), {"q": "老字号名录"}).text
    assert "<mark>老字号名录</mark>" in found


def test_search_filters_group_themes_and_each_units_catalogue(client, demo):
    from sunshine.publishing.models import Category, Theme

    theme = Theme.objects.get(parent__name="综合政务", name="政务公开")
    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告", theme=theme))
    page = client.get(reverse("search:results"), {"q": "老字号名录"}).text
    assert '<optgroup label="国务院组织机构">' in page
    organisations = {c.organisation.name for c in Category.objects.select_related("organisation")}
    assert all(f'<optgroup label="{name}">' in page for name in organisations)
    for field, value in [("theme", item.theme_id), ("category", item.category_id)]:
        found = client.get(reverse("search:results"), {"q": "老字号名录", field: value}).text
        assert "<mark>老字号名录</mark>" in found, field
    other = Theme.objects.exclude(pk=item.theme_id).filter(parent__isnull=False).first()
    found = client.get(reverse("search:results"), {"q": "老字号名录", "theme": other.pk}).text
    assert "<mark>老字号名录</mark>" not in found


def test_search_shows_only_public_items(client, demo):
    draft(demo, title="内部草稿：拟调整成品油价格监测点")
    assert "成品油价格监测点" not in client.get(reverse("search:results"), {"q": "价格监测点"}).text


def test_hostile_search_input_is_harmless(client, demo):
    for q in ['"', "NEAR(a b)", "a* OR b", "'; DROP TABLE x; --", "{title}:x", "<script>", "号"]:
        response = client.get(reverse("search:results"), {"q": q, "page": "x"})
        assert response.status_code == 200
        assert "<script>" not in response.text.split("<main")[1]


def test_views_are_counted_in_batches(client, demo):
    counting.flush()  # what earlier tests left in this process's buffer
    item = Publication.objects.filter(state="published").first()
    column = Column.objects.get(site__code="swj", slug="tzgg")
    before = item.view_count, column.view_count
    for _ in range(3):
        client.get(reverse("publishing:item", args=[item.pk]))
        client.get(reverse("publishing:column", args=["swj", "tzgg"]))
    item.refresh_from_db()
    assert item.view_count == before[0]  # not yet written: no write per request
    counting.flush()
    item.refresh_from_db()
    column.refresh_from_db()
    assert (item.view_count, column.view_count) == (before[0] + 3, before[1] + 3)


def test_the_edit_form_suggests_keywords_from_the_draft(client, demo):
    item = draft(
        demo,
        title="关于开展冷链食品经营单位专项检查的通知",
        body="<p>定于12月开展冷链食品专项检查，检查冷链仓储和冷链运输单位。</p>",
    )
    client.force_login(demo.users["officer"])
    page = client.get(reverse("publishing:draft_edit", args=[item.pk])).text
    suggested = page.split("根据标题和正文建议：")[1].split("<")[0].split()
    assert "冷链" in suggested and len(suggested) == 5
    assert "的" not in suggested and "12" not in suggested


@pytest.mark.django_db
def test_a_second_approval_of_a_handled_step_is_told_so(client, demo):
    publication = draft(demo)
    actions.submit(demo.users["officer"], publication)
    task = pending(publication)
    client.force_login(demo.users["office_head"])
    url = f"/gk/work/task/{task.pk}/"
    assert client.post(url, {"verb": "approve", "opinion": "同意"}).status_code == 302
    again = client.post(url, {"verb": "approve", "opinion": "同意"}, follow=True)
    assert again.status_code == 200 and "该环节已处理" in again.content.decode()
    task.refresh_from_db()
    assert task.state == Task.State.APPROVED


def test_filters_without_words_ask_for_words(client, demo):
    from sunshine.publishing.models import Theme

    theme = Theme.objects.filter(parent__isnull=False).first()
    page = client.get(reverse("search:results"), {"q": "", "theme": theme.pk}).text
    assert "请输入检索词" in page and reverse("publishing:index") in page
