"""The figures' tables become this app's: renamed from supervision_* to metrics_* (rows, keys and
indexes kept), and their content types relabelled so that permissions follow them."""

from django.db import migrations

MODELS = ("appealfact", "metriccell", "metricslock", "export")


def _relabel(apps, schema_editor, source, target):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    types = content_type.objects.using(schema_editor.connection.alias)
    taken = set(types.filter(app_label=target, model__in=MODELS).values_list("model", flat=True))
    types.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def content_types_forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _relabel(apps, schema_editor, "supervision", "metrics")


def content_types_backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _relabel(apps, schema_editor, "metrics", "supervision")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("metrics", "0001_initial"),
        ("supervision", "0006_figures_to_metrics"),
    ]

    operations = [
        migrations.AlterModelTable(name="appealfact", table=None),
        migrations.AlterModelTable(name="metriccell", table=None),
        migrations.AlterModelTable(name="metricslock", table=None),
        migrations.AlterModelTable(name="export", table=None),
        migrations.RunPython(content_types_forwards, content_types_backwards),
    ]
