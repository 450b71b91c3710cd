"""Atom feeds per column (and RSS through the same class)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import queries
from .models import Column, Publication
from .text import html_to_text

FEED_SIZE = 30


class ColumnFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, code: str, slug: str) -> Column:
        return get_object_or_404(Column.objects.select_related("site"), site__code=code, slug=slug)

    def title(self, column: Column) -> str:
        return str(column)

    def link(self, column: Column) -> str:
        return reverse("publishing:column", args=[column.site.code, column.slug])

    def items(self, column: Column) -> list[Publication]:
        return [p.publication for p in queries.column_items(column)[:FEED_SIZE]]

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        return item.summary or html_to_text(item.body)[:200]

    def item_link(self, item: Publication) -> str:
        return reverse("publishing:item", args=[item.pk])

    def item_pubdate(self, item: Publication):
        return item.published_at


class ColumnRss(ColumnFeed):
    feed_type = Feed.feed_type
