"""What the portal's home page shows: the main site's columns and the entries to each service."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from sunshine.org.models import Department
from sunshine.publishing.models import Category, Column, Guide, Placement, Site
from sunshine.publishing.queries import site_columns

PER_COLUMN = 7


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
    organisations = (
        Department.objects.filter(pk__in=Category.objects.values("organisation"), is_active=True)
        .annotate(has_guide=Exists(Guide.objects.filter(organisation=OuterRef("pk"))))
        .order_by("path")
    )
    return FrontPage(
        site=main,
        columns=site_columns(main, PER_COLUMN) if main else [],
        sub_sites=[s for s in sites if not s.is_main],
        organisations=list(organisations),
    )
