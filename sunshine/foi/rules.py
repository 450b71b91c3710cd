"""Who may do what with disclosure requests. Requests are addressed to an agency (a government, a
bureau, a township); its sections' staff handle them, so a role held in a section counts for the
agency it belongs to, and a role held above the agency covers it too.
"""

from typing import Any

from django.db.models import Q

from sunshine.org.models import Department, Membership, Role
from sunshine.org.permissions import allow_anonymous, has_role, is_supervisor, rule

HANDLING_ROLES = (
    Role.WINDOW,
    Role.HANDLER,
    Role.REVIEWER,
    Role.INFO_OFFICER,
    Role.SECRECY,
    Role.DEPUTY_LEADER,
    Role.LEADER,
)
# 条例第三十三条: the extension is approved by the head of the disclosure office; in the demo
# bureau that is the deputy in charge (分管领导) or the director.
EXTENSION_ROLES = (Role.DEPUTY_LEADER, Role.LEADER)


def agency_of(department: Department) -> Department:
    """The agency a department acts for: itself, or the nearest ancestor that is not a section."""
    if department.kind != Department.Kind.SECTION:
        return department
    return (
        department.ancestors().exclude(kind=Department.Kind.SECTION).order_by("-path").first()
        or department
    )


def _paths(user: Any, roles: tuple[str, ...]) -> list[str]:
    return list(
        Membership.objects.filter(
            user=user, role__in=roles, department__is_active=True
        ).values_list("department__path", flat=True)
    )


def agencies_scope(user: Any, roles: tuple[str, ...] = HANDLING_ROLES) -> Q:
    """A filter on `organisation` for the agencies the user works for."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for membership in Membership.objects.filter(user=user, role__in=roles).select_related(
        "department"
    ):
        department = membership.department
        condition |= Q(organisation__path__startswith=department.path)
        condition |= Q(organisation=agency_of(department))
    return condition


def works_for(user: Any, organisation: Department, roles: tuple[str, ...]) -> bool:
    if not user.is_authenticated:
        return False
    if has_role(user, roles, organisation):
        return True
    return any(
        agency_of(m.department).pk == organisation.pk
        for m in Membership.objects.filter(
            user=user, role__in=roles, department__path__startswith=organisation.path
        ).select_related("department")
    )


@rule("foi.submit")
def _submit(user: Any, obj: Any) -> bool:
    return user.is_authenticated and user.is_public


@rule("foi.staff")
def _staff(user: Any, obj: Any) -> bool:
    """The staff list (the legal section reviews from it too) and, for an agency, the entry of
    requests received in person, by post or by fax."""
    if obj is None:
        return bool(_paths(user, (*HANDLING_ROLES, Role.LEGAL)))
    return works_for(user, obj, HANDLING_ROLES)


@rule("foi.handle")
def _handle(user: Any, request: Any) -> bool:
    return works_for(user, request.organisation, HANDLING_ROLES)


@rule("foi.extend")
def _extend(user: Any, request: Any) -> bool:
    return has_role(user, EXTENSION_ROLES, request.organisation)


@rule("foi.legal_review")
def _legal_review(user: Any, request: Any) -> bool:
    return works_for(user, request.organisation, (Role.LEGAL,))


@rule("foi.manage")
def _manage(user: Any, request: Any) -> bool:
    """The staff page of a request, with the applicant's contact details and the files to be
    disclosed before the reply goes out: those who handle it, the legal section reviewing it, and
    the supervision office, whose alerts and urges link here (it reads; its panels are empty, as
    every step asks for `foi.handle` or its own rule)."""
    return works_for(user, request.organisation, (*HANDLING_ROLES, Role.LEGAL)) or is_supervisor(
        user
    )


@rule("foi.view")
def _view(user: Any, request: Any) -> bool:
    return request.applicant_id == user.pk or _manage(user, request)


@rule("foi.correct")
def _correct(user: Any, request: Any) -> bool:
    """The applicant sends the correction online, or staff record one handed in on paper."""
    return request.applicant_id == user.pk or works_for(user, request.organisation, HANDLING_ROLES)


@rule("foi.track")
@allow_anonymous
def _track(user: Any, obj: Any) -> bool:
    """Anyone holding a 受理编号 and its query code may follow that request."""
    return True
