"""On PostgreSQL the database itself refuses UPDATE and DELETE on a suggestion's history,
with the same trigger function as the appeals' history (cases 0002)."""

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS suggestions_event_append_only ON suggestions_suggestionevent;
CREATE TRIGGER suggestions_event_append_only
    BEFORE UPDATE OR DELETE ON suggestions_suggestionevent
    FOR EACH ROW EXECUTE FUNCTION minxin_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS suggestions_event_append_only ON suggestions_suggestionevent;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
        ("cases", "0002_event_append_only"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
