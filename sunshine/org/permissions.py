"""The one place that answers "may this person do this to this object?".

Every view, API handler and action asks `can()` or `require()` with a named action, CKAN-style:
each action has one rule function. Rules of an app live in its `rules.py` and register here with
`@rule("app.verb")`; the answer always comes from this module, so admin, pages, API and scripts
agree. An unknown action is denied, never allowed.

A role held in a department covers that department and every department under it.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import Department, Membership, Role

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


class PermissionDenied(DjangoPermissionDenied):
    """Raised by `require`; views turn it into a 403 page with the message in Chinese."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("您没有执行此操作的权限。"))


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        if action in _RULES:
            raise ValueError(f"permission rule {action!r} registered twice")
        _RULES[action] = func
        return func

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        check = _RULES.get(action)
        return bool(check and getattr(check, "allows_anonymous", False) and check(user, obj))
    check = _RULES.get(action)
    return bool(check and check(user, obj))


def require(user: Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied()


def allow_anonymous(func: Rule) -> Rule:
    """Mark a rule that is also asked for visitors who have not signed in."""
    func.allows_anonymous = True  # type: ignore[attr-defined]
    return func


# --- role lookups (memoised on the user object for the length of a request) ------------------


def _memberships(user: Any) -> list[tuple[str, str]]:
    """(role, department path) pairs of the user's active memberships."""
    cached = getattr(user, "_sunshine_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, department__is_active=True).values_list(
                "role", "department__path"
            )
        )
        user._sunshine_memberships = cached
    return cached


def is_platform_admin(user: Any) -> bool:
    """A superuser, or an administrator (管理员) at the top of a tree."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(role == Role.ADMIN and path.count("/") == 2 for role, path in _memberships(user))


def has_role(user: Any, roles: Iterable[str] | str, department: Department | None = None) -> bool:
    """Whether the user holds one of `roles` in `department` or above it (anywhere if None)."""
    if not user.is_authenticated:
        return False
    wanted = {roles} if isinstance(roles, str) else set(roles)
    for role, path in _memberships(user):
        if role in wanted and (department is None or department.path.startswith(path)):
            return True
    return False


def acts_within(user: Any, roles: Iterable[str] | str, department: Department) -> bool:
    """Whether the user holds one of `roles` in the department, above it, or in one of its
    sections: a 科室's staff act for their 局 (a request or ticket is addressed to the 局)."""
    if not user.is_authenticated:
        return False
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return any(
        role in wanted and (department.path.startswith(path) or path.startswith(department.path))
        for role, path in _memberships(user)
    )


def is_staff_member(user: Any) -> bool:
    return user.is_authenticated and bool(_memberships(user))


def is_supervisor(user: Any) -> bool:
    """The supervision office (监察) sees across departments."""
    return has_role(user, Role.SUPERVISOR)


def departments_for(user: Any, roles: Iterable[str] | None = None) -> QuerySet[Department]:
    """Departments the user acts for, with their subtrees: for scoping list queries."""
    paths = {p for role, p in _memberships(user) if roles is None or role in set(roles)}
    if not paths:
        return Department.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Department.objects.filter(condition)


# --- rules of the foundation ----------------------------------------------------------------


@rule("admin.site")
def _admin_site(user: Any, obj: Any) -> bool:
    return is_platform_admin(user)


@rule("admin.manage")
def _admin_manage(user: Any, obj: Any) -> bool:
    """Departments, people, roles and the calendar are kept by administrators."""
    return is_platform_admin(user)


@rule("accounts.view_pii")
def _view_pii(user: Any, person: Any) -> bool:
    """Unmasked ID and phone numbers: the person themselves and administrators."""
    return person is not None and (person.pk == user.pk or is_platform_admin(user))


@rule("portal.workbench")
def _workbench(user: Any, obj: Any) -> bool:
    return is_staff_member(user)


@rule("audit.view")
def _audit_view(user: Any, obj: Any) -> bool:
    return is_platform_admin(user) or is_supervisor(user)


@rule("org.view_department")
def _view_department(user: Any, department: Department) -> bool:
    return is_supervisor(user) or is_platform_admin(user) or has_role(user, Role.values, department)
