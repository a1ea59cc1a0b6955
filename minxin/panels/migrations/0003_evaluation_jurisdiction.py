import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import minxin.directory.models


def _checked_now(schema_editor):
    """The rows' deferred foreign key checks run now: PostgreSQL alters no table with checks
    pending, as the NOT NULL below does in this transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def evaluations_placed(apps, schema_editor):
    """Every evaluation so far is the first jurisdiction's (the only one an install had)."""
    Evaluation = apps.get_model("panels", "Evaluation")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    if not Evaluation.objects.exists():
        return
    first = Jurisdiction.objects.order_by("pk").first()
    if first is None:
        name = str(settings.MINXIN.get("DISTRICT_NAME") or "minxin")
        code = str(settings.MINXIN.get("OPEN311_JURISDICTION_ID") or name)
        first = Jurisdiction.objects.create(code=code, name=name)
    Evaluation.objects.update(jurisdiction=first)
    _checked_now(schema_editor)


FIELD = {
    "on_delete": django.db.models.deletion.PROTECT,
    "related_name": "+",
    "to": "directory.jurisdiction",
    "verbose_name": "辖区",
}


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_jurisdiction"),
        ("panels", "0002_panellist_account"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="jurisdiction",
            field=models.ForeignKey(null=True, **FIELD),
        ),
        migrations.RunPython(evaluations_placed, migrations.RunPython.noop),
        # NOT NULL without the default, a function the schema editor would call (cases 0018).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="evaluation", name="jurisdiction", field=models.ForeignKey(**FIELD)
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="evaluation",
                    name="jurisdiction",
                    field=models.ForeignKey(
                        default=minxin.directory.models.jurisdiction_default, **FIELD
                    ),
                ),
            ],
        ),
    ]
