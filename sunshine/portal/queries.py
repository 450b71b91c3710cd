"""What the portal shows: the home page's columns and entries to each service, and the staff
workbench's open clocks."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from sunshine.clocks.models import Clock, State
from sunshine.clocks.queries import Status, with_status
from sunshine.org.models import Department
from sunshine.org.permissions import is_supervisor
from sunshine.publishing.models import Column, Guide, Placement, Site
from sunshine.publishing.queries import catalogue_organisations, site_columns
from sunshine.supervision import cases

PER_COLUMN = 7
WORKBENCH_ROWS = 200


@dataclass
class FrontPage:
    site: Site | None
    columns: list[tuple[Column, list[Placement]]]
    sub_sites: list[Site]
    # Organisations with a catalogue; `has_guide` says whether their guide page exists.
    organisations: list[Department]


def front_page() -> FrontPage:
    """Five queries, whatever the number of columns and items."""
    sites = list(Site.objects.all())
    main = next((s for s in sites if s.is_main), None)
    organisations = catalogue_organisations().annotate(
        has_guide=Exists(Guide.objects.filter(organisation=OuterRef("pk")))
    )
    return FrontPage(
        site=main,
        columns=site_columns(main, PER_COLUMN) if main else [],
        sub_sites=[s for s in sites if not s.is_main],
        organisations=list(organisations),
    )


def workbench_clocks(user: Any) -> list[Clock]:
    """The open clocks the person answers for (`supervision.cases.clocks_for`; the supervision
    office sees every one), soonest due first, paused ones last, each with its status label and
    the staff page of its case (`page`): one query for the clocks, one per kind for the pages."""
    qs = Clock.objects.exclude(state=State.STOPPED)
    if not is_supervisor(user):
        qs = qs.filter(cases.clocks_for(user))
    clocks = list(
        with_status(qs)
        .select_related("department", "responsible")
        .order_by("state", "due_at", "pk")[:WORKBENCH_ROWS]
    )
    pages = cases.links(clocks)
    for clock in clocks:
        clock.status_label = Status.LABELS[clock.status]
        clock.page = pages.get(clock.pk, "")
    return clocks
