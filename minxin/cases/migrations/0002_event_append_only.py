"""On PostgreSQL the database itself refuses UPDATE and DELETE on the appeal history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION minxin_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cases_appealevent_append_only ON cases_appealevent;
CREATE TRIGGER cases_appealevent_append_only
    BEFORE UPDATE OR DELETE ON cases_appealevent
    FOR EACH ROW EXECUTE FUNCTION minxin_append_only();
"""
# The function is shared by other apps' append-only tables (board, suggestions): it goes only
# when no trigger uses it any more.
DROP = """
DROP TRIGGER IF EXISTS cases_appealevent_append_only ON cases_appealevent;
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.proname = 'minxin_append_only'
    ) THEN
        DROP FUNCTION IF EXISTS minxin_append_only();
    END IF;
END $$;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL is sent as is. With the default params=() Django merges
        # parameters client-side and psycopg reads the RAISE format's "%" as a placeholder.
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
