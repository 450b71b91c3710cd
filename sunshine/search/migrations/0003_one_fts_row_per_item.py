"""SQLite: one FTS5 row per item with its whole text, under the rowid of its first part, negated
for sources other than the publications (see backends.SQLiteBackend). PostgreSQL is unchanged.
"""

from django.db import migrations

OVERLAP = 100  # characters the parts of a long text share (tokens.MAX_QUERY_LENGTH)
MAIN_SOURCE = "publication"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from sunshine.search.tokens import index_tokens

    SearchDocument = apps.get_model("search", "SearchDocument")
    items: dict[tuple[str, int], list] = {}
    for doc in SearchDocument.objects.order_by("source", "object_id", "part").iterator():
        items.setdefault((doc.source, doc.object_id), []).append(doc)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_fts")
        for (source, _object_id), parts in items.items():
            text = parts[0].text + "".join(p.text[OVERLAP:] for p in parts[1:])
            rowid = parts[0].pk if source == MAIN_SOURCE else -parts[0].pk
            cursor.execute(
                "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [rowid, index_tokens(parts[0].title), index_tokens(text)],
            )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_token_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
