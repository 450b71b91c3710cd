"""催办 and deadlines reach those who work the case: the unit's handler for a 12345 ticket, the
information officer for a disclosure request, with a link to the case; another department's
staff get neither."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.appeals.models import Appeal, Assignment
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import Unit
from sunshine.foi.models import Request
from sunshine.supervision import actions
from sunshine.supervision.models import Alert, Notification, Urging

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(demo):
    """The demo's 12345 complaint, dispatched to 示例市商务局 (and 市场监管局 to assist) and
    waiting to be signed."""
    appeal = Appeal.objects.get(title="健身房预付卡跑路")
    return appeal, appeal.assignments.get(role=Assignment.Role.LEAD)


def page(client, user, name):
    client.force_login(user)
    return client.get(reverse(name)).content.decode()


def test_an_urge_on_a_ticket_reaches_the_units_handler(client, demo, ticket):
    u = demo.users
    appeal, lead = ticket
    clock = lead.sign_clock
    assert clock.title == f"12345诉求 {appeal.serial} · 签收"
    actions.sweep(timezone.now() + timedelta(days=30))
    alert = Alert.objects.filter(clock=clock).first()
    urging = actions.urge(u["supervisor"], alert, kind=Urging.Kind.REMIND, message="请尽快签收")

    told = set(
        Notification.objects.filter(urging=urging).values_list("recipient__username", flat=True)
    )
    assert {"handler", "reviewer", "director", "deputy"} <= told
    assert "township" not in told and "legal" not in told
    link = reverse("appeals:ticket", args=[appeal.pk])
    inbox = page(client, u["handler"], "supervision:inbox")
    assert "请尽快签收" in inbox and f'href="{link}"' in inbox
    workbench = page(client, u["handler"], "portal:workbench")
    assert f'<a href="{link}">12345诉求 {appeal.serial} · 签收</a>' in workbench
    actions.respond(u["handler"], urging, response="已安排专人签收办理。")

    client.force_login(u["supervisor"])
    alert_page = client.get(reverse("supervision:alert", args=[alert.pk])).content.decode()
    assert f'href="{link}"' in alert_page
    for page_name in ("supervision:inbox", "portal:workbench"):
        assert appeal.serial not in page(client, u["township"], page_name)


def test_a_disclosure_clock_is_on_the_officers_workbench(client, demo):
    d, u = demo.departments, demo.users
    request = Request.objects.filter(organisation=d["SLS-SWJ"]).first()
    clock_actions.start_clock(
        request,
        kind="foi.test",
        title="依申请公开答复 测试",
        department=d["SLS-SWJ"],
        limit=20,
        unit=Unit.WORKDAYS,
        at=timezone.now(),
    )
    link = reverse("foi:manage", args=[request.pk])
    assert f'<a href="{link}">依申请公开答复 测试</a>' in page(
        client, u["officer"], "portal:workbench"
    )
    assert "依申请公开答复 测试" in page(client, u["director"], "portal:workbench")
    assert "依申请公开答复 测试" not in page(client, u["market"], "portal:workbench")
    # 法规审查 is not among the roles that handle a request.
    assert "依申请公开答复 测试" not in page(client, u["legal"], "portal:workbench")
