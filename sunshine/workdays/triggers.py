"""Database triggers that give the calendar a new revision token on every edit of the schedules.

Any writer counts (the admin, bulk seeding, another process, raw SQL), so a process's cached
calendar is checked with one single-row read. SQLite drops a table's triggers when a migration
rebuilds the table: a later migration that alters CalendarYear or SpecialDay must call
`install_triggers` again (test_models.test_any_edit_changes_the_revision fails otherwise).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

REVISION = "workdays_calendarrevision"
TABLES = ("workdays_calendaryear", "workdays_specialday")
_BUMP_SQLITE = (
    f'INSERT INTO "{REVISION}" (id, token) VALUES (1, random()) '  # noqa: S608
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
_BUMP_POSTGRES = (
    f'INSERT INTO "{REVISION}" (id, token) '  # noqa: S608
    "VALUES (1, floor(random() * 9.2e18 - 4.6e18)::bigint) "
    "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"
)


def _sql(vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create and drop the triggers on this database vendor."""
    if vendor == "sqlite":
        names = [(table, op) for table in TABLES for op in ("INSERT", "UPDATE", "DELETE")]
        create = [
            f'CREATE TRIGGER "{table}_{op.lower()}_revision" AFTER {op} ON "{table}" '
            f"BEGIN {_BUMP_SQLITE}; END"
            for table, op in names
        ]
        drop = [f'DROP TRIGGER IF EXISTS "{table}_{op.lower()}_revision"' for table, op in names]
        return create, drop
    if vendor == "postgresql":
        create = [
            'CREATE FUNCTION "workdays_bump_revision"() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f"BEGIN {_BUMP_POSTGRES}; RETURN NULL; END $$"
        ] + [
            f'CREATE TRIGGER "{table}_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION "workdays_bump_revision"()'
            for table in TABLES
        ]
        drop = [f'DROP TRIGGER IF EXISTS "{table}_revision" ON "{table}"' for table in TABLES]
        return create, [*drop, 'DROP FUNCTION IF EXISTS "workdays_bump_revision"()']
    raise NotImplementedError(f"工作日历触发器不支持 {vendor} 数据库。")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, _sql(connection.vendor)[0])


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, _sql(connection.vendor)[1])


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
