"""Who may do what with publications (registered with org.permissions)."""

from typing import Any

from sunshine.org.models import Department, Role
from sunshine.org.permissions import (
    allow_anonymous,
    departments_for,
    has_role,
    is_platform_admin,
    is_supervisor,
    rule,
)

from .models import Publication, Task

# Everyone who takes part in 信息直报 and its review.
PUBLISHING_ROLES = (
    Role.INFO_OFFICER,
    Role.REVIEWER,
    Role.SECRECY,
    Role.DEPUTY_LEADER,
    Role.LEADER,
    Role.ADMIN,
)
MANAGERS = (Role.DEPUTY_LEADER, Role.LEADER, Role.ADMIN)
EDITABLE = (Publication.State.DRAFT, Publication.State.RETURNED)


@rule("publishing.workbench")
def _workbench(user: Any, obj: Any) -> bool:
    return has_role(user, PUBLISHING_ROLES) or is_platform_admin(user)


@rule("publishing.draft")
def _draft(user: Any, department: Department | None) -> bool:
    """信息员 draft for their unit (and the units under it)."""
    return has_role(user, Role.INFO_OFFICER, department)


@rule("publishing.draft_from_request")
def _draft_from_request(user: Any, organisation: Department) -> bool:
    """条例 Art. 44: staff answering requests turn much-requested information into a draft."""
    if organisation is None:
        return False
    staff = [r for r in Role.values if r != Role.SUPERVISOR]
    return departments_for(user, staff).filter(path__startswith=organisation.path).exists()


@rule("publishing.edit")
def _edit(user: Any, publication: Publication) -> bool:
    return publication.state in EDITABLE and (
        publication.author_id == user.pk
        or has_role(user, Role.INFO_OFFICER, publication.department)
    )


@rule("publishing.submit")
def _submit(user: Any, publication: Publication) -> bool:
    return _edit(user, publication)


@rule("publishing.view_draft")
def _view_draft(user: Any, publication: Publication) -> bool:
    return (
        publication.author_id == user.pk
        or has_role(user, PUBLISHING_ROLES, publication.department)
        or is_supervisor(user)
        or is_platform_admin(user)
    )


@rule("publishing.review")
def _review(user: Any, task: Task) -> bool:
    """Only the role of the step, over the submitting unit, acts on a pending step."""
    return task.state == Task.State.PENDING and has_role(
        user, task.step.role, task.submission.publication.department
    )


@rule("publishing.manage")
def _manage(user: Any, publication: Publication) -> bool:
    """Withdrawing, 废止/失效 and pinning: leaders of the unit, or administrators."""
    return has_role(user, MANAGERS, publication.department) or is_platform_admin(user)


@rule("publishing.rereview")
def _rereview(user: Any, publication: Publication) -> bool:
    """条例 Art. 18: withheld information is reviewed again by the secrecy reviewer or leaders."""
    return has_role(user, (Role.SECRECY, *MANAGERS), publication.department)


@rule("publishing.manage_catalogue")
def _manage_catalogue(user: Any, organisation: Department) -> bool:
    return is_platform_admin(user) or has_role(user, Role.ADMIN, organisation)


@rule("publishing.view")
@allow_anonymous
def _view(user: Any, publication: Publication) -> bool:
    return publication.is_public
