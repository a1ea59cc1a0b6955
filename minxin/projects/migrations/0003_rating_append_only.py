"""Residents' ratings are append-only like the timeline: on PostgreSQL the table itself refuses
UPDATE and DELETE (a verdict, once given, is never changed or withdrawn by the site)."""

from django.db import migrations

from minxin.machine.operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_event_append_only")]
    operations = [AppendOnly("projectrating")]
