"""催办 and deadlines reach those who work the case: the unit's handler for a 12345 ticket, the
information officer for a disclosure request, with a link to the case; another department's
staff get neither."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sunshine.appeals.models import Appeal, Assignment
from sunshine.audit.models import AuditEvent
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import Unit
from sunshine.foi.models import Request
from sunshine.supervision import actions, cases
from sunshine.supervision.models import Alert, Notification, Urging

pytestmark = pytest.mark.django_db
User = get_user_model()


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


def test_the_sweep_tells_those_who_answer_for_the_clock(demo, ticket, monkeypatch):
    """预警, 黄牌 and 红牌 reach the people `cases.people_for` names, as 催办 do: for a ticket
    dispatched to the bureau, its sections' handlers too, not the bureau's leaders alone. (In
    statements of two people each here, as a city's thousands would be split.)"""
    monkeypatch.setattr(actions, "PEOPLE_PER_STATEMENT", 2)
    appeal, lead = ticket
    clock = lead.sign_clock
    actions.sweep(timezone.now() + timedelta(days=30))
    told = set(
        Notification.objects.filter(alert__clock=clock).values_list(
            "recipient__username", flat=True
        )
    )
    people = set(
        User.objects.filter(pk__in=cases.people_for(clock)).values_list("username", flat=True)
    )
    assert told == people
    assert {"handler", "reviewer", "director", "deputy"} <= told
    assert not told & {"township", "legal", "market", "mayor"}
    # Every level, each person once.
    assert Notification.objects.filter(alert__clock=clock).count() == 3 * len(told)


def test_the_sweep_finds_its_recipients_in_a_fixed_number_of_queries(demo):
    """However many clocks cross a threshold, in however many departments and kinds of case,
    the sweep reads who to tell in the same few queries; a department with nobody who may act
    on the case tells the heads above it."""
    d = demo.departments
    start = timezone.now()
    foi_request = Request.objects.filter(organisation=d["SLS-SWJ"]).first()

    def crossing(case, department, title):
        return clock_actions.start_clock(
            case,
            kind="test",
            title=title,
            department=department,
            limit=1,
            unit=Unit.NATURAL_DAYS,
            at=start,
        )

    def swept(days):
        with CaptureQueriesContext(connection) as queries:
            result = actions.sweep(start + timedelta(days=days))
        return len(queries), result

    swept(400)  # the demo's own clocks, and the sweep's lock row
    crossing(d["SLS-QSZ"], d["SLS-QSZ"], "一件")
    one, first = swept(401)
    assert first.total == 3
    many = [
        crossing(d["SLS-SCJG"], d["SLS-SCJG"], "市场监管"),
        crossing(d["SLS-SWJ-FGK"], d["SLS-SWJ-FGK"], "法规科"),
        crossing(foi_request, d["SLS-SWJ"], "依申请公开"),
        crossing(foi_request, d["SLS-ZFB"], "政府办的申请"),
    ]
    several, second = swept(402)
    assert second.total == 3 * len(many)
    assert several == one
    # Nobody in 政府办 handles requests: the government's heads are told.
    told = Notification.objects.filter(alert__clock=many[3]).values_list(
        "recipient__username", flat=True
    )
    assert set(told) == {"mayor"}
    told = Notification.objects.filter(alert__clock=many[2]).values_list(
        "recipient__username", flat=True
    )
    assert {"officer", "handler", "director"} <= set(told)


def test_a_workbench_notification_leads_to_its_case(client, demo, ticket):
    """Each notice on the workbench opens its case's staff page (as `cases.links` gives it)
    through a POST that marks it read; a GET changes nothing. A notice with no case page stays
    plain text."""
    u = demo.users
    appeal, lead = ticket
    actions.sweep(timezone.now() + timedelta(days=30))
    notice = Notification.objects.filter(
        recipient=u["handler"], alert__clock=lead.sign_clock
    ).first()
    # The workbench lists the newest 20: these two alone are left unread.
    Notification.objects.filter(recipient=u["handler"]).exclude(pk=notice.pk).update(
        read_at=timezone.now()
    )
    plain = Notification.objects.create(
        recipient=u["handler"], subject="【通知】无关联事项", created_at=timezone.now()
    )
    follow = reverse("supervision:notification", args=[notice.pk])
    body = page(client, u["handler"], "portal:workbench")
    assert f'action="{follow}"' in body and f'class="as-link">{notice.subject}</button>' in body
    assert "【通知】无关联事项" in body
    assert reverse("supervision:notification", args=[plain.pk]) not in body

    # Another's notice looks like a missing one.
    client.force_login(u["reviewer"])
    assert client.post(follow).status_code == 404
    client.force_login(u["handler"])
    assert client.get(follow).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None
    response = client.post(follow)
    assert response.status_code == 302
    assert response.url == reverse("appeals:ticket", args=[appeal.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert f'action="{follow}"' not in client.get(reverse("portal:workbench")).content.decode()
    # Followed again, it is still the way to the case, and nothing more is recorded.
    marked = AuditEvent.objects.filter(verb="supervision.mark_read").count()
    assert client.post(follow).url == response.url
    assert AuditEvent.objects.filter(verb="supervision.mark_read").count() == marked
    # A notice without a case page goes back to the workbench.
    assert client.post(reverse("supervision:notification", args=[plain.pk])).url == reverse(
        "portal:workbench"
    )


def test_an_approval_steps_clock_is_answered_by_its_lanes_staff(demo):
    """A workflow step's 预警 and 催办 go to the staff of the step's department, not to the
    mayor, the administrators and the city's supervision office above it."""
    from sunshine.hall import actions as hall
    from sunshine.hall.tests.test_hall import AT, submitted
    from sunshine.workflow.models import Task

    app = hall.accept(demo.users["window"], submitted(demo), at=AT)
    task = Task.objects.filter(instance=app.instance, state=Task.State.PENDING).first()
    assert task is not None and task.clock_id
    people = set(
        get_user_model()
        .objects.filter(pk__in=cases.people_for(task.clock))
        .values_list("username", flat=True)
    )
    signers = set(
        get_user_model()
        .objects.filter(memberships__role=task.role, memberships__department=task.department)
        .values_list("username", flat=True)
    )
    assert signers and signers <= people
    assert not people & {"mayor", "admin", "city_supervisor", "supervisor"}
