from django.db import migrations, models


class Migration(migrations.Migration):
    """A progress photo keeps its size, like every other checked photo (`core.models.Photo`);
    the photos stored before it say 0."""

    dependencies = [
        ("projects", "0005_programme_jurisdiction"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressphoto",
            name="size",
            field=models.PositiveIntegerField(default=0, verbose_name="大小"),
            preserve_default=False,
        ),
    ]
