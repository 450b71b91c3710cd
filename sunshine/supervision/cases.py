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
the plain rule: everyone holding a role in the department or above it. Whom a signal or a 催办
about the clock is sent to (`people_for`) is the same, leaders aside; with nobody there, the heads
of the department or of the nearest one above it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.urls import reverse

from sunshine.appeals.models import Appeal, Assignment
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
# A workflow step may name any working role for its lane; the supervision office and the
# administrators never sign one. (Per kind, not per step: the sweep tells a city in a few
# statements, so the lane's own staff answer, not the mayor and everyone above the lane.)
STEP_ROLES = tuple(role for role in Role if role not in (Role.SUPERVISOR, Role.ADMIN))

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


def case_pages(refs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The staff page of each case given as (content type id, object id), as clocks and
    anomalies point at theirs: a query per kind that needs one, never per case."""
    by_kind: dict[int, set[str]] = defaultdict(set)
    for content_type_id, object_id in refs:
        by_kind[content_type_id].add(object_id)
    result: dict[tuple[int, str], str] = {}
    for content_type_id, ids in by_kind.items():
        kind = kind_of(content_type_id)
        if kind is not None:
            pages = kind.pages(sorted(ids), kind.model)
            result |= {(content_type_id, i): url for i, url in pages.items()}
    return result


def links(clocks: Iterable[Clock]) -> dict[int, str]:
    """Each clock's staff page by clock pk."""
    clocks = list(clocks)
    pages = case_pages((c.content_type_id, c.object_id) for c in clocks)
    return {
        c.pk: pages[(c.content_type_id, c.object_id)]
        for c in clocks
        if (c.content_type_id, c.object_id) in pages
    }


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
    else those `people_for_cases` names for its department and kind of case."""
    if clock.responsible_id:
        return [clock.responsible_id]
    case = (clock.department_id, clock.content_type_id)
    return people_for_cases([case])[case]


def people_for_cases(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    """Who answers for the clocks with no one responsible of each (department id, content type
    id): the staff who may act on that kind of case in the department or its sections (for a
    kind without roles, everyone holding a role in the department or above it); nobody there,
    the heads of the department or of the nearest one above it, so that no signal goes unheard.

    Two queries whatever the number of pairs, for the sweep that tells a whole city at once.
    """
    pairs = set(pairs)
    paths = dict(Department.objects.filter(pk__in={d for d, _ in pairs}).values_list("pk", "path"))
    # Each department's chain from itself up to the root.
    chains = {
        pk: [int(part) for part in reversed(path.strip("/").split("/")) if part]
        for pk, path in paths.items()
    }
    held: dict[int, list[tuple[int, str]]] = defaultdict(list)  # in the department itself
    in_sections: dict[int, list[tuple[int, str]]] = defaultdict(list)  # in its sections
    posts = Membership.objects.filter(department__is_active=True).filter(
        Q(department__in={d for chain in chains.values() for d in chain})
        | Q(department__parent__in=list(paths), department__kind=Department.Kind.SECTION)
    )
    for user, role, department, parent, kind in posts.values_list(
        "user_id", "role", "department_id", "department__parent_id", "department__kind"
    ):
        held[department].append((user, role))
        if kind == Department.Kind.SECTION and parent in paths:
            in_sections[parent].append((user, role))
    result: dict[tuple[int, int], list[int]] = {}
    for department, content_type_id in pairs:
        chain = chains.get(department, [])
        kind = kind_of(content_type_id)
        if kind is None or kind.roles is None:
            people = {user for d in chain for user, _role in held[d]}
        else:
            people = {
                user
                for user, role in held[department] + in_sections[department]
                if role in kind.roles
            }
        for d in chain:
            if people:
                break
            people = {user for user, role in held[d] if role in HEAD_ROLES}
        result[(department, content_type_id)] = sorted(people)
    return result


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
# No clock runs on an appeal itself (its assignments carry them), but anomalies point at one.
register(Appeal, page("appeals:ticket"))
register(FoiRequest, page("foi:manage"), FOI_ROLES)
register(Consultation, page("foi:manage", via="request_id"), FOI_ROLES)
register(Application, page("hall:application"), DECIDING)
register(HallFollowUp, page("hall:follow_up"), (*DECIDING, Role.WINDOW))
register(Publication, page("publishing:draft"))
register(Task, _task_pages, STEP_ROLES)
register(
    Urging, lambda ids, model: dict.fromkeys(ids, reverse("supervision:inbox")), ANSWERING_ROLES
)
