"""电子监察: the sweep that turns clocks into alerts, and the supervision office's actions."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sunshine.audit.actions import record, snapshot
from sunshine.clocks.actions import start_clock, stop_clock
from sunshine.clocks.models import Clock, State, Unit
from sunshine.errors import ActionError
from sunshine.org.models import Membership
from sunshine.org.permissions import require

from . import anomalies, cases, performance
from .cases import HEAD_ROLES
from .models import (
    Alert,
    Anomaly,
    Bulletin,
    ClockTally,
    Level,
    Notification,
    Scheme,
    SweepLock,
    Urging,
)

# Which stored time of a running clock raises which signal.
THRESHOLDS = ((Level.RED, "due_at"), (Level.YELLOW, "yellow_at"), (Level.PROMPT, "warn_at"))


@dataclass
class SweepResult:
    created: dict[str, int] = field(default_factory=dict)
    notifications: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _new_alerts(cursor: Any, level: str, field_name: str, now: Any) -> int:
    """Insert the alerts of one level for every running clock past its threshold that has none.

    One INSERT … SELECT per level: a sweep over a million clocks must not build a Python object
    per alert (bench/supervision.py measures it).
    """
    alert, clock = Alert._meta.db_table, Clock._meta.db_table
    cursor.execute(
        f"INSERT INTO {alert} (clock_id, level, raised_at, recorded_at, department_id,"  # noqa: S608
        f" responsible_id, state, finding)"
        f" SELECT c.id, %s, c.{field_name}, %s, c.department_id, c.responsible_id, %s, ''"
        f" FROM {clock} c WHERE c.state = %s AND c.{field_name} <= %s AND NOT EXISTS"
        f" (SELECT 1 FROM {alert} a WHERE a.clock_id = c.id AND a.level = %s)",
        [level, now, Alert.State.OPEN, State.RUNNING, now, level],
    )
    return cursor.rowcount


# People rows per statement of the sweep's notifications: three parameters each, well within
# SQLite's limit on the parameters of one statement (32,766) however many a city has.
PEOPLE_PER_STATEMENT = 5000


def _notify_new_alerts(cursor: Any, after_id: int, now: Any) -> int:
    """Tell those who answer for the clock of each alert recorded after `after_id`: its
    responsible person, or those `cases.people_for_cases` names for its department and kind of
    case. Set-based: one INSERT … SELECT for the responsible, and one per PEOPLE_PER_STATEMENT
    of the others (one in a sweep of ordinary size), whatever the number of alerts."""
    alert, clock = Alert._meta.db_table, Clock._meta.db_table
    cursor.execute(
        f"SELECT DISTINCT a.department_id, c.content_type_id FROM {alert} a"  # noqa: S608
        f" JOIN {clock} c ON c.id = a.clock_id WHERE a.id > %s AND a.responsible_id IS NULL",
        [after_id],
    )
    rows = [
        (department_id, content_type_id, person)
        for (department_id, content_type_id), people in cases.people_for_cases(
            cursor.fetchall()
        ).items()
        for person in people
    ]
    prefixes = [(level.value, _("【%(level)s】") % {"level": level.label}) for level in Level]
    subject = f"(CASE a.level {' '.join(['WHEN %s THEN %s'] * len(prefixes))} END) || c.title"

    def insert(recipient: str, where: str, people: list[tuple[int, int, int]]) -> int:
        """One INSERT … SELECT over the new alerts; the `people` rows, if any, joined to each
        alert by its department and kind of case."""
        with_people = join = ""
        if people:
            values = ", ".join(["(%s, %s, %s)"] * len(people))
            with_people = (
                f"WITH people (department_id, content_type_id, person) AS (VALUES {values})"
            )
            join = (
                " JOIN people p ON p.department_id = a.department_id"
                " AND p.content_type_id = c.content_type_id"
            )
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table}"  # noqa: S608
            f" (recipient_id, alert_id, subject, body, created_at) {with_people}"
            f" SELECT {recipient}, a.id, {subject}, '', %s"
            f" FROM {alert} a JOIN {clock} c ON c.id = a.clock_id{join}"
            f" WHERE a.id > %s AND {where}",
            [
                *(value for row in people for value in row),
                *(value for pair in prefixes for value in pair),
                now,
                after_id,
            ],
        )
        return cursor.rowcount

    told = insert("a.responsible_id", "a.responsible_id IS NOT NULL", [])
    for first in range(0, len(rows), PEOPLE_PER_STATEMENT):
        told += insert(
            "p.person", "a.responsible_id IS NULL", rows[first : first + PEOPLE_PER_STATEMENT]
        )
    return told


def fold_tally() -> None:
    """Fold ClockTally's +1/−1 rows (written by the triggers on the clocks table) into one row
    per department and state, so that counting open clocks reads a handful of rows. The sweep
    does it every minute, inside its transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        _fold(cursor, ClockTally._meta.db_table)


