"""Who may watch and act: the supervision office (监察) everywhere; a department's heads (主要领导,
分管领导) see their own department's signals and may send a 催办 there, nothing more."""

from typing import Any

from sunshine.org.models import Department
from sunshine.org.permissions import has_role, is_staff_member, is_supervisor, rule

from .cases import ANSWERING_ROLES, answers_for
from .cases import HEAD_ROLES as HEADS


def _department_of(obj: Any):
    return getattr(obj, "department", None)


@rule("supervision.view")
def view(user: Any, obj: Any) -> bool:
    if is_supervisor(user):
        return True
    department = _department_of(obj)
    return has_role(user, HEADS, department) if department else has_role(user, HEADS)


@rule("supervision.remind")
def remind(user: Any, alert: Any) -> bool:
    return is_supervisor(user) or has_role(user, HEADS, alert.department)


@rule("supervision.act")
def act(user: Any, alert: Any) -> bool:
    """督办, 纠错 and closing a signal are the supervision office's alone."""
    return is_supervisor(user)


@rule("supervision.respond")
def respond(user: Any, urging: Any) -> bool:
    """The urged department's people, and those who answer for the urged case's clock."""
    return has_role(user, ANSWERING_ROLES, urging.department) or answers_for(
        user, urging.alert.clock
    )


@rule("supervision.bulletin")
def bulletin(user: Any, scheme: Any) -> bool:
    """The supervision office scores and drafts the 通报."""
    return is_supervisor(user)


@rule("supervision.approve_bulletin")
def approve_bulletin(user: Any, bulletin: Any) -> bool:
    """A leader of the government (the root of the tree) approves publication."""
    root = Department.objects.filter(parent__isnull=True).first()
    return root is not None and has_role(user, HEADS, root)


@rule("supervision.read_bulletin")
def read_bulletin(user: Any, bulletin: Any) -> bool:
    if bulletin.state == bulletin.State.PUBLISHED:
        return is_staff_member(user)
    return is_supervisor(user) or approve_bulletin(user, bulletin)


@rule("supervision.read_notification")
def read_notification(user: Any, notification: Any) -> bool:
    """Staff mark their own notifications read (all of them when no one is named)."""
    if notification is None:
        return is_staff_member(user)
    return notification.recipient_id == user.pk
