"""Reads over tasks: an officer's to-do list (soonest due first, coloured by status), what they
signed, and the flow chart of a definition."""

from datetime import datetime
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from sunshine.clocks.queries import Status
from sunshine.org.models import Department, Membership, Role

from .models import ProcessDefinition, Task


def _mine(user: Any) -> Q:
    """Tasks handed to the user, and unassigned tasks of a role they hold over the department."""
    condition = Q(assignee=user)
    posts = Membership.objects.filter(user=user, department__is_active=True).values_list(
        "role", "department__path"
    )
    for role, path in posts:
        condition |= Q(assignee=None, role=role, department__path__startswith=path)
    return condition


def with_status(qs: QuerySet[Task], now: datetime | None = None) -> QuerySet[Task]:
    now = now or timezone.now()
    return qs.annotate(
        status=Case(
            When(clock__state="paused", then=Value(Status.PAUSED)),
            When(due_at__lte=now, then=Value(Status.OVERDUE)),
            When(clock__warn_at__lte=now, then=Value(Status.WARNING)),
            default=Value(Status.RUNNING),
            output_field=CharField(),
        )
    )


def todo_for(user: Any, now: datetime | None = None) -> QuerySet[Task]:
    qs = Task.objects.filter(_mine(user), state=Task.State.PENDING)
    return (
        with_status(qs, now)
        .select_related("instance", "department", "clock")
        .order_by("due_at", "pk")
    )


def done_by(user: Any) -> QuerySet[Task]:
    return (
        Task.objects.filter(acted_by=user)
        .select_related("instance", "department")
        .order_by("-acted_at", "-pk")
    )


def chart(definition: ProcessDefinition) -> list[dict[str, Any]]:
    """The steps as the public flow chart shows them (办理流程图, 权力运行流程图)."""
    spec = definition.parsed
    codes = {lane.department for step in spec.steps for lane in step.lanes()}
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    roles = dict(Role.choices)
    nodes = []
    for step in spec.steps:
        lanes = [
            {"name": lane.name, "department": names.get(lane.department, ""),
             "role": roles.get(lane.role, "")}
            for lane in step.lanes()
        ]  # fmt: skip
        nodes.append(
            {
                "key": step.key,
                "name": step.name,
                "limit": step.limit,
                "intake": step.intake,
                "decides": step.decides,
                "parallel": step.parallel,
                "join": step.join,
                "conditional": step.when is not None,
                "lanes": lanes,
                "risks": step.risks,
            }
        )
    return nodes
