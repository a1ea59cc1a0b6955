import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import minxin.directory.models


def suggestions_placed(apps, schema_editor):
    """Every suggestion so far is the first jurisdiction's (the only one an install had)."""
    Suggestion = apps.get_model("suggestions", "Suggestion")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    if not Suggestion.objects.exists():
        return
    first = Jurisdiction.objects.order_by("pk").first()
    if first is None:
        name = str(settings.MINXIN.get("DISTRICT_NAME") or "minxin")
        code = str(settings.MINXIN.get("OPEN311_JURISDICTION_ID") or name)
        first = Jurisdiction.objects.create(code=code, name=name)
    Suggestion.objects.update(jurisdiction=first)
    if schema_editor.connection.vendor == "postgresql":
        # The checks of the rows just written, deferred to the commit, would keep PostgreSQL
        # from altering the table below (an install with rows and no district yet): now.
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
        ("suggestions", "0003_event_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="jurisdiction",
            field=models.ForeignKey(null=True, **FIELD),
        ),
        migrations.RunPython(suggestions_placed, migrations.RunPython.noop),
        # NOT NULL without the default, a function the schema editor would call (cases 0018).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="suggestion", name="jurisdiction", field=models.ForeignKey(**FIELD)
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="suggestion",
                    name="jurisdiction",
                    field=models.ForeignKey(
                        default=minxin.directory.models.jurisdiction_default, **FIELD
                    ),
                ),
            ],
        ),
    ]
