"""On PostgreSQL the database itself refuses UPDATE and DELETE on the suggestion history."""

from django.db import migrations

from minxin.machine.operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
        ("cases", "0002_event_append_only"),
    ]
    operations = [AppendOnly("suggestionevent")]
