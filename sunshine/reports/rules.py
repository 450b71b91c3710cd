"""Annual reports are written by the disclosure office and its leaders; final ones are public."""

from typing import Any

from sunshine.foi.rules import works_for
from sunshine.org.models import Role
from sunshine.org.permissions import allow_anonymous, is_platform_admin, is_supervisor, rule

EDIT_ROLES = (Role.INFO_OFFICER, Role.DEPUTY_LEADER, Role.LEADER, Role.ADMIN)


@rule("reports.edit")
def _edit(user: Any, organisation: Any) -> bool:
    if organisation is None:
        return is_platform_admin(user) or any(m.role in EDIT_ROLES for m in user.memberships.all())
    return is_platform_admin(user) or works_for(user, organisation, EDIT_ROLES)


@rule("reports.finalise")
def _finalise(user: Any, organisation: Any) -> bool:
    """The leader in charge is the 第一责任人 of the report (国办公开办函〔2021〕30号)."""
    return works_for(user, organisation, (Role.DEPUTY_LEADER, Role.LEADER))


@rule("reports.enter")
def _enter(user: Any, organisation: Any) -> bool:
    """Section 三 typed in from a paper report: the disclosure office and its leaders, who
    answer for the figures; not the platform's administrators."""
    return works_for(user, organisation, (Role.INFO_OFFICER, Role.DEPUTY_LEADER, Role.LEADER))


@rule("reports.view")
@allow_anonymous
def _view(user: Any, report: Any) -> bool:
    if report.state == report.State.FINAL:
        return True
    return user.is_authenticated and (is_supervisor(user) or _edit(user, report.organisation))
