"""Anomaly rules (异常监察点) beside the clocks: the supervision triggers of research §4 that a
deadline alone does not show. Each rule is a small registered function over a period that reads
another subsystem's records and returns findings (the case, its department, what was found);
`actions.run_anomaly_rules` records each (rule, case) once.

违规收费 is checked wherever a fee charged is recorded: the 信息处理费 of disclosure requests
against the 办法's per-request standard, and the service hall's cases (`Application.fee_charged`,
recorded at the decision) against their item: nothing where it says 不收费, at most the sum of its
fee standards where every one of them is a fixed amount per case.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, F, Max, Model, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunshine.appeals.models import Appeal, AppealEvent
from sunshine.appeals.models import Status as AppealStatus
from sunshine.clocks.models import Clock, ClockEvent, PauseReason, State, Unit
from sunshine.foi.fees import FeeMethod, per_request_fee
from sunshine.foi.models import Request
from sunshine.foi.outcomes import BY_CODE, DISCLOSE
from sunshine.hall.models import Application, Notice
from sunshine.workflow.models import Task

from .performance import Period

# Defaults; a deployment overrides any of them in settings.SUPERVISION_ANOMALY_LIMITS.
DEFAULT_LIMITS = {
    "too_fast_minutes": 10,  # a case or step done this soon after it started …
    "too_fast_min_days": 3,  # … when its limit is at least this many days
    "late_record_days": 3,  # acceptance or receipt recorded this many days after the fact
    "corrections": 1,  # 一次性告知: one 补正 per case
    "returns": 2,  # returns and reassignments of one ticket
    "extensions": 1,  # extensions of one clock
}
# Clocks on which a completion within minutes is not credible: the decision of a 承诺件, an
# approval step, a disclosure reply. Intake steps (受理) are done at the counter at once.
WATCHED_FOR_SPEED = ("hall.statutory", "hall.committed", "workflow.step", "foi.reply")


def limit(name: str) -> int:
    return getattr(settings, "SUPERVISION_ANOMALY_LIMITS", {}).get(name, DEFAULT_LIMITS[name])


@dataclass(frozen=True)
class Finding:
    case: Model
    department_id: int
    title: str
    detail: str
    occurred_at: datetime


@dataclass(frozen=True)
class Rule:
    code: str
    label: Any
    description: Any
    find: Callable[[Period], Iterable[Finding]]


RULES: dict[str, Rule] = {}


def anomaly_rule(code: str, label: Any, description: Any):
    """Register a rule; a subsystem may add its own the same way."""

    def register(func: Callable[[Period], Iterable[Finding]]):
        RULES[code] = Rule(code, label, description, func)
        return func

    return register


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


@anomaly_rule(
    "too_fast",
    gettext_lazy("办结过快"),
    gettext_lazy(
        "以天计时限的审批决定、审批环节或公开答复在起算后数分钟内即办结，疑为补录或虚假办结。"
    ),
)
def too_fast(period: Period) -> Iterable[Finding]:
    minutes = limit("too_fast_minutes")
    clocks = list(
        Clock.objects.filter(
            _in(period, "stopped_at"),
            state=State.STOPPED,
            kind__in=WATCHED_FOR_SPEED,
            unit__in=(Unit.WORKDAYS, Unit.NATURAL_DAYS),
            initial_limit__gte=limit("too_fast_min_days"),
            stopped_at__lt=F("started_at") + timedelta(minutes=minutes),
        ).select_related("content_type")
    )
    steps = Task.objects.in_bulk([int(c.object_id) for c in clocks if c.kind == "workflow.step"])
    for clock in clocks:
        if clock.kind == "workflow.step":
            task = steps.get(int(clock.object_id))
            if task is None or task.state != Task.State.APPROVED or _is_intake(task):
                continue
        yield Finding(
            case=clock.case,
            department_id=clock.department_id,
            title=clock.title,
            detail=_("时限 %(limit)s 个%(unit)s，起算后 %(minutes)s 分钟即办结（%(outcome)s）。")
            % {
                "limit": clock.initial_limit,
                "unit": clock.get_unit_display(),
                "minutes": _minutes(clock.started_at, clock.stopped_at),
                "outcome": clock.outcome or "—",
            },
            occurred_at=clock.stopped_at,
        )


def _is_intake(task: Task) -> bool:
    steps = task.instance.definition.parsed.steps
    return any(step.key == task.step_key and step.intake for step in steps)


@anomaly_rule(
    "outside_system",
    gettext_lazy("体外循环"),
    gettext_lazy(
        "受理在申请材料上传多日之后才登记，或收到申请在提交多日之后才登记，疑在系统外办理后补录。"
    ),
)
def outside_system(period: Period) -> Iterable[Finding]:
    days = limit("late_record_days")
    applications = (
        Application.objects.filter(_in(period, "accepted_at"), deemed_accepted=False)
        .annotate(last_upload=Max("files__uploaded_at", filter=Q(files__current=True)))
        .filter(last_upload__lt=F("accepted_at") - timedelta(days=days))
        .select_related("item")
    )
    for app in applications:
        yield Finding(
            case=app,
            department_id=app.item.department_id,
            title=str(app),
            detail=_("材料最后上传于 %(upload)s，受理登记于 %(accepted)s，相隔 %(days)s 天。")
            % {
                "upload": f"{app.last_upload:%Y-%m-%d %H:%M}",
                "accepted": f"{app.accepted_at:%Y-%m-%d %H:%M}",
                "days": (app.accepted_at - app.last_upload).days,
            },
            occurred_at=app.accepted_at,
        )
    for request in Request.objects.filter(
        received_on__gte=period.start, received_on__lte=period.end
    ):
        submitted = timezone.localdate(request.submitted_at)
        if (request.received_on - submitted).days > days:
            yield Finding(
                case=request,
                department_id=request.organisation_id,
                title=str(request),
                detail=_("申请提交于 %(submitted)s，登记收到于 %(received)s。")
                % {"submitted": submitted, "received": request.received_on},
                occurred_at=request.submitted_at,
            )


@anomaly_rule(
    "fee",
    gettext_lazy("违规收费"),
    gettext_lazy(
        "按件计收的信息处理费高于《政府信息公开信息处理费管理办法》的标准（当月前 10 件免费）；"
        "政务服务事项标明不收费却收费，或实收高于该事项各收费项目每件上限之和。"
    ),
)
def fee(period: Period) -> Iterable[Finding]:
    charged = Request.objects.filter(
        _in(period, "submitted_at"), fee_method=FeeMethod.PER_REQUEST, fee_amount__gt=0
    )
    for request in charged:
        # The request's place among the applicant's requests of its calendar month (第四条).
        month_start = timezone.localtime(request.submitted_at).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        nth = Request.objects.filter(
            id_number=request.id_number,
            submitted_at__gte=month_start,
            submitted_at__lte=request.submitted_at,
        ).count()
        standard = per_request_fee(nth)
        if request.fee_amount > standard:
            yield Finding(
                case=request,
                department_id=request.organisation_id,
                title=str(request),
                detail=_(
                    "申请人当月第 %(nth)s 件申请，收费标准 %(standard)s 元，实收 %(charged)s 元。"
                )
                % {"nth": nth, "standard": standard, "charged": request.fee_amount},
                occurred_at=request.submitted_at,
            )
    yield from _hall_fees(period)


def _hall_fees(period: Period) -> Iterable[Finding]:
    """Hall cases decided in the period and charged where their item allows less. A fee standard
    without an amount (it depends on the case) leaves the ceiling unknown: such items are not
    checked; an item that charges but lists no standard allows nothing."""
    decided = Application.objects.filter(
        _in(period, "decided_at"), fee_charged__gt=0
    ).select_related("item")
    for app in decided.filter(item__free=True):
        yield _hall_fee_finding(app, _("事项标明不收费。"))
    above = (
        decided.filter(item__free=False)
        .annotate(
            standards=Count("item__fees"),
            priced=Count("item__fees__amount"),
            ceiling=Coalesce(
                Sum("item__fees__amount"),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .filter(priced=F("standards"), fee_charged__gt=F("ceiling"))
    )
    for app in above:
        yield _hall_fee_finding(
            app,
            _("各收费项目每件上限合计 %(ceiling)s 元。") % {"ceiling": f"{app.ceiling:.2f}"}
            if app.standards
            else _("事项未公布收费标准。"),
        )


def _hall_fee_finding(app: Application, standard: str) -> Finding:
    return Finding(
        case=app,
        department_id=app.item.department_id,
        title=str(app),
        detail=standard + _("实收 %(charged)s 元。") % {"charged": f"{app.fee_charged:.2f}"},
        occurred_at=app.decided_at,
    )


@anomaly_rule(
    "repeated_correction",
    gettext_lazy("多次补正"),
    gettext_lazy("同一事项要求补正超过一次，违反一次性告知要求。"),
)
def repeated_correction(period: Period) -> Iterable[Finding]:
    allowed = limit("corrections")
    for request in Request.objects.filter(corrections__gt=allowed, submitted_at__lt=period.until):
        if _any_event(request, period):
            yield Finding(
                case=request,
                department_id=request.organisation_id,
                title=str(request),
                detail=_("补正 %(n)s 次。") % {"n": request.corrections},
                occurred_at=request.submitted_at,
            )
    notices = (
        Notice.objects.filter(kind=Notice.Kind.CORRECTION)
        .values("application_id")
        .annotate(n=Count("pk"), last=Max("issued_at"))
        .filter(n__gt=allowed, last__gte=period.since, last__lt=period.until)
    )
    counts = {row["application_id"]: row for row in notices}
    for app in Application.objects.filter(pk__in=counts).select_related("item"):
        yield Finding(
            case=app,
            department_id=app.item.department_id,
            title=str(app),
            detail=_("出具补正材料通知书 %(n)s 次。") % {"n": counts[app.pk]["n"]},
            occurred_at=counts[app.pk]["last"],
        )
    # Any other case on a clock: more than one 补正 pause, or more than one restart (a 补正 may
    # pause the clock and then restart it: one correction, two events).
    pause = Q(kind=ClockEvent.Kind.PAUSE, reason=PauseReason.CORRECTION)
    rows = (
        ClockEvent.objects.filter(pause | Q(kind=ClockEvent.Kind.RESTART))
        .values("clock_id")
        .annotate(
            pauses=Count("pk", filter=pause),
            restarts=Count("pk", filter=Q(kind=ClockEvent.Kind.RESTART)),
            last=Max("at"),
        )
        .filter(Q(pauses__gt=allowed) | Q(restarts__gt=allowed))
        .filter(last__gte=period.since, last__lt=period.until)
    )
    counts = {row["clock_id"]: row for row in rows}
    for clock in Clock.objects.filter(pk__in=counts).select_related("content_type"):
        yield Finding(
            case=clock.case,
            department_id=clock.department_id,
            title=clock.title,
            detail=_("计时因补正暂停 %(pauses)s 次、重新起算 %(restarts)s 次。")
            % {"pauses": counts[clock.pk]["pauses"], "restarts": counts[clock.pk]["restarts"]},
            occurred_at=counts[clock.pk]["last"],
        )


def _any_event(request: Request, period: Period) -> bool:
    return request.steps.filter(_in(period, "at")).exists()


@anomaly_rule(
    "refusal_without_reason",
    gettext_lazy("拒绝未说明理由"),
    gettext_lazy("不予受理、不予许可、不予公开或不予处理的决定没有写明理由。"),
)
def refusal_without_reason(period: Period) -> Iterable[Finding]:
    refused = Application.objects.filter(
        _in(period, "completed_at"), state=Application.State.REFUSED, refusal_reason=""
    )
    denied = Application.objects.filter(
        _in(period, "decided_at"), decision=Application.Decision.DENIED, decision_reason=""
    )
    for app in (refused | denied).select_related("item"):
        yield Finding(
            case=app,
            department_id=app.item.department_id,
            title=str(app),
            detail=(
                _("不予受理决定未写明理由。")
                if app.state == Application.State.REFUSED
                else _("不予许可决定未写明理由。")
            ),
            occurred_at=app.completed_at or app.decided_at,
        )
    # Closures that follow from a missed deadline (no_correction, unpaid) carry a standard text.
    negative = [
        o.code
        for o in BY_CODE.values()
        if o.group != DISCLOSE and o.code not in ("no_correction", "unpaid")
    ]
    for request in Request.objects.filter(
        closed_on__gte=period.start,
        closed_on__lte=period.end,
        outcome__in=negative,
        reply_text="",
    ):
        yield Finding(
            case=request,
            department_id=request.organisation_id,
            title=str(request),
            detail=_("答复结果为“%(outcome)s”，未写明理由。")
            % {"outcome": BY_CODE[request.outcome].label},
            occurred_at=request.submitted_at,
        )
    for appeal in Appeal.objects.filter(
        _in(period, "received_at"), status=AppealStatus.REFUSED, refusal_reason=""
    ).select_related("mailbox"):
        department_id = appeal.lead_department_id or (
            appeal.mailbox.department_id if appeal.mailbox else None
        )
        if department_id:
            yield Finding(
                case=appeal,
                department_id=department_id,
                title=str(appeal),
                detail=_("诉求不予受理，未写明原因。"),
                occurred_at=appeal.received_at,
            )


@anomaly_rule(
    "ping_pong",
    gettext_lazy("来回退单"),
    gettext_lazy("同一工单退单、改派次数过多，部门之间推诿。"),
)
def ping_pong(period: Period) -> Iterable[Finding]:
    moves = (AppealEvent.Kind.RETURN, AppealEvent.Kind.REASSIGN)
    rows = (
        AppealEvent.objects.filter(kind__in=moves)
        .values("appeal_id")
        .annotate(n=Count("pk"), last=Max("at"))
        .filter(n__gt=limit("returns"), last__gte=period.since, last__lt=period.until)
    )
    counts = {row["appeal_id"]: row for row in rows}
    departments: dict[int, Counter] = defaultdict(Counter)
    for appeal_id, department_id in AppealEvent.objects.filter(
        appeal_id__in=counts, kind=AppealEvent.Kind.RETURN, department__isnull=False
    ).values_list("appeal_id", "department_id"):
        departments[appeal_id][department_id] += 1
    for appeal in Appeal.objects.filter(pk__in=counts):
        # Answerable: the department that returned it most, else the one holding it now.
        returned = departments[appeal.pk].most_common(1)
        department_id = returned[0][0] if returned else appeal.lead_department_id
        if department_id:
            yield Finding(
                case=appeal,
                department_id=department_id,
                title=str(appeal),
                detail=_("退单、改派共 %(n)s 次。") % {"n": counts[appeal.pk]["n"]},
                occurred_at=counts[appeal.pk]["last"],
            )


@anomaly_rule(
    "extensions",
    gettext_lazy("超次延期"),
    gettext_lazy("同一时限延长的次数超过规定（一般只能延长一次）。"),
)
def extensions(period: Period) -> Iterable[Finding]:
    rows = (
        ClockEvent.objects.filter(kind=ClockEvent.Kind.EXTEND)
        .values("clock_id")
        .annotate(n=Count("pk"), last=Max("at"))
        .filter(n__gt=limit("extensions"), last__gte=period.since, last__lt=period.until)
    )
    counts = {row["clock_id"]: row for row in rows}
    for clock in Clock.objects.filter(pk__in=counts).select_related("content_type"):
        yield Finding(
            case=clock.case,
            department_id=clock.department_id,
            title=clock.title,
            detail=_("延长 %(n)s 次，时限共 %(limit)s 个%(unit)s（法定 %(initial)s 个）。")
            % {
                "n": counts[clock.pk]["n"],
                "limit": clock.limit,
                "unit": clock.get_unit_display(),
                "initial": clock.initial_limit,
            },
            occurred_at=counts[clock.pk]["last"],
        )
