"""Reads for the public pages, the workbench and the annual report."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from sunshine.org.models import Department, Role
from sunshine.org.permissions import departments_for, is_platform_admin, is_supervisor

from .models import Category, Column, Placement, Publication, Site, Task, Theme

PUBLISHED = Publication.State.PUBLISHED


def public() -> QuerySet[Publication]:
    """What the public may list: published and not withdrawn."""
    return Publication.objects.filter(state=PUBLISHED).select_related("organisation", "theme")


def visible_item(pk: int) -> Publication | None:
    """An item page: published, or withdrawn (its page then says so)."""
    return (
        Publication.objects.filter(pk=pk, state__in=[PUBLISHED, Publication.State.WITHDRAWN])
        .select_related("organisation", "theme", "theme__parent", "category")
        .prefetch_related("attachments")
        .first()
    )


_STAMP_SQL = (
    f"SELECT page_revision FROM {Publication._meta.db_table}"  # noqa: S608 -- constants
    f" WHERE id = %s AND state IN ('{PUBLISHED}', '{Publication.State.WITHDRAWN}')"
)


def item_stamp(pk: int) -> int | None:
    """The revision of a public item's page; None when it is not public. Plain SQL: asked on
    every anonymous view, where building the ORM query would cost more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL, [pk])
        row = cursor.fetchone()
    return None if row is None else row[0]


COLUMN_ORDER = ("-pinned", "-publication__published_at", "-publication__pk")


def column_items(column: Column) -> QuerySet[Placement]:
    """A column's placements of public items, pinned (置顶) first, newest first."""
    return (
        Placement.objects.filter(column=column, publication__state=PUBLISHED)
        .select_related("publication", "publication__organisation")
        .order_by(*COLUMN_ORDER)
    )


def site_columns(site: Site, per_column: int) -> list[tuple[Column, list[Placement]]]:
    """Every column of a site with its first items in column order: two queries, whatever
    the number of columns (a site's front page, the portal's home page).
    """
    columns = list(site.columns.all())
    firsts = (
        Placement.objects.filter(column__site=site, publication__state=PUBLISHED)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=F("column_id"),
                order_by=[F(name[1:]).desc() for name in COLUMN_ORDER],
            )
        )
        .filter(position__lte=per_column)
        .select_related("publication")
        .order_by("column_id", "position")
    )
    items: dict[int, list[Placement]] = {}
    for placement in firsts:
        items.setdefault(placement.column_id, []).append(placement)
    return [(column, items.get(column.pk, [])) for column in columns]


def latest(organisation: Department | None = None, limit: int = 8) -> list[Publication]:
    qs = public()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return list(qs.order_by("-published_at", "-pk")[:limit])


@dataclass
class CategoryNode:
    category: Category
    count: int
    children: list["CategoryNode"]


def catalogue_organisations() -> QuerySet[Department]:
    """The organisations that keep a catalogue (政府信息公开目录), in the tree's order."""
    return Department.objects.filter(
        pk__in=Category.objects.values("organisation"), is_active=True
    ).order_by("path")


