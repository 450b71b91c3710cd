"""Page views counted per item and per column without a write per request.

Each server process adds views up in memory and writes them in one short transaction every
FLUSH_EVERY views or FLUSH_SECONDS seconds (`UPDATE … SET view_count = view_count + n`, so several
processes add up correctly). A process that dies loses at most its unwritten views.
"""

import atexit
import threading
import time
from collections import Counter

from django.db import DatabaseError, transaction
from django.db.models import F

FLUSH_EVERY = 200
FLUSH_SECONDS = 30.0

_lock = threading.Lock()
_items: Counter[int] = Counter()
_columns: Counter[int] = Counter()
_last_flush = time.monotonic()


def hit(publication_id: int | None = None, column_id: int | None = None) -> None:
    global _last_flush
    with _lock:
        if publication_id is not None:
            _items[publication_id] += 1
        if column_id is not None:
            _columns[column_id] += 1
        due = (
            _items.total() + _columns.total() >= FLUSH_EVERY
            or time.monotonic() - _last_flush >= FLUSH_SECONDS
        )
    if due:
        flush()


def flush() -> None:
    """Write the views counted so far."""
    from .models import Column, Publication

    global _last_flush
    with _lock:
        items, columns = dict(_items), dict(_columns)
        _items.clear()
        _columns.clear()
        _last_flush = time.monotonic()
    if not items and not columns:
        return
    with transaction.atomic():
        for pk, n in sorted(items.items()):
            Publication.objects.filter(pk=pk).update(view_count=F("view_count") + n)
        for pk, n in sorted(columns.items()):
            Column.objects.filter(pk=pk).update(view_count=F("view_count") + n)


def _flush_at_exit() -> None:
    try:
        flush()
    except DatabaseError:  # the database may already be gone when the process ends
        return


atexit.register(_flush_at_exit)
