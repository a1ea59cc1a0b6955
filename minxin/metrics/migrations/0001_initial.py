"""The figures move from supervision to metrics with their data: this app takes the four models
into its state on the tables supervision created (nothing runs on the database), supervision
then drops them from its state (supervision 0006), and 0002 renames the tables to this app's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import minxin.metrics.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0004_changed_appeal_due_indexes"),
        ("supervision", "0005_orders_on_the_machine"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AppealFact",
                    fields=[
                        (
                            "appeal",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="cases.appeal",
                            ),
                        ),
                        ("data", models.JSONField()),
                    ],
                    options={
                        "verbose_name": "诉求统计事实",
                        "verbose_name_plural": "诉求统计事实",
                        "db_table": "supervision_appealfact",
                    },
                ),
                migrations.CreateModel(
                    name="MetricsLock",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, primary_key=True, serialize=False
                            ),
                        ),
                        ("applied_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "统计锁",
                        "verbose_name_plural": "统计锁",
                        "db_table": "supervision_metricslock",
                    },
                ),
                migrations.CreateModel(
                    name="MetricCell",
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
                        ("dim", models.CharField(max_length=1, verbose_name="维度")),
                        ("day", models.DateField(verbose_name="日期")),
                        ("key", models.CharField(blank=True, max_length=24, verbose_name="键")),
                        ("arrived", models.IntegerField(default=0)),
                        ("received", models.IntegerField(default=0)),
                        ("repeats", models.IntegerField(default=0)),
                        ("received_valid", models.IntegerField(default=0)),
                        ("replied", models.IntegerField(default=0)),
                        ("resolved", models.IntegerField(default=0)),
                        ("fc_contacted", models.IntegerField(default=0)),
                        ("fc_pending", models.IntegerField(default=0)),
                        ("fc_on_time", models.IntegerField(default=0)),
                        ("resolved_due", models.IntegerField(default=0)),
                        ("resolved_on_time", models.IntegerField(default=0)),
                        ("open_due", models.IntegerField(default=0)),
                        ("rated", models.IntegerField(default=0)),
                        ("satisfied", models.IntegerField(default=0)),
                        ("dispatches", models.IntegerField(default=0)),
                        ("returns", models.IntegerField(default=0)),
                        ("resolutions", models.IntegerField(default=0)),
                        ("reopened", models.IntegerField(default=0)),
                        ("handled", models.IntegerField(default=0)),
                        ("handling_seconds", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "统计格",
                        "verbose_name_plural": "统计格",
                        "db_table": "supervision_metriccell",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("dim", "day", "key"), name="metric_cell_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Export",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("ledger", "诉求台账"),
                                    ("bulletin_xlsx", "通报（Excel）"),
                                    ("bulletin_pdf", "通报（PDF）"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        ("params", models.JSONField(blank=True, default=dict, verbose_name="参数")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "排队中"),
                                    ("running", "生成中"),
                                    ("done", "已完成"),
                                    ("failed", "失败"),
                                    ("expired", "已过期（文件已删除）"),
                                ],
                                default="pending",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                max_length=255,
                                upload_to=minxin.metrics.models.export_upload_to,
                                verbose_name="文件",
                            ),
                        ),
                        ("row_count", models.PositiveIntegerField(default=0, verbose_name="行数")),
                        ("error", models.TextField(blank=True, verbose_name="错误")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="申请时间"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "导出",
                        "verbose_name_plural": "导出",
                        "db_table": "supervision_export",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["requested_by", "-created_at"], name="export_user_time"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
