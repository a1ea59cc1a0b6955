"""Tasks queued under their old paths (the next run of a periodic task, an export waiting to be
built) would fail to import once the code moved: they run under the new paths instead."""

from django.db import migrations

MOVED = {
    f"minxin.supervision.tasks.{name}": f"minxin.metrics.tasks.{name}"
    for name in ("apply_metric_changes_task", "expire_exports_task", "export_build_task")
}


def _rename(apps, schema_editor, paths):  # type: ignore[no-untyped-def]
    results = apps.get_model("django_tasks_database", "DBTaskResult").objects
    waiting = results.using(schema_editor.connection.alias).filter(status="READY")
    for old, new in paths.items():
        waiting.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rename(apps, schema_editor, MOVED)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("metrics", "0002_tables"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
