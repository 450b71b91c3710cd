"""Reads over requests, scoped to the reader: another agency's request looks like a missing one."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sunshine.clocks.models import Clock
from sunshine.clocks.queries import explain_clock, with_status
from sunshine.org.models import Role
from sunshine.org.permissions import can

from .actions import REPLY, clock_of
from .models import Request
from .rules import HANDLING_ROLES, agencies_scope

TRACKED = "foi_tracked"


def staff_requests(user: Any) -> QuerySet[Request]:
    return (
        Request.objects.filter(agencies_scope(user, (*HANDLING_ROLES, Role.LEGAL)))
        .select_related("organisation")
        .order_by("-submitted_at")
    )


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
    return clock, explain_clock(clock)
