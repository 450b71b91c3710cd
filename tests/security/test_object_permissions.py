"""The permission matrix for pages of one object: a case, a request, a ticket, a draft, a task.

Tried: one object of each kind belonging to one person and one department (an enterprise's hall
application, a citizen's FOI request to 商务局, a citizen's letter dispatched to 商务局, a draft
of 商务局办公室 and its review task), each page asked for by anonymous, the citizen, the enterprise
and every demo officer.
Must hold: a page opens (200) exactly for those the rules of org.permissions allow on that
object; nobody else gets it (404/403/redirect to sign in), above all the other person and the
officers of other departments (市场监管局, 清水镇), who must be refused everything.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from sunshine.appeals.tests.conftest import MONDAY, letter  # noqa: F401 -- a fixture
from sunshine.org.permissions import can

OUTSIDERS = {
    # page kind → people who must never see it
    "hall": {"13800000001", "market", "township"},
    "foi": {"13800000002", "market", "township"},
    "appeal": {"13800000002", "market", "township"},
    "draft": {"13800000001", "13800000002", "market", "township"},
}


@pytest.fixture
def objects(demo, letter):  # noqa: F811 -- the imported fixture
    from sunshine.appeals import actions as appeals
    from sunshine.foi import actions as foi
    from sunshine.foi.tests.test_clock_rules import data
    from sunshine.hall.tests.test_hall import submitted
    from sunshine.publishing import actions as publishing
    from sunshine.publishing.tests.factories import draft, pending

    appeals.dispatch(demo.users["dispatcher"], letter, lead=demo.departments["SLS-SWJ"], at=MONDAY)
    request = foi.submit_request(demo.users["13800000001"], demo.departments["SLS-SWJ"], data())
    publication = draft(demo)
    publishing.submit(demo.users["officer"], publication)
    app = submitted(demo)
    return [
        ("hall", f"/hall/applications/{app.pk}/", rule("hall.view_application"), app),
        ("foi", f"/foi/r/{request.request.pk}/", rule("foi.view"), request.request),
        ("foi", f"/foi/staff/{request.request.pk}/", rule("foi.manage"), request.request),
        ("appeal", f"/appeals/tickets/{letter.pk}/", rule("appeals.view"), letter),
        ("draft", f"/gk/work/{publication.pk}/", rule("publishing.view_draft"), publication),
        ("draft", f"/gk/work/task/{pending(publication).pk}/", review_page, publication),
    ]  # fmt: skip


def rule(name: str):
    return lambda user, obj: can(user, name, obj)


def review_page(user, publication) -> bool:
    # A review task's page is the workbench's: supervisors, who may read the draft itself,
    # do not get it.
    return can(user, "publishing.workbench") and can(user, "publishing.view_draft", publication)


@pytest.mark.django_db
def test_object_pages_open_exactly_for_those_allowed(client, demo, objects):
    actors = [AnonymousUser(), *sorted(demo.users.values(), key=lambda u: u.username)]
    wrong = []
    opened: dict[str, set[str]] = {url: set() for _kind, url, _allows, _obj in objects}
    for user in actors:
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        name = user.username if user.is_authenticated else "anonymous"
        for kind, url, allows, obj in objects:
            status = client.get(url).status_code
            assert status < 500, (name, url, status)
            allowed = status == 200
            if allowed:
                opened[url].add(name)
            expected = allows(user, obj)
            if allowed and name in OUTSIDERS[kind]:
                wrong.append(f"{name} {url}: {status}, an outsider let in")
            elif allowed != expected:
                wrong.append(f"{name} {url}: {status}, expected {'allow' if expected else 'deny'}")
    assert not wrong, "\n".join(wrong)
    # Not vacuous: every page opened for someone and was refused to someone.
    assert all(0 < len(who) < len(actors) for who in opened.values()), opened
