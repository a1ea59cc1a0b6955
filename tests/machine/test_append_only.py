"""Every machine's events are append-only in the database itself on PostgreSQL (the trigger of
`machine.operations.AppendOnly`, one per event table, one shared function); SQLite has no
such trigger, and the read-only admins and PROTECT keys (tests/machine/test_tables) hold."""

import pytest
from django.db import DatabaseError, connection, transaction

from minxin.board.services import post_moderate
from minxin.machine.operations import trigger_name
from minxin.machine.registry import machines
from tests.builders import appeal_new

from .cases import CASES

MACHINES = {m.name: m for m in machines()}


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_the_history_cannot_be_rewritten_on_postgresql(district, name):
    machine = MACHINES[name]
    pk = appeal_new(district).pk if name == "appeal" else CASES[name].build(district)
    if name == "moderation":  # a post has no creating entry: its first decision is one
        post_moderate(
            actor=district.user("dispatcher"), post_id=pk, action="publish", expected_version=1
        )
    events = machine.event.objects.filter(**{f"{machine.event_subject}_id": pk})
    rows = list(events.values_list("id", "action", "reason"))
    assert rows
    table = machine.event._meta.db_table
    if connection.vendor != "postgresql":
        assert _triggers(table) == set()
        return
    assert _triggers(table) == {trigger_name(table)}
    quoted = connection.ops.quote_name(table)
    for sql in (f"UPDATE {quoted} SET reason = 'x'", f"DELETE FROM {quoted}"):  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert list(events.values_list("id", "action", "reason")) == rows
