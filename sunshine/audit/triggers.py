"""Database triggers that make the audit table append-only, whatever client writes to it.

One definition serves the migration that installs them, the test suite's flush (testing.py) and
the tests. SQLite drops a table's triggers when a migration rebuilds the table, so a later
migration that alters AuditEvent must call `install_triggers` again (the trigger tests fail
otherwise).
"""

from typing import NamedTuple

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
# Stored in the database's trigger definitions, so it is not translated at run time.
MESSAGE = "审计日志只能追加，不能修改或删除"


class TriggerSQL(NamedTuple):
    create: list[str]
    drop: list[str]


def trigger_sql(vendor: str) -> TriggerSQL:
    """The statements that create and drop the append-only triggers on this database vendor."""
    if vendor == "sqlite":
        create = [
            f'CREATE TRIGGER "{TABLE}_no_{op.lower()}" BEFORE {op} ON "{TABLE}" '
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for op in ("UPDATE", "DELETE")
        ]
        drop = [f'DROP TRIGGER IF EXISTS "{TABLE}_no_{op}"' for op in ("update", "delete")]
        return TriggerSQL(create, drop)
    if vendor == "postgresql":
        # 23000 (integrity_constraint_violation) surfaces as IntegrityError, as on SQLite.
        return TriggerSQL(
            create=[
                f'CREATE FUNCTION "{TABLE}_refuse"() RETURNS trigger LANGUAGE plpgsql AS $$ '
                f"BEGIN RAISE EXCEPTION '{MESSAGE}' "
                f"USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f'CREATE TRIGGER "{TABLE}_no_change" BEFORE UPDATE OR DELETE ON "{TABLE}" '
                f'FOR EACH ROW EXECUTE FUNCTION "{TABLE}_refuse"()',
                f'CREATE TRIGGER "{TABLE}_no_truncate" BEFORE TRUNCATE ON "{TABLE}" '
                f'FOR EACH STATEMENT EXECUTE FUNCTION "{TABLE}_refuse"()',
            ],
            drop=[
                f'DROP TRIGGER IF EXISTS "{TABLE}_no_change" ON "{TABLE}"',
                f'DROP TRIGGER IF EXISTS "{TABLE}_no_truncate" ON "{TABLE}"',
                f'DROP FUNCTION IF EXISTS "{TABLE}_refuse"()',
            ],
        )
    raise NotImplementedError(f"审计日志触发器不支持 {vendor} 数据库。")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, trigger_sql(connection.vendor).create)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    _execute(connection, trigger_sql(connection.vendor).drop)


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