def _fold(cursor: Any, tally: str) -> None:
    if connection.vendor == "postgresql":
        # One statement: rows committed meanwhile are neither deleted nor summed.
        cursor.execute(
            f"WITH moved AS (DELETE FROM {tally} RETURNING department_id, state, n)"  # noqa: S608
            f" INSERT INTO {tally} (department_id, state, n) SELECT department_id, state, SUM(n)"
            " FROM moved GROUP BY department_id, state HAVING SUM(n) <> 0"
        )
        return
    # SQLite: this transaction is the only writer until it ends.
    cursor.execute(f"SELECT MAX(id) FROM {tally}")  # noqa: S608
    (last,) = cursor.fetchone()
    if last is not None:
        cursor.execute(
            f"INSERT INTO {tally} (department_id, state, n) SELECT department_id, state,"  # noqa: S608
            f" SUM(n) FROM {tally} WHERE id <= %s GROUP BY department_id, state"
            " HAVING SUM(n) <> 0",
            [last],
        )
        cursor.execute(f"DELETE FROM {tally} WHERE id <= %s", [last])  # noqa: S608


def sweep(now: datetime | None = None) -> SweepResult:
    """Record each signal once for every running clock past its threshold, and notify.

    Idempotent: an alert exists at most once per (clock, level), by the unique constraint and
    because concurrent sweeps queue on the lock row. Correctness of pages never depends on it:
    a clock's status is computed from its stored times whenever it is read. The sweep also folds
    the open-clock tally (ClockTally).
    """
    now = now or timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    result = SweepResult()
    with transaction.atomic():
        lock, _created = SweepLock.objects.get_or_create(pk=1)
        SweepLock.objects.select_for_update().filter(pk=lock.pk).update(last_run_at=now)
        # Alerts are inserted only here, under the lock: those after this id are this sweep's.
        last = Alert.objects.aggregate(last=Max("pk"))["last"] or 0
        with connection.cursor() as cursor:
            for level, field_name in THRESHOLDS:
                result.created[level] = _new_alerts(cursor, level, field_name, at)
            if result.total:
                result.notifications = _notify_new_alerts(cursor, last, at)
        fold_tally()
        record(
            None,
            "supervision.sweep",
            None,
            after={"created": result.created, "notifications": result.notifications},
        )
    if result.notifications:
        from .tasks import deliver_notifications

        transaction.on_commit(deliver_notifications.enqueue)
    return result


def _notify(urging: Urging, people: set[int], subject: str, body: str, now: datetime) -> None:
    """A notification about the urging to each person, linked to the urged case through its
    alert (as the sweep's are), sent once the transaction commits."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                alert_id=urging.alert_id,
                urging=urging,
                subject=subject,
                body=body,
                created_at=now,
            )
            for user_id in sorted(people)
        ]
    )
    from .tasks import deliver_notifications

    transaction.on_commit(deliver_notifications.enqueue)


def _notify_department(urging: Urging, subject: str, now: datetime) -> None:
    """Tell those who answer for the urged case (`cases.people_for`: the responsible person, or
    the staff who may act on it, sections included; nobody there, the heads above it) and the
    department's heads."""
    people = cases.people_for(urging.alert.clock)
    heads = Membership.objects.filter(
        department_id=urging.department_id, role__in=HEAD_ROLES
    ).values_list("user_id", flat=True)
    _notify(urging, set(people) | set(heads), subject, urging.message, now)


