import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from sunshine.audit.models import AuditEvent
from sunshine.clocks import actions as clock_actions
from sunshine.clocks.models import Clock, Unit
from sunshine.errors import ActionError
from sunshine.org.permissions import PermissionDenied
from sunshine.supervision import actions
from sunshine.supervision.models import Alert, Level, Notification, Urging
from sunshine.supervision.tasks import deliver_notifications

TZ = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


@pytest.fixture
def clocks(demo):
    """Three running clocks on 2026-03-02 (Monday) with limits 20, 5 and 3 working days."""
    d, u = demo.departments, demo.users
    made = {}
    for name, limit, dept, person in [
        ("long", 20, "SLS-SWJ-SCYX", None),
        ("short", 5, "SLS-SWJ-SCYX", u["handler"]),
        ("market", 3, "SLS-SCJG", None),
    ]:
        made[name] = clock_actions.start_clock(
            d[dept],
            kind="test",
            title=f"事项{name}",
            department=d[dept],
            limit=limit,
            unit=Unit.WORKDAYS,
            at=at("2026-03-02"),
            responsible=person,
        )
    return made


def levels(clock: Clock) -> set[str]:
    return set(Alert.objects.filter(clock=clock).values_list("level", flat=True))


@pytest.mark.django_db
def test_sweep_records_each_signal_once(clocks, demo):
    # 03-06 (Fri) 10:00: "market" (due 03-05) is overdue; "short" (due Monday 03-09) has used 3
    # of its 5 days: nothing yet.
    mine = Alert.objects.filter(clock__in=list(clocks.values()))
    actions.sweep(at("2026-03-06"))
    assert levels(clocks["market"]) == {Level.RED, Level.YELLOW, Level.PROMPT}
    assert levels(clocks["short"]) == set()
    assert mine.count() == 3
    # Saturday: "short" has used 4 of 5 days (80 %, yellow) and its last working day is next.
    actions.sweep(at("2026-03-07"))
    assert mine.count() == 5
    assert levels(clocks["short"]) == {Level.YELLOW, Level.PROMPT}
    assert levels(clocks["long"]) == set()
    again = actions.sweep(at("2026-03-07", 11))
    assert again.total == 0 and mine.count() == 5
    # The responsible person is told; with no one responsible, those who answer for the clock
    # (cases.people_for): for a case of no registered kind, everyone holding a role in its
    # department or above it.
    short_people = set(
        Notification.objects.filter(alert__clock=clocks["short"]).values_list(
            "recipient__username", flat=True
        )
    )
    assert short_people == {"handler"}
    market_people = set(
        Notification.objects.filter(alert__clock=clocks["market"]).values_list(
            "recipient__username", flat=True
        )
    )
    assert market_people == {"market", "mayor", "admin", "city_supervisor"}
    assert AuditEvent.objects.filter(verb="supervision.sweep").count() == 3
    # A stopped clock raises nothing more.
    clock_actions.stop_clock(clocks["long"], outcome="办结", actor=None, at=at("2026-03-07"))
    actions.sweep(at("2026-05-01"))
    assert levels(clocks["long"]) == set()
    assert levels(clocks["short"]) == {Level.RED, Level.YELLOW, Level.PROMPT}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_signal_once(clocks):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            actions.sweep(at("2026-04-01"))
        except BaseException as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Three clocks, three levels each.
    assert Alert.objects.filter(clock__in=list(clocks.values())).count() == 9
    assert (
        Notification.objects.values("alert", "recipient").distinct().count()
        == Notification.objects.count()
    )


@pytest.mark.django_db
def test_notifications_are_delivered_once(clocks, demo):
    handler = demo.users["handler"]
    handler.email = "handler@example.gov.cn"
    handler.save()
    actions.sweep(at("2026-03-07"))
    # handler: yellow, prompt; the market clock's four people: red, yellow, prompt (the demo's
    # own cases run on besides)
    assert Notification.objects.filter(alert__clock__kind="test").count() == 2 + 4 * 3
    assert deliver_notifications.call() == Notification.objects.count()
    assert deliver_notifications.call() == 0
    # Only the handler has an address; the demo's overdue disclosure request reaches him too.
    assert {tuple(m.to) for m in mail.outbox} == {("handler@example.gov.cn",)}
    ours = [m.subject for m in mail.outbox if m.subject.endswith("事项short")]
    assert sorted(s[:4] for s in ours) == ["【预警】", "【黄牌】"]


