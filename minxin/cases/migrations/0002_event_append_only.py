"""On PostgreSQL the database itself refuses UPDATE and DELETE on the appeal history."""

from django.db import migrations

from minxin.machine.operations import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [AppendOnly("appealevent")]
