import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import minxin.directory.models


def topics_placed(apps, schema_editor):
    """Every topic so far is the first jurisdiction's (the only one an install had)."""
    Topic = apps.get_model("deliberation", "Topic")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    if not Topic.objects.exists():
        return
    first = Jurisdiction.objects.order_by("pk").first()
    if first is None:
        name = str(settings.MINXIN.get("DISTRICT_NAME") or "minxin")
        code = str(settings.MINXIN.get("OPEN311_JURISDICTION_ID") or name)
        first = Jurisdiction.objects.create(code=code, name=name)
    Topic.objects.update(jurisdiction=first)
    if schema_editor.connection.vendor == "postgresql":
        # The checks of the rows just written, deferred to the commit, would keep PostgreSQL
        # from altering the column's table (and the jurisdictions') below: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


FIELD = {
    "on_delete": django.db.models.deletion.PROTECT,
    "related_name": "+",
    "to": "directory.jurisdiction",
    "verbose_name": "辖区",
}


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_jurisdiction"),
        ("deliberation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="topic",
            name="jurisdiction",
            field=models.ForeignKey(null=True, **FIELD),
        ),
        migrations.RunPython(topics_placed, migrations.RunPython.noop),
        # NOT NULL without the default, a function the schema editor would call (cases 0018).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="topic", name="jurisdiction", field=models.ForeignKey(**FIELD)
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="topic",
                    name="jurisdiction",
                    field=models.ForeignKey(
                        default=minxin.directory.models.jurisdiction_default, **FIELD
                    ),
                ),
            ],
        ),
    ]
