"""The district is part of a cell's key (last in the unique index: the city's sums read the
(dim, day) ranges as before). See 0006 for how the columns were filled."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def cells_recounted_if_several(apps, schema_editor):
    """Backwards: cells of several districts cannot take the key without the district, so they
    are emptied and every appeal queued to be counted again (as 0006 does forwards)."""
    Appeal = apps.get_model("cases", "Appeal")
    ChangedAppeal = apps.get_model("cases", "ChangedAppeal")
    AppealFact = apps.get_model("metrics", "AppealFact")
    MetricCell = apps.get_model("metrics", "MetricCell")
    if MetricCell.objects.values("jurisdiction_id").distinct().count() < 2:
        return
    MetricCell.objects.all().delete()
    AppealFact.objects.all().delete()
    ChangedAppeal.objects.all().delete()
    table, appeals = ChangedAppeal._meta.db_table, Appeal._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {table} (appeal_id, created_at) SELECT id, %s FROM {appeals}",  # noqa: S608 - names are ours  # nosec B608
        [timezone.now()],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0006_cells_by_district"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appealfact",
            name="jurisdiction",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
            ),
        ),
        migrations.AlterField(
            model_name="metriccell",
            name="jurisdiction",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="metriccell",
            name="metric_cell_once",
        ),
        migrations.AddConstraint(
            model_name="metriccell",
            constraint=models.UniqueConstraint(
                fields=("dim", "day", "key", "jurisdiction"), name="metric_cell_once"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, cells_recounted_if_several),
    ]
