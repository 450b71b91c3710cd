"""The pages: permission through the views, public visibility, feeds, counts."""

import pytest
from django.urls import reverse

from sunshine.publishing import actions, counting
from sunshine.publishing.models import Column, Publication, Task

from .factories import draft, pending, publish, select_options

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


def _theme_options_read_alone(options: list[tuple[str, str, str]]) -> None:
    """Sub-themes under their theme, in the themes' order; no two options read alike."""
    from sunshine.publishing.models import Theme

    themes = {str(t.pk): t for t in Theme.objects.filter(parent__isnull=False)}
    options = [o for o in options if o[1]]
    assert sorted(value for _group, value, _text in options) == sorted(themes)
    assert all(themes[value].parent.name == group for group, value, _text in options)
    labels = [text for _group, _value, text in options]
    assert len(labels) == len(set(labels)), "an option reads like another"
    assert "综合政务 · 其他" in labels and "政务公开" in labels
    groups = list(dict.fromkeys(group for group, _value, _text in options))
    expected = Theme.objects.filter(parent__isnull=True, children__isnull=False).distinct()
    assert groups == [t.name for t in expected.order_by("sort_order", "pk")]


def _catalogue_as_a_tree(organisation) -> list[str]:
    from sunshine.publishing.models import Category

    labels = []
    roots = Category.objects.filter(organisation=organisation, parent=None, is_active=True)
    for root in roots.order_by("sort_order", "pk"):
        labels.append(root.name)
        children = root.children.filter(is_active=True).order_by("sort_order", "pk")
        labels += [f"{root.name} / {child.name}" for child in children]
    return labels


def test_search_filters_group_themes_and_each_units_catalogue(client, demo):
    from sunshine.publishing.models import Category, Theme
    from sunshine.publishing.queries import catalogue_organisations

    theme = Theme.objects.get(parent__name="综合政务", name="政务公开")
    item = publish(demo, draft(demo, title="关于公布第一批老字号名录的公告", theme=theme))
    page = client.get(reverse("search:results"), {"q": "老字号名录"}).text
    _theme_options_read_alone(select_options(page, "theme"))
    # Each category once, under its organisation, in the catalogue's order.
    options = [o for o in select_options(page, "category") if o[1]]
    organisations = list(catalogue_organisations())
    assert list(dict.fromkeys(o[0] for o in options)) == [o.name for o in organisations]
    for organisation in organisations:
        labels = [text for group, _value, text in options if group == organisation.name]
        assert labels == _catalogue_as_a_tree(organisation)
    values = [value for _group, value, _text in options]
    active = Category.objects.filter(is_active=True)
    assert sorted(values) == sorted(str(pk) for pk in active.values_list("pk", flat=True))
    for field, value in [("theme", item.theme_id), ("category", item.category_id)]:
        found = client.get(reverse("search:results"), {"q": "老字号名录", field: value}).text
        assert "<mark>老字号名录</mark>" in found, field
    other = Theme.objects.exclude(pk=item.theme_id).filter(parent__isnull=False).first()
    found = client.get(reverse("search:results"), {"q": "老字号名录", "theme": other.pk}).text
    assert "<mark>老字号名录</mark>" not in found


def test_the_draft_form_lists_the_catalogue_and_themes_as_a_tree(client, demo):
    client.force_login(demo.users["officer"])
    page = client.get(reverse("publishing:draft_new")).text
    options = [o for o in select_options(page, "category") if o[1]]
    organisation = demo.departments["SLS-SWJ"]
    assert {group for group, _value, _text in options} == {organisation.name}
    assert [text for _group, _value, text in options] == _catalogue_as_a_tree(organisation)
    _theme_options_read_alone(select_options(page, "theme"))
    # The grouped options still save what is chosen.
    category = next(v for _g, v, t in options if t == "其他主动公开信息 / 通知公告")
    theme = select_options(page, "theme")[1][1]
    response = client.post(
        reverse("publishing:draft_new"),
        {
            "department": demo.departments["SLS-SWJ-BGS"].pk,
            "title": "关于开展商贸流通安全检查的通知",
            "kind": "information",
            "written_on": "2026-11-02",
            "category": category,
            "theme": theme,
            "body": "<p>正文</p>",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    saved = Publication.objects.get(title="关于开展商贸流通安全检查的通知")
    assert (str(saved.category_id), str(saved.theme_id)) == (category, theme)


def test_a_reviewer_on_the_draft_page_is_led_to_the_step_waiting_for_them(client, demo):
    item = draft(demo)
    actions.submit(demo.users["officer"], item)
    task = pending(item)
    review = reverse("publishing:review", args=[task.pk])
    client.force_login(demo.users["office_head"])
    page = client.get(reverse("publishing:draft", args=[item.pk])).text
    assert f'href="{review}"' in page and "前往审核：科室负责人审核" in page
    task_page = client.get(review).text
    assert "尚未提交审核" not in task_page
    assert "科室负责人审核</td><td>待审核" in task_page
    for other in ("officer", "secrecy", "supervisor"):  # not theirs to act on
        client.force_login(demo.users[other])
        assert review not in client.get(reverse("publishing:draft", args=[item.pk])).text


def test_a_withdrawn_items_page_says_when_and_keeps_the_reason_internal(client, demo):
    item = publish(demo, draft(demo, title="关于暂停受理再生资源回收备案的通知"))
    client.force_login(demo.users["deputy"])
    manage = client.get(reverse("publishing:draft", args=[item.pk])).text
    assert "撤回理由仅供内部留存，不在公开页面显示" in manage
    reason = "经办人误将草稿发布，更正后重新发布。"
    actions.withdraw(demo.users["deputy"], item, reason=reason)
    assert reason in client.get(reverse("publishing:draft", args=[item.pk])).text
    client.logout()
    page = client.get(reverse("publishing:item", args=[item.pk])).text
    assert "撤回" in page.split('class="withdrawn"')[1].split("</p>")[0]
    assert reason not in page
    validity = page.split("有效性</th><td>")[1].split("</td>")[0]
    assert validity == "已撤回"


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
