"""AppealSupport (附议) moves to the board with its rows: it leaves the cases' state here and
nothing else; board 0004 (which depends on this one) takes it over with the existing table
and renames the table to board_appealsupport. Backwards, board 0004 is unapplied first (the
table gets its old name back), then this one gives the model back to the cases' state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_changed_appeal_due_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AppealSupport")],
            database_operations=[],
        ),
    ]
