"""SQLite: the FTS5 table is not a model, so nothing but this trigger removes its row when the
document row goes (a flush, a deleted source). Without it a search can return an id whose
document no longer exists. PostgreSQL keeps the tokens in the document row itself."""

from django.db import migrations

CREATE = (
    "CREATE TRIGGER search_fts_follows_documents AFTER DELETE ON search_searchdocument"
    " BEGIN DELETE FROM search_fts WHERE rowid IN (old.id, -old.id); END"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS search_fts_follows_documents")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_one_fts_row_per_item")]
    operations = [migrations.RunPython(forwards, backwards)]
