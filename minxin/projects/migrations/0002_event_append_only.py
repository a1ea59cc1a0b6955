"""On PostgreSQL the database itself refuses UPDATE and DELETE on a project's timeline."""

from django.db import migrations

from minxin.machine.operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [AppendOnly("projectevent")]
