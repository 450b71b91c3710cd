"""The kinds of case a clock runs on, as the people who work them know them: the staff page
where a case is handled, and the roles that may act on it.

A clock points at its case by content type and object id; this registry is the one place that
turns that pair into a link and into the people who answer for the clock, so that the workbench,
the 催办 recipients, the inbox and the alert page agree. A subsystem may register its own kind
the same way (as anomaly rules and indicators are registered).

Who answers for a clock: its responsible person when one is set; otherwise the department's staff
holding a role that may act on that kind of case, in the department itself or in one of its
sections (a bureau's sections work its cases, as in `org.permissions.acts_within`); and always the
department's leaders. A kind registered without roles, and a clock of an unregistered kind, keep
the plain rule: everyone holding a role in the department or above it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.urls import reverse

from sunshine.appeals.models import Assignment
from sunshine.appeals.rules import UNIT_ROLES
from sunshine.clocks.models import Clock
from sunshine.foi.models import Consultation
from sunshine.foi.models import Request as FoiRequest
from sunshine.foi.rules import HANDLING_ROLES as FOI_ROLES
from sunshine.hall.models import Application
from sunshine.hall.models import FollowUp as HallFollowUp
from sunshine.hall.rules import DECIDING
from sunshine.org.models import Department, Membership, Role
from sunshine.org.permissions import departments_for
from sunshine.publishing.models import Publication
from sunshine.workflow.models import Task

from .models import Urging

HEAD_ROLES = (Role.LEADER, Role.DEPUTY_LEADER)
# Those who answer a 催办/督办/纠错 of their department (see `supervision.respond`).
ANSWERING_ROLES = (Role.HANDLER, Role.REVIEWER, *HEAD_ROLES)

# (object ids of cases of one kind, as clocks store them; their model) → their staff pages.
Pages = Callable[[list[str], type[Model]], dict[str, str]]


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    pages: Pages
    roles: tuple[str, ...] | None


KINDS: dict[str, Kind] = {}


def register(model: type[Model], pages: Pages, roles: tuple[str, ...] | None = None) -> None:
    """Register a kind of case: its staff pages, and the roles that may act on it."""
    KINDS[model._meta.label_lower] = Kind(model, pages, roles)


def page(url_name: str, via: str = "pk") -> Pages:
    """Pages at `url_name` taking the case's pk, or the value of its field `via` (read for all
    the cases of the kind in one query)."""

    def pages(ids: list[str], model: type[Model]) -> dict[str, str]:
        if via == "pk":
            keys: dict[str, Any] = {i: i for i in ids}
        else:
            keys = {
                str(pk): key for pk, key in model.objects.filter(pk__in=ids).values_list("pk", via)
            }
        return {i: reverse(url_name, args=[key]) for i, key in keys.items() if key is not None}

    return pages


def kind_of(content_type_id: int) -> Kind | None:
    content_type = ContentType.objects.get_for_id(content_type_id)
    return KINDS.get(f"{content_type.app_label}.{content_type.model}")


def links(clocks: Iterable[Clock]) -> dict[int, str]:
    """Each clock's staff page by clock pk: a query per kind that needs one, never per row."""
    by_kind: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_kind[clock.content_type_id].append(clock)
    result: dict[int, str] = {}
    for content_type_id, rows in by_kind.items():
        kind = kind_of(content_type_id)
        if kind is not None:
            pages = kind.pages(sorted({c.object_id for c in rows}), kind.model)
            result |= {c.pk: pages[c.object_id] for c in rows if c.object_id in pages}
    return result


def clocks_for(user: Any) -> Q:
    """The clocks the user answers for, as one filter on clocks (see the module docstring)."""
    posts = list(
        Membership.objects.filter(user=user, department__is_active=True).values_list(
            "role", "department__kind", "department_id", "department__parent_id"
        )
    )
    with_roles = [kind for kind in KINDS.values() if kind.roles is not None]
    types = ContentType.objects.get_for_models(*(kind.model for kind in with_roles))
    condition = Q(responsible=user) | Q(department__in=departments_for(user, HEAD_ROLES))
    condition |= ~Q(content_type__in=[t.pk for t in types.values()]) & Q(
        department__in=departments_for(user)
    )
    for kind in with_roles:
        covered = {
            department
            for role, department_kind, own, parent in posts
            if role in kind.roles
            for department in (own, parent if department_kind == Department.Kind.SECTION else None)
            if department
        }
        if covered:
            condition |= Q(
                responsible__isnull=True,
                content_type=types[kind.model],
                department_id__in=sorted(covered),
            )
    return condition


def answers_for(user: Any, clock: Clock) -> bool:
    return Clock.objects.filter(clocks_for(user), pk=clock.pk).exists()


def people_for(clock: Clock) -> list[int]:
    """Who answers for the clock (its department's leaders aside): its responsible person, or
    the staff who may act on its kind of case in the department or its sections."""
    if clock.responsible_id:
        return [clock.responsible_id]
    kind = kind_of(clock.content_type_id)
    posts = Membership.objects.filter(department__is_active=True)
    if kind is None or kind.roles is None:
        department = Department.objects.get(pk=clock.department_id)
        posts = posts.filter(department__in=department.ancestors())
    else:
        posts = posts.filter(role__in=kind.roles).filter(
            Q(department=clock.department_id)
            | Q(department__parent=clock.department_id, department__kind=Department.Kind.SECTION)
        )
    return sorted(set(posts.values_list("user_id", flat=True)))


def _task_pages(ids: list[str], model: type[Model]) -> dict[str, str]:
    """A workflow step is signed on the page of the hall case it belongs to."""
    instances = dict(Task.objects.filter(pk__in=ids).values_list("pk", "instance_id"))
    cases = dict(
        Application.objects.filter(instance__in=instances.values()).values_list("instance", "pk")
    )
    return {
        str(task): reverse("hall:application", args=[cases[instance]])
        for task, instance in instances.items()
        if instance in cases
    }


register(Assignment, page("appeals:ticket", via="appeal_id"), UNIT_ROLES)
register(FoiRequest, page("foi:manage"), FOI_ROLES)
register(Consultation, page("foi:manage", via="request_id"), FOI_ROLES)
register(Application, page("hall:application"), DECIDING)
register(HallFollowUp, page("hall:follow_up"), (*DECIDING, Role.WINDOW))
register(Publication, page("publishing:draft"))
register(Task, _task_pages)
register(
    Urging, lambda ids, model: dict.fromkeys(ids, reverse("supervision:inbox")), ANSWERING_ROLES
)
