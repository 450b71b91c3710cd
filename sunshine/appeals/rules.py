"""Who may do what to an appeal.

- The 12345 centre (dispatcher and operator): the WINDOW role (窗口受理) held in the centre's
  department, `settings.APPEALS_CENTRE` (default SLS-DZZW, 电子政务办). It records calls,
  dispatches, reviews returns, extensions and replies, records phone follow-ups, urges and archives.
- The editor of public letters: INFO_OFFICER (信息员) in the centre, or the dispatcher.
- A handling unit: HANDLER, REVIEWER, DEPUTY_LEADER, LEADER, WINDOW or INFO_OFFICER held in the
  assigned department, above it, or in one of its sections (a bureau's sections work for it).
- Supervision (SUPERVISOR) sees every appeal and may 督办.
"""

from typing import Any

from django.conf import settings
from django.db.models import Q

from sunshine.core.numbers import check_query_code
from sunshine.org.models import Department, Membership, Role
from sunshine.org.permissions import (
    acts_within,
    allow_anonymous,
    has_role,
    is_platform_admin,
    is_supervisor,
    rule,
)

UNIT_ROLES = (
    Role.HANDLER,
    Role.REVIEWER,
    Role.DEPUTY_LEADER,
    Role.LEADER,
    Role.WINDOW,
    Role.INFO_OFFICER,
)


def centre_code() -> str:
    return getattr(settings, "APPEALS_CENTRE", "SLS-DZZW")


def centre() -> Department:
    return Department.objects.get(code=centre_code())


def _centre(user: Any) -> Department | None:
    cached = getattr(user, "_appeals_centre", None)
    if cached is None:
        cached = Department.objects.filter(code=centre_code()).first() or False
        user._appeals_centre = cached
    return cached or None


def is_dispatcher(user: Any) -> bool:
    department = _centre(user)
    return department is not None and has_role(user, Role.WINDOW, department)


def is_editor(user: Any) -> bool:
    department = _centre(user)
    return department is not None and (
        has_role(user, Role.INFO_OFFICER, department) or is_dispatcher(user)
    )


def acts_for(user: Any, department: Department) -> bool:
    """Whether the user works for the department: a unit role in it, above it or below it."""
    return acts_within(user, UNIT_ROLES, department)


def unit_departments_q(user: Any) -> Q:
    """Departments the user acts for, as a filter on `department` (see `acts_for`)."""
    condition = Q(pk__in=[])
    for path in Membership.objects.filter(user=user, role__in=UNIT_ROLES).values_list(
        "department__path", flat=True
    ):
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        condition |= Q(path__startswith=path) | Q(pk__in=ancestors)
    return condition


def _involved(user: Any, appeal: Any) -> bool:
    return any(acts_for(user, a.department) for a in appeal.master.assignments.all())


@rule("appeals.desk")
def _desk(user: Any, obj: Any) -> bool:
    return bool(
        is_dispatcher(user)
        or is_editor(user)
        or is_supervisor(user)
        or Membership.objects.filter(user=user, role__in=UNIT_ROLES).exists()
    )


@rule("appeals.view")
def _view(user: Any, appeal: Any) -> bool:
    if appeal is None:
        return False
    return is_dispatcher(user) or is_editor(user) or is_supervisor(user) or _involved(user, appeal)


@rule("appeals.intake")
def _intake(user: Any, obj: Any) -> bool:
    """Operators record calls and transfers from the higher level."""
    return is_dispatcher(user)


@rule("appeals.refer")
def _refer(user: Any, organisation: Any) -> bool:
    """An agency's staff hand a matter to 12345 on the agency's behalf."""
    return organisation is not None and acts_for(user, organisation)


@allow_anonymous
@rule("appeals.submit")
def _submit(user: Any, obj: Any) -> bool:
    """The web form and the mailboxes are open to everyone (contact details required)."""
    return True


@allow_anonymous
@rule("appeals.citizen")
def _citizen(user: Any, access: Any) -> bool:
    """The writer signed in, or anyone holding the query code (GB/T 33358: follow without login)."""
    if access is None:
        return False
    appeal = access.appeal
    if user is not None and user.is_authenticated and appeal.citizen_id == user.pk:
        return True
    return bool(access.code) and check_query_code(access.code, appeal.query_digest)


@rule("appeals.dispatch")
def _dispatch(user: Any, appeal: Any) -> bool:
    return is_dispatcher(user)


@rule("appeals.unit")
def _unit(user: Any, assignment: Any) -> bool:
    """Sign, return, ask for an extension, reply: the assigned department's people."""
    return assignment is not None and acts_for(user, assignment.department)


@rule("appeals.urge")
def _urge(user: Any, appeal: Any) -> bool:
    return is_dispatcher(user) or is_supervisor(user)


@rule("appeals.publish")
def _publish(user: Any, appeal: Any) -> bool:
    return is_editor(user)


@rule("appeals.stats")
def _stats(user: Any, obj: Any) -> bool:
    return is_dispatcher(user) or is_editor(user) or is_supervisor(user)


@rule("appeals.manage_keys")
def _manage_keys(user: Any, obj: Any) -> bool:
    return is_platform_admin(user)
