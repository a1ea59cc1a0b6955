"""Moderation on the shared machine: the post's `state` is its `status` (a versioned subject),
and a moderation entry is an event like every other (from/to status, the actor's role, a
payload). The actor's role of the entries written before is read from their actor."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from minxin.machine.operations import trigger_name

ENTRIES = "board_moderationentry"


def actor_roles_fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    entry_model = apps.get_model("board", "ModerationEntry")
    user_model = apps.get_model("accounts", "User")
    postgres = schema_editor.connection.vendor == "postgresql"
    trigger = schema_editor.quote_name(trigger_name(ENTRIES))
    if postgres:  # the history is append-only; this fills a column it did not have
        schema_editor.execute(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER {trigger}", params=None)
    for role in user_model.objects.values_list("role", flat=True).distinct():
        entry_model.objects.filter(actor__role=role).update(actor_role=role)
    if postgres:
        schema_editor.execute(f"ALTER TABLE {ENTRIES} ENABLE TRIGGER {trigger}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("board", "0002_moderation_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The post: state → status, a versioned subject.
        migrations.RemoveIndex(model_name="boardpost", name="boardpost_state_created"),
        migrations.RemoveIndex(model_name="boardpost", name="boardpost_state_published"),
        migrations.RemoveConstraint(model_name="boardpost", name="boardpost_published_has_time"),
        migrations.RenameField(model_name="boardpost", old_name="state", new_name="status"),
        migrations.AddIndex(
            model_name="boardpost",
            index=models.Index(fields=["status", "created_at"], name="boardpost_status_created"),
        ),
        migrations.AddIndex(
            model_name="boardpost",
            index=models.Index(
                fields=["status", "published_at"], name="boardpost_status_published"
            ),
        ),
        migrations.AddConstraint(
            model_name="boardpost",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "published"), _negated=True)
                | models.Q(("published_at__isnull", False)),
                name="boardpost_published_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="boardpost",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)), name="boardpost_version_positive"
            ),
        ),
        # The entry: an event.
        migrations.RenameField(
            model_name="moderationentry", old_name="from_state", new_name="from_status"
        ),
        migrations.RenameField(
            model_name="moderationentry", old_name="to_state", new_name="to_status"
        ),
        migrations.AlterField(
            model_name="moderationentry",
            name="from_status",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="moderationentry",
            name="to_status",
            field=models.CharField(max_length=20, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="moderationentry",
            name="action",
            field=models.CharField(max_length=30, verbose_name="动作"),
        ),
        migrations.AlterField(
            model_name="moderationentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AddField(
            model_name="moderationentry",
            name="actor_role",
            field=models.CharField(default="", max_length=20, verbose_name="操作角色"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="moderationentry",
            name="payload",
            field=models.JSONField(blank=True, default=dict, verbose_name="附加数据"),
        ),
        migrations.RunPython(actor_roles_fill, migrations.RunPython.noop),
    ]
