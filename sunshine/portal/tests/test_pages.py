import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.clocks import actions
from sunshine.clocks.models import Unit


@pytest.mark.django_db
def test_home_page_for_visitors(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "实名注册" in body and "工作台" not in body
    # No inline script or style: the CSP allows only this site's files.
    assert "<script>" not in body and "style=" not in body
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_home_page_is_the_portal_front_page(client, demo, django_assert_max_num_queries):
    """The main site's columns with their newest public items, the search box and every
    service entry; a fixed handful of queries; no link to a page that does not exist."""
    from sunshine.publishing.models import Placement, Publication

    main_news = Placement.objects.filter(
        column__site__is_main=True, column__slug="tzgg", publication__state="published"
    ).order_by("-pinned", "-publication__published_at", "-publication__pk")
    newest = main_news.first().publication
    hidden = main_news[1].publication
    Publication.objects.filter(pk=hidden.pk).update(state=Publication.State.WITHDRAWN)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:home"))
    body = response.content.decode()
    for column in ("通知公告", "政策法规", "政策解读", "工作动态"):
        assert f">{column}</a></h2>" in body, column
    assert newest.title in body and hidden.title not in body
    assert 'role="search"' in body and 'action="/search/"' in body
    for name in ("publishing:index", "foi:apply", "hall:index", "appeals:index", "appeals:write"):
        assert f'href="{reverse(name)}"' in body, name
    assert reverse("publishing:guide", args=["SLS-SWJ"]) in body
    assert "<script>" not in body and "style=" not in body
    links = set(re.findall(r'<a [^>]*href="(/[^"]*)"', body))
    assert len(links) > 30
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_workbench_is_for_staff(client, demo):
    url = reverse("portal:workbench")
    assert client.get(url).status_code == 302
    client.force_login(demo.users["13800000001"])
    assert client.get(url).status_code == 403
    client.force_login(demo.users["handler"])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_workbench_lists_own_department_clocks_by_due_time(
    client, demo, django_assert_max_num_queries
):
    d, u = demo.departments, demo.users
    now = timezone.now()

    def start(title, dept, days_ago, limit):
        return actions.start_clock(
            d["SLS"],
            kind="t",
            title=title,
            department=d[dept],
            limit=limit,
            unit=Unit.NATURAL_DAYS,
            at=now - timedelta(days=days_ago),
        )

    start("较晚到期", "SLS-SWJ-SCYX", 0, 30)
    start("已经超期", "SLS-SWJ-SCYX", 10, 3)
    start("今天到期", "SLS-SWJ-SCYX", 1, 1)
    start("市场监管局的事项", "SLS-SCJG", 0, 5)
    client.force_login(u["handler"])
    # Constant, whatever the number of clocks: the session, the user, roles, the content types
    # (cached after the first page), the clocks, a query per kind of case for their links, nav.
    with django_assert_max_num_queries(16):
        body = client.get(reverse("portal:workbench")).content.decode()
    assert body.index("已经超期") < body.index("今天到期") < body.index("较晚到期")
    assert "市场监管局的事项" not in body
    assert 'data-status="overdue"' in body and 'data-status="yellow"' in body
    # The supervision office sees every department's clocks.
    client.force_login(u["city_supervisor"])
    assert "市场监管局的事项" in client.get(reverse("portal:workbench")).content.decode()
    assert isinstance(now, datetime)


@pytest.mark.django_db
def test_workbench_shows_unread_notifications(client, demo):
    from sunshine.supervision.models import Notification

    Notification.objects.create(
        recipient=demo.users["handler"], subject="【红牌】测试事项", created_at=timezone.now()
    )
    client.force_login(demo.users["handler"])
    body = client.get(reverse("portal:workbench")).content.decode()
    assert "未读通知（1）" in body and "【红牌】测试事项" in body
    client.force_login(demo.users["reviewer"])
    assert "【红牌】测试事项" not in client.get(reverse("portal:workbench")).content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_names_the_portal_and_forms_speak_chinese(client, demo):
    """Django's login view puts the host under "site_name": the header must not show it. Its
    new empty choice ("- Select an option -") and a label's colon come from our catalogue."""
    page = client.get(reverse("accounts:login")).content.decode()
    assert "阳光政务</a>" in page and "testserver" not in page
    client.force_login(demo.users["13800000001"])
    page = client.get("/appeals/write/").content.decode()
    assert "—请选择—" in page and "Select an option" not in page
    assert "：</label>" in page


@pytest.mark.django_db
def test_an_english_browser_reads_one_language(client, demo):
    """Until English has its catalogue, a browser asking for it gets the Chinese interface with
    Django's own messages in Chinese too, not a mixture."""
    english = {"accept-language": "en-US,en;q=0.9"}
    page = client.post("/foi/track/", {"number": ""}, headers=english).text
    assert "这个字段是必填项。" in page and "This field is required." not in page
    assert '<html lang="zh-hans">' in page