@pytest.mark.django_db
def test_urging_supervising_and_closing(clocks, demo):
    u = demo.users
    actions.sweep(at("2026-03-07"))
    red = Alert.objects.get(clock=clocks["market"], level=Level.RED)
    # A handler may not urge; the bureau's head may remind only within his bureau.
    with pytest.raises(PermissionDenied):
        actions.urge(u["handler"], red, kind=Urging.Kind.REMIND, message="请加快办理")
    with pytest.raises(PermissionDenied):
        actions.urge(u["director"], red, kind=Urging.Kind.REMIND, message="请加快办理")
    yellow = Alert.objects.get(clock=clocks["short"], level=Level.YELLOW)
    actions.urge(u["director"], yellow, kind=Urging.Kind.REMIND, message="请加快办理")
    with pytest.raises(PermissionDenied):
        actions.urge(
            u["director"], yellow, kind=Urging.Kind.SUPERVISE, message="督办", limit_days=3
        )
    with pytest.raises(ActionError, match="答复期限"):
        actions.urge(u["city_supervisor"], red, kind=Urging.Kind.SUPERVISE, message="督办")
    urging = actions.urge(
        u["city_supervisor"],
        red,
        kind=Urging.Kind.SUPERVISE,
        message="请于3个工作日内办结并报告",
        limit_days=3,
        now=at("2026-03-06"),
    )
    clock = urging.clocks.get()
    assert clock.due_label == "2026-03-11" and clock.department == demo.departments["SLS-SCJG"]
    assert Notification.objects.filter(urging=urging, recipient=u["market"]).exists()
    with pytest.raises(PermissionDenied):
        actions.respond(u["handler"], urging, response="已办结")
    actions.respond(u["market"], urging, response="已于今日办结", now=at("2026-03-09"))
    clock.refresh_from_db()
    assert clock.state == "stopped" and clock.on_time
    with pytest.raises(ActionError, match="已经答复"):
        actions.respond(u["market"], urging, response="再次答复")
    actions.close_alert(u["city_supervisor"], red, finding="已督促办结，查实系材料流转延误")
    with pytest.raises(ActionError, match="已处理"):
        actions.close_alert(u["city_supervisor"], red, finding="again")
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "supervision.remind",
        "supervision.supervise",
        "supervision.respond",
        "supervision.close_alert",
    } <= verbs


