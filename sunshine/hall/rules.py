from typing import Any

from sunshine.org.models import Department, Role
from sunshine.org.permissions import (
    acts_within,
    allow_anonymous,
    has_role,
    is_platform_admin,
    is_staff_member,
    is_supervisor,
    rule,
)

from .models import Application, FollowUp, ServiceItem

DECIDING = (Role.HANDLER, Role.REVIEWER, Role.DEPUTY_LEADER, Role.LEADER)


def intake_department(item: ServiceItem) -> Department | None:
    first = item.process.parsed.steps[0]
    return Department.objects.filter(code=first.department).first() if first.intake else None


def is_public(user: Any) -> bool:
    return user.is_authenticated and user.kind in (user.Kind.CITIZEN, user.Kind.ENTERPRISE)


@rule("hall.browse")
@allow_anonymous
def _browse(user: Any, obj: Any) -> bool:
    return True


@rule("hall.apply")
def _apply(user: Any, item: ServiceItem | None) -> bool:
    return is_public(user) and (item is None or item.is_current)


@rule("hall.publish_version")
def _publish_version(user: Any, item: ServiceItem) -> bool:
    """The catalogue is kept in the admin, by the platform administrators."""
    return is_platform_admin(user)


@rule("hall.edit_application")
def _edit(user: Any, app: Application) -> bool:
    """A draft is filed under its version when submitted: not once that version is superseded."""
    draft = app.state == Application.State.DRAFT
    return app.applicant_id == user.pk and draft and app.item.is_current


@rule("hall.discard_draft")
def _discard(user: Any, app: Application) -> bool:
    """Unlike editing, also a draft under a superseded version: it can only be given up."""
    return app.applicant_id == user.pk and app.state == Application.State.DRAFT


@rule("hall.correct")
def _correct(user: Any, app: Application) -> bool:
    waiting = (Application.State.CORRECTION, Application.State.RETURNED)
    return app.applicant_id == user.pk and app.state in waiting


@rule("hall.rate")
def _rate(user: Any, app: Application) -> bool:
    return app.applicant_id == user.pk and app.state == Application.State.COMPLETED


@rule("hall.intake")
def _intake(user: Any, app: Application) -> bool:
    """The window of the intake step (受理, 《行政许可法》第三十二条)."""
    department = intake_department(app.item)
    return department is not None and has_role(user, Role.WINDOW, department)


@rule("hall.register_counter")
def _register(user: Any, item: ServiceItem | None) -> bool:
    if item is None:
        return has_role(user, Role.WINDOW)
    if not item.is_current:
        return False
    department = intake_department(item)
    return department is not None and has_role(user, Role.WINDOW, department)


@rule("hall.special")
def _special(user: Any, app: Application) -> bool:
    return acts_within(user, DECIDING, app.item.department)


@rule("hall.extend")
def _extend(user: Any, app: Application) -> bool:
    """+10 days with the agency head's approval; joint handling +15 with the government head's
    (《行政许可法》第四十二条)."""
    department = app.item.department
    if app.item.is_joint:
        department = department.ancestors().first() or department
    return has_role(user, Role.LEADER, department)


@rule("hall.view_application")
def _view(user: Any, app: Application) -> bool:
    if app.applicant_id == user.pk or is_supervisor(user):
        return True
    if acts_within(user, Role.values, app.item.department):
        return True
    return app.instance_id is not None and any(
        has_role(user, Role.values, task.department)
        for task in app.instance.tasks.select_related("department")
    )


@rule("hall.office")
def _office(user: Any, obj: Any) -> bool:
    return is_staff_member(user)


@rule("hall.follow_up")
def _follow_up(user: Any, follow_up: FollowUp) -> bool:
    return is_supervisor(user) or acts_within(
        user, (*DECIDING, Role.WINDOW, Role.SUPERVISOR), follow_up.department
    )
