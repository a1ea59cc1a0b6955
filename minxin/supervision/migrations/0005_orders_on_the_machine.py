"""Supervision orders on the shared machine: the order is a versioned subject, and its history
an append-only event like every other (the actor's role, from/to status, the reason, a
payload). Entries written before are filled in from their action and actor."""

from django.db import migrations, models

from minxin.machine.operations import AppendOnly

# The status before and after each action, as the orders' table has them.
MOVES = {
    "issue": ("", "open"),
    "answer": ("open", "answered"),
    "escalate_unit_head": ("open", "open"),
    "escalate_leader": ("open", "open"),
}


def events_fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    event_model = apps.get_model("supervision", "SupervisionOrderEvent")
    for action, (source, target) in MOVES.items():
        event_model.objects.filter(action=action).update(from_status=source, to_status=target)
    event_model.objects.filter(actor__isnull=True).update(actor_role="system")
    for event in event_model.objects.filter(actor__isnull=False).select_related("actor"):
        event_model.objects.filter(pk=event.pk).update(actor_role=event.actor.role)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("supervision", "0004_export_expired"),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisionorder",
            name="version",
            field=models.PositiveIntegerField(default=1, verbose_name="版本"),
        ),
        migrations.AddConstraint(
            model_name="supervisionorder",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)),
                name="supervisionorder_version_positive",
            ),
        ),
        migrations.RenameField(
            model_name="supervisionorderevent", old_name="note", new_name="reason"
        ),
        migrations.AlterField(
            model_name="supervisionorderevent",
            name="action",
            field=models.CharField(max_length=30, verbose_name="动作"),
        ),
        migrations.AddField(
            model_name="supervisionorderevent",
            name="actor_role",
            field=models.CharField(default="", max_length=20, verbose_name="操作角色"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="supervisionorderevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="supervisionorderevent",
            name="to_status",
            field=models.CharField(default="", max_length=20, verbose_name="新状态"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="supervisionorderevent",
            name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="附加数据"),
        ),
        migrations.RunPython(events_fill, migrations.RunPython.noop),
        AppendOnly("supervisionorderevent"),
    ]
