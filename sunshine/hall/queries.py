"""Reads for the hall: the catalogue, an officer's cases and statistics, public rating figures."""

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from sunshine.org.models import Department
from sunshine.org.permissions import departments_for, is_supervisor

from .models import Application, FollowUp, Rating, ServiceItem, Theme


def catalogue(*, q: str = "", department: str = "", theme: str = "") -> QuerySet[ServiceItem]:
    """Current items, filtered by department code, theme id and a plain search over name and
    codes (the site-wide full-text search is the search app's)."""
    qs = ServiceItem.objects.filter(is_current=True).select_related("department")
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(name__icontains=term) | Q(basic_code__iexact=term) | Q(impl_code__iexact=term)
        )
    if department:
        qs = qs.filter(department__code=department)
    if theme.isascii() and theme.isdigit() and len(theme) < 19:  # else no id fits a bigint
        qs = qs.filter(themes=int(theme))
    return qs.order_by("name")


def versions(item: ServiceItem) -> dict[str, Any]:
    """The item's versions, newest first, with the current one and the one that superseded
    `item` (None while it is current)."""
    rows = list(
        ServiceItem.objects.filter(impl_code=item.impl_code)
        .only("pk", "version", "is_current", "effective_from")
        .order_by("-version")
    )
    return {
        "versions": rows,
        "current": next((v for v in rows if v.is_current), None),
        "successor": next((v for v in rows if v.version == item.version + 1), None),
    }


def facets() -> dict[str, Any]:
    """What the catalogue is browsed by, each with its number of current items: departments,
    topics (主题) and life events (人生事件)."""
    current = ServiceItem.objects.filter(is_current=True).order_by()
    per_department = dict(current.values_list("department").annotate(n=Count("pk")))
    departments = list(Department.objects.filter(pk__in=per_department).order_by("path"))
    for department in departments:
        department.n = per_department[department.pk]
    themes = Theme.objects.annotate(
        n=Count("serviceitem", filter=Q(serviceitem__is_current=True))
    ).filter(n__gt=0)
    return {
        "departments": departments,
        "topics": [t for t in themes if t.kind == Theme.Kind.TOPIC],
        "life_events": [t for t in themes if t.kind == Theme.Kind.LIFE_EVENT],
    }


def cases_for(user: Any, q: str = "") -> QuerySet[Application]:
    """Applications of the officer's departments (the supervision office sees all)."""
    # Never received (drafts, and drafts their applicant discarded): not a case of anyone's.
    qs = Application.objects.exclude(received_at=None).select_related("item")
    if not is_supervisor(user):
        departments = departments_for(user)
        qs = qs.filter(
            Q(item__department__in=departments) | Q(instance__tasks__department__in=departments)
        ).distinct()
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(applicant_name__icontains=term)
            | Q(project__icontains=term)
            | Q(item__name__icontains=term)
        )
    return qs.order_by("-received_at", "-pk")


def unit_statistics(user: Any) -> dict[str, Any]:
    cases = cases_for(user).order_by()
    by_state = dict(cases.values_list("state").annotate(n=Count("pk", distinct=True)))
    ratings = Rating.objects.filter(application__in=cases.values("pk"))
    return {
        "by_state": [
            (label, by_state.get(value, 0)) for value, label in Application.State.choices[1:]
        ],
        "deemed": cases.filter(deemed_accepted=True).count(),
        "ratings": ratings.aggregate(n=Count("pk"), avg=Avg("score")),
        "follow_ups_open": FollowUp.objects.filter(
            rating__in=ratings, state=FollowUp.State.OPEN
        ).count(),
    }


def public_ratings() -> dict[str, Any]:
    """好差评 in aggregate (评价结果及整改情况向社会公开)."""
    counts = dict(Rating.objects.values_list("score").annotate(n=Count("pk")))
    total = sum(counts.values())
    good = sum(n for score, n in counts.items() if score <= 3)
    follow_ups = FollowUp.objects.aggregate(
        n=Count("pk"), closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED))
    )
    return {
        "counts": counts,
        "total": total,
        "rate": round(100 * good / total, 1) if total else None,
        "follow_ups": follow_ups,
    }
