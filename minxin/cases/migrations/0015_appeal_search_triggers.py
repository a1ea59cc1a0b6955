"""SQLite rebuilds a table to add a foreign key (0014's peer): the rebuild drops the table's
triggers, so the search index stopped following the appeals. Recreate it there; PostgreSQL
alters in place and keeps its triggers."""

from django.db import migrations

from minxin.core.search import _sqlite_create, _sqlite_drop

FIELDS = ["title", "content"]


def recreate(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "sqlite":
        return
    table = apps.get_model("cases", "Appeal")._meta.db_table
    for statement in [*_sqlite_drop(table), *_sqlite_create(table, FIELDS)]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_appeal_upstream")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