def urge(
    actor: Any,
    alert: Alert,
    *,
    kind: str,
    message: str,
    limit_days: int | None = None,
    now: datetime | None = None,
) -> Urging:
    """催办, 督办 or 纠错 on an alert. 督办 and 纠错 carry a deadline in working days and run on a
    clock of their own, so the supervised department's answer is itself supervised."""
    require(actor, "supervision.remind" if kind == Urging.Kind.REMIND else "supervision.act", alert)
    now = now or timezone.now()
    message = message.strip()
    if not message:
        raise ActionError(_("请填写内容。"), field="message")
    if kind not in Urging.Kind.values:
        raise ActionError(_("未知的类型。"), field="kind")
    if kind != Urging.Kind.REMIND and not (limit_days and 1 <= limit_days <= 60):
        raise ActionError(_("督办和纠错须规定 1 至 60 个工作日的答复期限。"), field="limit_days")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.state == Alert.State.CLOSED:
            raise ActionError(_("该信号已处理完毕。"))
        urging = Urging.objects.create(
            kind=kind,
            alert=alert,
            department_id=alert.department_id,
            message=message,
            issued_by=actor,
            issued_at=now,
            limit_days=limit_days if kind != Urging.Kind.REMIND else None,
        )
        if urging.limit_days:
            start_clock(
                urging,
                kind=f"supervision.{kind}",
                title=f"{urging.get_kind_display()}：{alert.clock}",
                department=alert.department,
                limit=urging.limit_days,
                unit=Unit.WORKDAYS,
                at=now,
                legal_basis=_("电子监察督办规定"),
                actor=actor,
            )
        _notify_department(urging, f"【{urging.get_kind_display()}】{alert.clock}", now)
        record(
            actor,
            f"supervision.{kind}",
            urging,
            after=snapshot(urging, ["kind", "alert", "department", "message", "limit_days"]),
        )
    return urging


def respond(actor: Any, urging: Urging, *, response: str, now: datetime | None = None) -> Urging:
    """The supervised department answers a 催办, 督办 or 纠错."""
    require(actor, "supervision.respond", urging)
    now = now or timezone.now()
    response = response.strip()
    if not response:
        raise ActionError(_("请填写答复内容。"), field="response")
    with transaction.atomic():
        urging = (
            Urging.objects.select_for_update(of=("self",))
            .select_related("alert__clock")
            .get(pk=urging.pk)
        )
        if urging.state != Urging.State.OPEN:
            raise ActionError(_("已经答复过了。"))
        urging.state, urging.response = Urging.State.ANSWERED, response
        urging.responded_by, urging.responded_at = actor, now
        urging.save()
        for clock in urging.clocks.exclude(state=State.STOPPED):
            stop_clock(clock, outcome=_("已答复"), actor=actor, at=now)
        # Whoever issued it waits for this answer to decide what follows (close the alert,
        # urge again): tell them, as the department was told of the urging.
        subject = _("【%(kind)s已答复】%(case)s") % {
            "kind": urging.get_kind_display(),
            "case": urging.alert.clock,
        }
        _notify(urging, {urging.issued_by_id} - {actor.pk}, subject, response, now)
        record(actor, "supervision.respond", urging, after={"response": response})
    return urging


def _close(
    actor: Any, case: Alert | Anomaly, finding: str, done: str, now: datetime | None
) -> Alert | Anomaly:
    """Close a signal or an anomaly with the supervision office's finding, once."""
    require(actor, "supervision.act", case)
    finding = finding.strip()
    if not finding:
        raise ActionError(_("请填写处理结论。"), field="finding")
    with transaction.atomic():
        case = type(case).objects.select_for_update().get(pk=case.pk)
        if case.state == case.State.CLOSED:
            raise ActionError(done)
        case.state, case.finding = case.State.CLOSED, finding
        case.closed_by, case.closed_at = actor, now or timezone.now()
        case.save()
        verb = "close_alert" if isinstance(case, Alert) else "close_anomaly"
        record(actor, f"supervision.{verb}", case, after={"finding": finding})
    return case


def close_alert(actor: Any, alert: Alert, *, finding: str, now: datetime | None = None) -> Alert:
    """Close a signal with the supervision office's finding (查实, 已纠正, 情有可原 …)."""
    return _close(actor, alert, finding, _("该信号已处理完毕。"), now)


