"""Values as a raw cursor returns them."""

from datetime import UTC, datetime


def aware(value: datetime | None) -> datetime | None:
    """A datetime from a raw cursor, aware: SQLite's come back naive, in UTC (PostgreSQL's
    already carry their zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
