"""On PostgreSQL the database itself refuses UPDATE and DELETE on the moderation history (the
function is the one cases' appeal history uses)."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS board_moderationentry_append_only ON board_moderationentry;
CREATE TRIGGER board_moderationentry_append_only
    BEFORE UPDATE OR DELETE ON board_moderationentry
    FOR EACH ROW EXECUTE FUNCTION minxin_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS board_moderationentry_append_only ON board_moderationentry;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("board", "0001_initial"), ("cases", "0002_event_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
