"""Reads over requests, scoped to the reader: another agency's request looks like a missing one."""

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast
from django.http import Http404

from sunshine.clocks.models import Clock, Unit
from sunshine.clocks.queries import Status, explain_clock, with_status
from sunshine.org.models import Role
from sunshine.org.permissions import can

from .actions import REPLY, clock_of
from .models import Request
from .rules import HANDLING_ROLES, agencies_scope

TRACKED = "foi_tracked"
PAGE_SIZE = 50


def with_due(qs: QuerySet[Request], now: datetime | None = None) -> QuerySet[Request]:
    """Annotate each request's reply clock: `due_status` (clocks' Status) and `reply_due_at`,
    as subqueries of the same query (a request without a clock yet has neither)."""
    clocks = Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Request),
        object_id=Cast(OuterRef("pk"), CharField()),
        kind=REPLY,
    ).order_by("-pk")
    return qs.annotate(
        due_status=Subquery(with_status(clocks, now).values("status")[:1]),
        reply_due_at=Subquery(clocks.values("due_at")[:1]),
    )


AWAITING, OPEN, CLOSED = range(3)


def _rank() -> Case:
    """Soonest due first means: requests awaiting 确认收到 before all (they need an action
    today, and their clock starts only then, 第三十一条), then open ones by due day (paused ones,
    without a day, after them), then closed ones, latest closed first."""
    return Case(
        When(state=Request.State.SUBMITTED, then=Value(AWAITING)),
        When(state=Request.State.CLOSED, then=Value(CLOSED)),
        default=Value(OPEN),
    )


def staff_list(
    user: Any,
    *,
    page: int | str | None = 1,
    state: str = "",
    due: str = "",
    by_due: bool = False,
    per_page: int = PAGE_SIZE,
    now: datetime | None = None,
) -> Page:
    """A page of the staff list: the reader's requests with their due status, filtered by state
    and due status, newest first or soonest due first. A page number past the end gives the last
    page, as the portal's listings do. Each row gets `due_label` and `status_label`; the page
    costs a count and one query for its rows, however many rows it has."""
    rows = with_due(
        Request.objects.filter(agencies_scope(user, (*HANDLING_ROLES, Role.LEGAL)))
        .select_related("organisation")
        .order_by("-submitted_at", "-pk"),
        now,
    )
    if state in Request.State.values:
        rows = rows.filter(state=state)
    if due in Status.LABELS:
        rows = rows.filter(due_status=due)
    if by_due:
        rows = rows.annotate(rank=_rank()).order_by(
            "rank",
            Case(When(rank=OPEN, then=F("reply_due_at"))).asc(nulls_last=True),
            F("closed_on").desc(nulls_last=True),
            "pk",
        )
    result = Paginator(rows, per_page).get_page(page)
    result.object_list = list(result.object_list)
    for row in result.object_list:
        # A reply clock counts working days: its label is the last day, as on the case page.
        row.due_label = Clock(due_at=row.reply_due_at, unit=Unit.WORKDAYS).due_label
        row.status_label = Status.LABELS.get(row.due_status, "")
    return result


def request_for(user: Any, pk: int, session: Any = None) -> Request:
    """The request if the user may see it, or if this browser proved its query code."""
    request = Request.objects.select_related("organisation").filter(pk=pk).first()
    if request is None:
        raise Http404
    if can(user, "foi.view", request) or pk in (session or {}).get(TRACKED, []):
        return request
    raise Http404


def same_information(request: Request) -> QuerySet[Request]:
    """Other requests to the same agency for the same information (same 文号, or same title),
    not yet turned into a proactive publication: candidates to answer together (第四十四条)."""
    same = Q(info_title=request.info_title)
    if request.info_number:
        same |= Q(info_number=request.info_number)
    return (
        Request.objects.filter(same, organisation=request.organisation)
        .filter(proactive_publication__isnull=True)
        .exclude(pk=request.pk)
        .order_by("received_on", "pk")
    )


def reply_clock(request: Request) -> tuple[Clock | None, list[str]]:
    clock = clock_of(request, REPLY)
    if clock is None:
        return None, []
    clock = with_status(Clock.objects.filter(pk=clock.pk)).get()
    # The staff list's status (`with_due`: the same `with_status`), not the clock's bare state:
    # an overdue clock still "runs", and the page must say 超期 as the list does.
    clock.status_label = Status.LABELS[clock.status]
    clock.public_label = Status.PUBLIC_LABELS[clock.status]
    return clock, explain_clock(clock)
