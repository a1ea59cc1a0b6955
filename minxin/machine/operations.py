"""The migration operation that makes an event table append-only on PostgreSQL: a trigger
refusing UPDATE and DELETE, on one function every such table shares. SQLite has no such
triggers here; the services and the read-only admin are the guard there."""

from typing import Any

from django.db.migrations.operations.base import Operation

FUNCTION = """
CREATE OR REPLACE FUNCTION minxin_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
# The function goes only when no trigger uses it any more.
FUNCTION_DROP = """
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


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


class AppendOnly(Operation):
    """`AppendOnly("appealevent")`: the model's table refuses UPDATE and DELETE."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # the model's state does not change

    def _sql(self, app_label: str, schema_editor: Any, state: Any, create: bool) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        quoted, trigger = (
            schema_editor.quote_name(table),
            schema_editor.quote_name(trigger_name(table)),
        )
        # params=None: the SQL is sent as is (with params=() psycopg would read the RAISE
        # format's "%" as a placeholder).
        if create:
            schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}", params=None)
        if create:
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {quoted} "
                "FOR EACH ROW EXECUTE FUNCTION minxin_append_only()",
                params=None,
            )
        else:
            schema_editor.execute(FUNCTION_DROP, params=None)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._sql(app_label, schema_editor, to_state, create=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._sql(app_label, schema_editor, from_state, create=False)

    def describe(self) -> str:
        return f"Make {self.model_name} append-only (PostgreSQL trigger)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_append_only"
