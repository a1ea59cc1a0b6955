"""The figures by district (docs/deploy.md, "Many districts on one install"): the appeal facts
and the cells take the appeal's jurisdiction, which becomes part of a cell's key.

The cells were counted before there were districts, so they can only be given one: on an
install whose appeals are all one district's (a district's own install: every one before
`cases.0018`), every fact and cell is that district's, one UPDATE per table without a join
(10M facts: one pass over the table, no index read). An install whose appeals are already
several districts' (a place tree with several districts at its root) cannot split its cells:
they are emptied and every appeal queued, for the periodic task (or `minxin metrics_rebuild --pending-only
--workers n`) to count again. The columns become NOT NULL, and part of the cells' key, in the
next migration."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def facts_by_district(apps, schema_editor):
    Appeal = apps.get_model("cases", "Appeal")
    ChangedAppeal = apps.get_model("cases", "ChangedAppeal")
    Jurisdiction = apps.get_model("directory", "Jurisdiction")
    AppealFact = apps.get_model("metrics", "AppealFact")
    MetricCell = apps.get_model("metrics", "MetricCell")
    with_appeals = [
        pk
        for pk in Jurisdiction.objects.order_by("pk").values_list("pk", flat=True)
        if Appeal.objects.filter(jurisdiction_id=pk).exists()  # the (jurisdiction, …) index
    ]
    if len(with_appeals) == 1:
        AppealFact.objects.update(jurisdiction_id=with_appeals[0])
        MetricCell.objects.update(jurisdiction_id=with_appeals[0])
        return
    MetricCell.objects.all().delete()
    AppealFact.objects.all().delete()
    if not with_appeals:
        return
    ChangedAppeal.objects.all().delete()
    table, appeals = ChangedAppeal._meta.db_table, Appeal._meta.db_table
    schema_editor.execute(
        f"INSERT INTO {table} (appeal_id, created_at) SELECT id, %s FROM {appeals}",  # noqa: S608 - names are ours  # nosec B608
        [timezone.now()],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_appeal_jurisdiction"),
        ("directory", "0004_jurisdiction"),
        ("metrics", "0005_refused_returns"),
    ]

    operations = [
        migrations.AddField(
            model_name="appealfact",
            name="jurisdiction",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
            ),
        ),
        migrations.AddField(
            model_name="metriccell",
            name="jurisdiction",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.jurisdiction",
            ),
        ),
        migrations.RunPython(facts_by_district, migrations.RunPython.noop),
    ]
