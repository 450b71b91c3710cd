"""The token index of the database in use: an FTS5 table on SQLite, a tsvector + GIN on PostgreSQL."""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 0')"
        ],
        ["DROP TABLE search_fts"],
    ),
    "postgresql": (
        [
            "ALTER TABLE search_searchdocument ADD COLUMN tokens tsvector",
            "CREATE INDEX search_tokens_gin ON search_searchdocument USING gin (tokens)",
        ],
        [
            "DROP INDEX search_tokens_gin",
            "ALTER TABLE search_searchdocument DROP COLUMN tokens",
        ],
    ),
}


def forwards(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][0]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor][1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