def catalogue_tree(organisation: Department) -> list[CategoryNode]:
    """The catalogue with the number of public items under each node (one query for counts)."""
    categories = list(Category.objects.filter(organisation=organisation, is_active=True))
    counts = dict(
        public()
        .filter(organisation=organisation)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    nodes = {c.pk: CategoryNode(c, counts.get(c.pk, 0), []) for c in categories}
    roots = []
    for c in categories:
        node = nodes[c.pk]
        if c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
        else:
            roots.append(node)
    for node in roots:
        node.count += sum(child.count for child in node.children)
    return roots


# <select> choices in groups (<optgroup>): (group label, [(value, option label), …]).
GroupedChoices = list[tuple[str, list[tuple[int, str]]]]


def category_choices(organisations: Iterable[Department]) -> GroupedChoices:
    """Each organisation's active catalogue under its name, in the order given, every category
    followed by its children. A child reads "法规文件 / 规章": several parents have children
    of the same name, and a phone's picker or a screen reader may not show the group.
    """
    organisations = list(organisations)
    categories = Category.objects.filter(
        organisation__in=organisations, is_active=True
    ).select_related("parent")
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    active = {c.pk for c in categories}
    by_organisation: dict[int, list[tuple[int, str]]] = {}

    def walk(nodes: list[Category]) -> None:
        for node in nodes:
            by_organisation.setdefault(node.organisation_id, []).append((node.pk, str(node)))
            walk(children.get(node.pk, []))

    # A category under an inactive parent starts a branch of its own, as in catalogue_tree.
    walk([c for c in categories if c.parent_id not in active])
    return [(o.name, by_organisation[o.pk]) for o in organisations if o.pk in by_organisation]


def theme_choices() -> GroupedChoices:
    """The sub-themes (the ones an item is filed under) grouped under their theme, in the
    themes' order. A name found under several themes (其他, 重大建设项目) carries its theme's
    name as well, so that no two options read alike outside their group.
    """
    themes = list(Theme.objects.filter(parent__isnull=False).select_related("parent"))
    themes.sort(key=lambda t: (t.parent.sort_order, t.parent_id, t.sort_order, t.pk))
    parents: dict[str, set[int]] = {}
    for t in themes:
        parents.setdefault(t.name, set()).add(t.parent_id)
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for t in themes:
        label = f"{t.parent.name} · {t.name}" if len(parents[t.name]) > 1 else t.name
        groups.setdefault(t.parent_id, (t.parent.name, []))[1].append((t.pk, label))
    return list(groups.values())


def category_items(category: Category) -> QuerySet[Publication]:
    ids = [category.pk, *category.children.values_list("pk", flat=True)]
    return public().filter(category_id__in=ids).order_by("-published_at", "-pk")


def normative_document_counts(organisation: Department, year: int) -> dict[str, dict[str, int]]:
    """条例 Art. 20(1) figures for the annual report (section 二 of the national template):
    for 规章 and 行政规范性文件, how many were issued in `year`, abolished (废止/失效) in it, and in
    force at its end. Withdrawn items are not counted as in force.
    """
    end = timezone.make_aware(datetime.combine(date(year, 12, 31), time.max))
    result = {}
    for kind in (Publication.Kind.RULE, Publication.Kind.NORMATIVE):
        qs = Publication.objects.filter(
            organisation=organisation,
            kind=kind,
            published_at__isnull=False,
            published_at__lte=end,
        ).exclude(withdrawn_at__lte=end)
        ended = Q(validity__in=[Publication.Validity.ABOLISHED, Publication.Validity.EXPIRED])
        counts = qs.aggregate(
            issued=Count("pk", filter=Q(published_at__year=year)),
            abolished=Count("pk", filter=ended & Q(validity_on__year=year)),
            in_force=Count("pk", filter=~(ended & Q(validity_on__lte=date(year, 12, 31)))),
        )
        result[kind] = counts
    return result


def drafts_for(user: Any) -> QuerySet[Publication]:
    """Items the user wrote, and the drafts of the units they are 信息员 for."""
    units = departments_for(user, [Role.INFO_OFFICER])
    return (
        Publication.objects.filter(Q(author=user) | Q(department__in=units))
        .exclude(state=PUBLISHED)
        .select_related("department")
        .order_by("-pk")
    )


def pending_tasks_for(user: Any) -> QuerySet[Task]:
    """Steps waiting for this reviewer: the step's role, held over the submitting unit."""
    condition = Q(pk__in=[])
    for role in Role.values:
        units = departments_for(user, [role])
        condition |= Q(step__role=role, submission__publication__department__in=units)
    return (
        Task.objects.filter(condition, state=Task.State.PENDING)
        .select_related("step", "submission__publication", "submission__publication__department")
        .order_by("started_at", "pk")
    )


def rereview_queue(user: Any, today: date) -> QuerySet[Publication]:
    """条例 Art. 18: withheld items whose periodic re-review is due."""
    qs = Publication.objects.filter(state=Publication.State.WITHHELD, rereview_on__lte=today)
    if is_platform_admin(user) or is_supervisor(user):
        return qs.order_by("rereview_on")
    units = departments_for(user, [Role.SECRECY, Role.DEPUTY_LEADER, Role.LEADER, Role.ADMIN])
    return qs.filter(department__in=units).order_by("rereview_on")


def managed_for(user: Any) -> QuerySet[Publication]:
    """Published items a leader of the unit may withdraw or mark 废止/失效."""
    if is_platform_admin(user):
        return public().order_by("-published_at")
    units = departments_for(user, [Role.DEPUTY_LEADER, Role.LEADER, Role.ADMIN])
    return public().filter(department__in=units).order_by("-published_at")
