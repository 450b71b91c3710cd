"""The search index: one row per part of a public item, with the facets results are filtered by.

The tokenised text itself lives in the backend's own structure (an FTS5 table on SQLite, a
tsvector column on PostgreSQL), created by this app's migration for the database in use.
Long texts are cut into overlapping parts so that PostgreSQL's 16,383 token positions suffice.
"""

from django.db import models


class SearchDocument(models.Model):
    source = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    part = models.PositiveIntegerField(default=0)
    organisation_id = models.BigIntegerField(db_index=True)
    category_id = models.BigIntegerField(null=True)
    theme_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=16, blank=True)
    year = models.PositiveIntegerField(null=True)
    published_at = models.DateTimeField(db_index=True)
    title = models.CharField(max_length=255)
    text = models.TextField()
    url = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id", "part"], name="unique_part")
        ]
        indexes = [models.Index(fields=["source", "object_id"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.part})"
