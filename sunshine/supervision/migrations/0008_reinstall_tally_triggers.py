"""The tally's triggers again, after clocks 0005/0006: SQLite drops a table's triggers when a
migration rebuilds it, and a database that had supervision 0006 before those clocks migrations
would have lost them. The tally is counted afresh from the clocks, in case anything changed
while the triggers were missing. A later migration that rebuilds clocks_clock must do the same
(test_tally_triggers_are_installed fails otherwise)."""

import importlib

from django.db import migrations

tally = importlib.import_module(
    "sunshine.supervision.migrations.0006_clock_tally_and_leaner_alert_indexes"
)


def reinstall(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in tally.POSTGRES_REVERSE if postgres else tally.SQLITE_REVERSE:
        schema_editor.execute(sql)
    schema_editor.execute(f"DELETE FROM {tally.TALLY}")  # noqa: S608 -- fixed table name
    for sql in [tally.FILL, *(tally.POSTGRES if postgres else tally.SQLITE)]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0006_redundant_fk_indexes"),
        ("supervision", "0007_sweep_columns_without_constraints"),
    ]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
