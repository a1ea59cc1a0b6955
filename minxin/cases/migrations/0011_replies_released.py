"""Replies given before the centre's review existed reached the citizen when given: they are
released at that time, and so are their appeals."""

from django.db import migrations
from django.db.models import F


def release(apps, schema_editor):  # type: ignore[no-untyped-def]
    Reply = apps.get_model("cases", "Reply")
    Appeal = apps.get_model("cases", "Appeal")
    Reply.objects.filter(released_at__isnull=True).update(released_at=F("created_at"))
    Appeal.objects.filter(resolved_at__isnull=False, released_at__isnull=True).update(
        released_at=F("resolved_at")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_review_and_revisits")]

    operations = [migrations.RunPython(release, migrations.RunPython.noop)]
