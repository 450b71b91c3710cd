from django.db import migrations

from sunshine.audit.triggers import drop_triggers, install_triggers


def forwards(apps, schema_editor):
    install_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    """The database itself refuses UPDATE and DELETE (and TRUNCATE) on the audit log."""

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
