"""PostgreSQL: the tsvector stays in the row (STORAGE MAIN) instead of TOAST. A phrase is checked
against the positions of every candidate row, and fetching them from TOAST cost about as much as
the check itself. Tokens barely compress, so they are kept as they are. Existing values move
when rewritten; SQLite is unchanged."""

from django.db import migrations

FORWARDS = [
    "ALTER TABLE search_searchdocument ALTER COLUMN tokens SET STORAGE MAIN",
    # A new value (concatenation makes one) is stored under the new strategy.
    "UPDATE search_searchdocument SET tokens = tokens || ''::tsvector WHERE tokens IS NOT NULL",
]
BACKWARDS = ["ALTER TABLE search_searchdocument ALTER COLUMN tokens SET STORAGE EXTENDED"]


def run(statements: list[str]):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("search", "0005_publications_under_negative_rowids")]
    operations = [migrations.RunPython(run(FORWARDS), run(BACKWARDS))]
