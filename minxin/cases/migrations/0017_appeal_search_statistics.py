"""PostgreSQL keeps a larger sample of the searched fields (minxin.core.search.PG_STATISTICS):
the planner's guess of how many appeals hold a word decides whether a search walks the list's
order or sorts every match, and the default sample guessed common words as rare."""

from django.db import migrations

from minxin.core.search import pg_statistics

FIELDS = ["title", "content"]


def more_statistics(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("cases", "Appeal")._meta.db_table
    for statement in pg_statistics(table, FIELDS):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_reply_photos")]

    operations = [migrations.RunPython(more_statistics, migrations.RunPython.noop)]
