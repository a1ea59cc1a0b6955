"""AppealSupport (附议) moves here from the cases with its rows (cases 0005 removed it from
their state only): the model enters the board's state on the existing table
cases_appealsupport, without touching the database, then the table is renamed to the board's
own name, board_appealsupport (its rows, keys and constraints go with it)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0003_moderation_on_the_machine"),
        ("cases", "0005_appealsupport_to_board"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AppealSupport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("supporter", models.CharField(max_length=64, verbose_name="附议人标识")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="附议时间"
                            ),
                        ),
                        (
                            "appeal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="supports",
                                to="cases.appeal",
                                verbose_name="诉求",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "附议",
                        "verbose_name_plural": "附议",
                        "db_table": "cases_appealsupport",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("appeal", "supporter"), name="support_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # The table becomes the board's: None is the model's default name, board_appealsupport.
        migrations.AlterModelTable(name="appealsupport", table=None),
    ]