@pytest.mark.django_db
def test_pages_are_scoped(client, clocks, demo):
    u = demo.users
    actions.sweep(at("2026-03-07"))
    red = Alert.objects.get(clock=clocks["market"], level=Level.RED)
    url = reverse("supervision:dashboard")
    client.force_login(u["handler"])
    assert client.get(url).status_code == 403
    client.force_login(u["director"])
    body = client.get(url).content.decode()
    assert "事项short" in body and "事项market" not in body
    assert client.get(reverse("supervision:alert", args=[red.pk])).status_code == 404
    response = client.post(reverse("supervision:close", args=[red.pk]), {"finding": "x"})
    assert response.status_code == 404
    client.force_login(u["city_supervisor"])
    body = client.get(url).content.decode()
    assert "事项market" in body and "市场运行科" in body
    page = client.get(reverse("supervision:alert", args=[red.pk])).content.decode()
    assert "期限是怎样算出来的" in page and "截止：2026-03-05" in page
    response = client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "supervise", "message": "督办", "limit_days": ""},
    )
    assert response.status_code == 200 and not Urging.objects.exists()
    client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "supervise", "message": "请尽快办结", "limit_days": "2"},
    )
    assert Urging.objects.get().kind == "supervise"
    client.force_login(u["market"])
    assert "请尽快办结" in client.get(reverse("supervision:inbox")).content.decode()
    urging = Urging.objects.get()
    client.post(reverse("supervision:answer", args=[urging.pk]), {"response": "已办结"})
    urging.refresh_from_db()
    assert urging.state == "answered"
    client.force_login(u["handler"])
    response = client.post(reverse("supervision:answer", args=[urging.pk]), {"response": "x"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_issuer_hears_the_answer(client, clocks, demo):
    """The supervisor who sent a 督办 is told what was done, is notified (linked to the case,
    in the answer's transaction) when the unit answers, and sees it answered on the alert and
    on the list of signals."""
    u = demo.users
    actions.sweep(at("2026-03-07"))
    red = Alert.objects.get(clock=clocks["market"], level=Level.RED)
    client.force_login(u["city_supervisor"])
    response = client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "supervise", "message": "请尽快办结", "limit_days": "3"},
        follow=True,
    )
    assert "已发出督办，限 3 个工作日内答复。" in response.content.decode()
    urging = Urging.objects.get()
    dashboard = reverse("supervision:dashboard")
    assert '<span data-state="open">督办 · 待答复</span>' in client.get(dashboard).content.decode()

    client.force_login(u["market"])
    client.post(reverse("supervision:answer", args=[urging.pk]), {"response": "已于今日办结"})
    answered = Notification.objects.filter(urging=urging, subject__contains="已答复")
    (told,) = answered
    assert told.recipient == u["city_supervisor"]
    assert told.subject == "【督办已答复】事项market" and told.body == "已于今日办结"
    assert told.alert == red

    client.force_login(u["city_supervisor"])
    # From the workbench it opens the alert, where the answer is read and the alert closed.
    follow = reverse("supervision:notification", args=[told.pk])
    assert f'action="{follow}"' in client.get(reverse("portal:workbench")).content.decode()
    assert client.post(follow).url == reverse("supervision:alert", args=[red.pk])
    assert '<span data-state="answered">督办 · 已答复</span>' in (
        client.get(dashboard).content.decode()
    )
    page = client.get(reverse("supervision:alert", args=[red.pk])).content.decode()
    assert '<strong>督办</strong> <span class="state">已答复</span>' in page
    # A 催办 has no deadline to state.
    response = client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "remind", "message": "请加快"},
        follow=True,
    )
    assert "已发出催办。" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_form_is_shown_again_as_typed(client, clocks, demo):
    """A form the page refuses comes back with the error beside it and what was typed still in
    it, not a redirect that loses the text: the 催办 on an alert, closing it, and the answer
    in the inbox."""
    u = demo.users
    actions.sweep(at("2026-03-07"))
    red = Alert.objects.get(clock=clocks["market"], level=Level.RED)
    client.force_login(u["city_supervisor"])
    typed = "请于两个工作日内办结并书面报告办理情况"
    response = client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "supervise", "message": typed, "limit_days": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Urging.objects.exists()
    assert f"{typed}</textarea>" in page
    assert "督办和纠错须规定 1 至 60 个工作日的答复期限。" in page
    assert 'value="supervise" selected' in page
    # A field the form itself refuses, and the other form on the page left empty.
    response = client.post(
        reverse("supervision:urge", args=[red.pk]),
        {"kind": "correct", "message": typed, "limit_days": "99"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and f"{typed}</textarea>" in page
    assert 'name="limit_days" value="99"' in page and "errorlist" in page
    # Closed meanwhile by a colleague: the finding typed here is not lost either.
    actions.close_alert(u["city_supervisor"], red, finding="已督促办结")
    finding = "查实系材料流转延误，已责令整改"
    response = client.post(reverse("supervision:close", args=[red.pk]), {"finding": finding})
    page = response.content.decode()
    assert response.status_code == 200 and f"{finding}</textarea>" in page
    assert "该信号已处理完毕。" in page
    # A head of department, who may only remind, sees the refusal of his message too.
    yellow = Alert.objects.get(clock=clocks["short"], level=Level.YELLOW)
    client.force_login(u["director"])
    response = client.post(
        reverse("supervision:urge", args=[yellow.pk]), {"kind": "remind", "message": "x" * 2001}
    )
    assert response.status_code == 200 and "x" * 2001 in response.content.decode()
    assert "errorlist" in response.content.decode() and not Urging.objects.exists()

    urging = actions.urge(
        u["city_supervisor"], yellow, kind=Urging.Kind.SUPERVISE, message="督办", limit_days=2
    )
    client.force_login(u["handler"])
    url = reverse("supervision:answer", args=[urging.pk])
    too_long = "已办结" * 1500
    response = client.post(url, {"response": too_long})
    page = response.content.decode()
    assert response.status_code == 200 and f"{too_long}</textarea>" in page
    assert f'id="id_u{urging.pk}_response"' in page and "errorlist" in page
    urging.refresh_from_db()
    assert urging.state == Urging.State.OPEN
    # Answered meanwhile by a colleague: the answer shows, and so do the refusal and the text.
    actions.respond(u["reviewer"], urging, response="已于今日办结")
    response = client.post(url, {"response": "我这边也已办结"})
    page = response.content.decode()
    assert response.status_code == 200 and "已于今日办结" in page
    assert "已经答复过了。" in page and "我这边也已办结</textarea>" in page
    # An accepted form still goes on to the page it leaves, as before.
    client.force_login(u["city_supervisor"])
    response = client.post(
        reverse("supervision:urge", args=[yellow.pk]), {"kind": "remind", "message": "请加快"}
    )
    assert response.status_code == 302 and response.url == reverse(
        "supervision:alert", args=[yellow.pk]
    )


@pytest.mark.django_db
def test_notifications_are_marked_read_from_the_workbench(client, clocks, demo):
    u = demo.users
    actions.sweep(at("2026-03-07"))
    mine = Notification.objects.filter(recipient=u["handler"])
    yellow, prompt = mine.filter(alert__clock=clocks["short"]).order_by("pk")
    unread = mine.count()  # the demo's overdue disclosure request besides
    others = Notification.objects.filter(recipient=u["market"])
    url = reverse("supervision:read_notifications")
    client.force_login(u["handler"])
    page = client.get(reverse("portal:workbench")).content.decode()
    assert f"未读通知（{unread}）" in page and f'name="pk" value="{yellow.pk}"' in page
    assert client.get(url).status_code == 405
    # Another's notification, or nonsense, looks like a missing one; nothing is marked.
    for pk in (others.first().pk, "x"):
        assert client.post(url, {"pk": pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.mark_read(u["handler"], others.first())
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    response = client.post(url, {"pk": yellow.pk})
    assert response.status_code == 302 and response.url == reverse("portal:workbench")
    assert set(mine.filter(read_at__isnull=True, alert__clock=clocks["short"])) == {prompt}
    page = client.get(reverse("portal:workbench")).content.decode()
    assert f"未读通知（{unread - 1}）" in page and yellow.subject not in page
    # Marking again, or all at once twice (a double submission), marks each once.
    assert actions.mark_read(u["handler"], yellow, now=at("2026-03-08")) == 0
    client.post(url)
    client.post(url)
    assert not mine.filter(read_at__isnull=True).exists()
    assert "未读通知" not in client.get(reverse("portal:workbench")).content.decode()
    assert not others.filter(read_at__isnull=False).exists()
    assert AuditEvent.objects.filter(verb="supervision.mark_read").count() == 4
    client.force_login(u["13800000001"])
    assert client.post(url).status_code in (403, 404)


@pytest.mark.django_db
def test_status_counts_follow_every_clock_change(clocks, demo):
    """The counts from the tally the database keeps equal a count over every clock, before and
    after the sweep folds it, as clocks pause, stop and start; and a later sweep at the same
    moment tells no one twice."""
    from django.db.models import Count

    from sunshine.clocks.queries import with_status
    from sunshine.supervision.models import ClockTally
    from sunshine.supervision.queries import OPEN_STATUSES, status_counts, status_totals

    def truth(now, **where):
        open_clocks = Clock.objects.exclude(state="stopped").filter(**where)
        rows = with_status(open_clocks, now).values("status")
        found = dict(rows.annotate(n=Count("pk")).values_list("status", "n"))
        return {status: found.get(status, 0) for status in OPEN_STATUSES}

    now, later = at("2026-03-07"), at("2026-03-10")
    before = truth(now)
    ours = truth(now, kind="test")  # the demo's own cases run on besides
    assert ours["yellow"] == 1 and ours["overdue"] == 1  # "short" and "market"
    assert status_totals(now=now) == before
    actions.sweep(now)
    departments = set(Clock.objects.exclude(state="stopped").values_list("department", flat=True))
    assert ClockTally.objects.count() == len(departments) + 1  # the demo has paused clocks
    assert status_totals(now=now) == before
    clock_actions.pause_clock(clocks["long"], reason="correction", actor=None, at=now)
    clock_actions.stop_clock(clocks["market"], outcome="办结", actor=None, at=now)
    town = demo.departments["SLS-QSZ"]
    extra = clock_actions.start_clock(
        town, kind="test", title="事项extra", department=town, limit=1, unit=Unit.WORKDAYS, at=now
    )
    expected = truth(later)
    assert expected["paused"] == before["paused"] + 1
    assert truth(later, kind="test")["overdue"] == 2  # "short" and "extra"
    assert status_totals(now=later) == expected
    first = actions.sweep(later)
    assert status_totals(now=later) == expected
    supervisor = demo.users["city_supervisor"]
    cells = {row["department"]: row["cells"] for row in status_counts(supervisor, later)}
    assert cells["市场运行科"][1:] == [1, 0, 0, 1]  # long paused, short overdue
    assert cells["示例市清水镇人民政府"][4] == 1
    assert [sum(column) for column in zip(*cells.values(), strict=True)] == list(expected.values())
    # A department's head sees his department only.
    head = demo.departments["SLS-SWJ"]
    assert status_totals(demo.users["director"], later) == truth(
        later, department__path__startswith=head.path
    )
    assert status_totals(supervisor, later) == expected
    # Another clock crosses at the same moment: only its alerts are notified, once.
    sent = Notification.objects.count()
    again_clock = clock_actions.start_clock(
        town, kind="test", title="事项again", department=town, limit=1, unit=Unit.WORKDAYS, at=now
    )
    again = actions.sweep(later)
    assert first.total and again.total == 3
    assert Notification.objects.count() == sent + again.notifications
    assert Notification.objects.exclude(alert__clock=again_clock).count() == sent
    assert not (
        Notification.objects.filter(alert__clock=extra)
        .values("alert", "recipient")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.django_db
def test_tally_triggers_are_installed():
    """A migration that rebuilds clocks_clock on SQLite drops them; the status totals would then
    silently stop following the clocks."""
    if connection.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'clocks_clock'::regclass"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clocks_clock'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = {row[0] for row in cursor.fetchall()}
    assert {"supervision_tally_insert", "supervision_tally_update"} <= names
