"""The district is part of a cell's key (last in the unique index: the city's sums read the
(dim, day) ranges as before). See 0006 for how the columns were filled."""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
