"""The figures (AppealFact, MetricCell, MetricsLock, Export) now belong to metrics, which took
them into its state on these tables (metrics 0001) and renames the tables (metrics 0002):
here they only leave supervision's state; nothing runs on the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("supervision", "0005_orders_on_the_machine"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AppealFact"),
                migrations.DeleteModel(name="MetricCell"),
                migrations.DeleteModel(name="MetricsLock"),
                migrations.DeleteModel(name="Export"),
            ],
            database_operations=[],
        ),
    ]
