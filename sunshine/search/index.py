"""Writing the index. Called by the actions that make an item public or take it back (publish,
withdraw), in their transaction, never by signals: the index changes exactly when the item does.
"""

from datetime import datetime

from django.db import connection, transaction

from .backends import backend
from .models import SearchDocument
from .tokens import MAX_QUERY_LENGTH

PART_CHARS = 4000


def split_parts(text: str) -> list[str]:
    """Overlapping parts, so a phrase of up to MAX_QUERY_LENGTH characters is whole in one part."""
    if len(text) <= PART_CHARS:
        return [text]
    step = PART_CHARS - MAX_QUERY_LENGTH
    return [text[i : i + PART_CHARS] for i in range(0, len(text) - MAX_QUERY_LENGTH, step)]


def index_document(
    source: str,
    object_id: int,
    *,
    title: str,
    text: str,
    url: str,
    organisation_id: int,
    published_at: datetime,
    category_id: int | None = None,
    theme_id: int | None = None,
    kind: str = "",
) -> None:
    """Put (or put again) one public item in the index."""
    store = backend()
    with transaction.atomic():
        remove_document(source, object_id)
        parts = split_parts(text)
        ids = []
        for number, part in enumerate(parts):
            doc = SearchDocument.objects.create(
                source=source,
                object_id=object_id,
                part=number,
                organisation_id=organisation_id,
                category_id=category_id,
                theme_id=theme_id,
                kind=kind,
                year=published_at.year,
                published_at=published_at,
                title=title,
                text=part,
                url=url,
            )
            ids.append(doc.pk)
        with connection.cursor() as cursor:
            store.write(cursor, source, ids, title, text, parts)


def remove_document(source: str, object_id: int) -> None:
    with transaction.atomic():
        parts = SearchDocument.objects.filter(source=source, object_id=object_id)
        ids = list(parts.values_list("pk", flat=True))
        if ids:
            with connection.cursor() as cursor:
                backend().delete(cursor, ids)
            parts.delete()