def mark_read(
    actor: Any, notification: Notification | None = None, *, now: datetime | None = None
) -> int:
    """Mark one of the actor's workbench notifications read, or all of them; marking again
    changes nothing. Returns how many were marked."""
    require(actor, "supervision.read_notification", notification)
    with transaction.atomic():
        unread = Notification.objects.select_for_update().filter(
            recipient=actor, read_at__isnull=True
        )
        if notification is not None:
            unread = unread.filter(pk=notification.pk)
        ids = list(unread.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(read_at=now or timezone.now())
        record(actor, "supervision.mark_read", notification, after={"read": len(ids)})
    return len(ids)


ANOMALY_LOOKBACK_DAYS = 7  # records entered late still fall inside a later run's window


def run_anomaly_rules(
    now: datetime | None = None, period: performance.Period | None = None
) -> dict[str, int]:
    """Run every anomaly rule over the period (by default the last week) and record each
    (rule, case) once: a second run, or two at once, adds nothing (unique constraint)."""
    now = now or timezone.now()
    if period is None:
        today = timezone.localtime(now).date()
        period = performance.Period(today - timedelta(days=ANOMALY_LOOKBACK_DAYS), today)
    created: dict[str, int] = {}
    with transaction.atomic():
        for code, rule in anomalies.RULES.items():
            found: dict[tuple[int, str], Anomaly] = {}
            for finding in rule.find(period):
                content_type = ContentType.objects.get_for_model(finding.case)
                key = (content_type.pk, str(finding.case.pk))
                found.setdefault(
                    key,
                    Anomaly(
                        rule=code,
                        content_type=content_type,
                        object_id=key[1],
                        title=finding.title[:200],
                        detail=finding.detail,
                        department_id=finding.department_id,
                        occurred_at=finding.occurred_at,
                        recorded_at=now,
                    ),
                )
            before = Anomaly.objects.filter(rule=code).count()
            Anomaly.objects.bulk_create(found.values(), ignore_conflicts=True)
            created[code] = Anomaly.objects.filter(rule=code).count() - before
        record(None, "supervision.anomalies", None, after={"created": created})
    return created


def close_anomaly(
    actor: Any, anomaly: Anomaly, *, finding: str, now: datetime | None = None
) -> Anomaly:
    """Close an anomaly with the supervision office's finding (查实, 属正常情形 …)."""
    return _close(actor, anomaly, finding, _("该异常事项已处理完毕。"), now)


def generate_bulletin(
    actor: Any,
    scheme: Scheme,
    *,
    period: str,
    day: date,
    on_portal: bool = False,
    now: datetime | None = None,
) -> Bulletin:
    """Score every unit for the period and freeze the result as a draft 通报."""
    require(actor, "supervision.bulletin", scheme)
    start, end = performance.period_bounds(period, day)
    now = now or timezone.now()
    if timezone.localtime(now).date() <= end:
        raise ActionError(_("该周期尚未结束，不能生成通报。"), field="day")
    scores = performance.score(scheme, performance.Period(start, end))
    label = Bulletin.Period(period).label
    title = _("%(scheme)s%(label)s通报（%(start)s 至 %(end)s）") % {
        "scheme": scheme.name,
        "label": label,
        "start": start,
        "end": end,
    }
    overdue = list(
        Alert.objects.filter(
            level=Level.RED,
            raised_at__gte=performance.Period(start, end).since,
            raised_at__lt=performance.Period(start, end).until,
        )
        .select_related("clock", "department")
        .order_by("department__path", "raised_at")
        .values_list("clock__title", "department__name", "raised_at")
    )
    data = {
        "scores": [s.as_dict() for s in scores],
        # 红榜: the best rated units graded 优秀 without a red card; 黑榜: the worst units graded
        # 不合格 or holding a red card. A quiet unit (no data) is on neither.
        "red_list": [s.unit.name for s in scores if s.rated and s.total >= 90 and not s.red_cards][
            :5
        ],
        "black_list": [
            s.unit.name
            for s in scores[::-1]
            if s.total is not None and (s.total < 60 or s.red_cards)
        ][:5],
        "overdue": [
            {"title": t, "department": d, "at": timezone.localtime(a).isoformat()}
            for t, d, a in overdue
        ],
    }
    with transaction.atomic():
        if Bulletin.objects.filter(scheme=scheme, period=period, period_start=start).exists():
            raise ActionError(_("该周期的通报已经生成。"))
        bulletin = Bulletin.objects.create(
            scheme=scheme,
            period=period,
            period_start=start,
            period_end=end,
            title=title,
            data=data,
            on_portal=on_portal,
            generated_by=actor,
            generated_at=now,
        )
        record(
            actor,
            "supervision.generate_bulletin",
            bulletin,
            after=snapshot(bulletin, ["scheme", "period", "period_start", "period_end"]),
        )
    return bulletin


def approve_bulletin(actor: Any, bulletin: Bulletin, *, now: datetime | None = None) -> Bulletin:
    """A leader of the government approves; the 通报 is then published to the staff side."""
    require(actor, "supervision.approve_bulletin", bulletin)
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.state != Bulletin.State.DRAFT:
            raise ActionError(_("该通报已经发布。"))
        bulletin.state = Bulletin.State.PUBLISHED
        bulletin.approved_by, bulletin.approved_at = actor, now or timezone.now()
        bulletin.save()
        record(actor, "supervision.approve_bulletin", bulletin, after={"state": bulletin.state})
    return bulletin
