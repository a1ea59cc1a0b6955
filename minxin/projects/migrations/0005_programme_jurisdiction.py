import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import minxin.directory.models


def programmes_placed(apps, schema_editor):
    """Every programme so far is the first jurisdiction's (the only one an install had)."""
    Programme = apps.get_model("projects", "Programme")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    if not Programme.objects.exists():
        return
    first = Jurisdiction.objects.order_by("pk").first()
    if first is None:
        name = str(settings.MINXIN.get("DISTRICT_NAME") or "minxin")
        code = str(settings.MINXIN.get("OPEN311_JURISDICTION_ID") or name)
        first = Jurisdiction.objects.create(code=code, name=name)
    Programme.objects.update(jurisdiction=first)
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
        ("projects", "0004_project_points"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="jurisdiction",
            field=models.ForeignKey(null=True, **FIELD),
        ),
        migrations.RunPython(programmes_placed, migrations.RunPython.noop),
        # NOT NULL without the default, a function the schema editor would call (cases 0018).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="programme", name="jurisdiction", field=models.ForeignKey(**FIELD)
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="programme",
                    name="jurisdiction",
                    field=models.ForeignKey(
                        default=minxin.directory.models.jurisdiction_default, **FIELD
                    ),
                ),
            ],
        ),
    ]
