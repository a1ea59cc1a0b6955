"""A project's places on the map become any number of points (ProjectPoint): each project's
one point (Project.latitude/longitude) is moved to its first ProjectPoint, then the columns go.
Backwards, a project's first point goes back into the columns (the others are lost)."""

import django.db.models.deletion
from django.db import migrations, models


def points_forward(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ProjectPoint = apps.get_model("projects", "ProjectPoint")
    located = Project.objects.filter(latitude__isnull=False, longitude__isnull=False)
    batch = []
    for pk, latitude, longitude in located.values_list("pk", "latitude", "longitude").iterator():
        batch.append(ProjectPoint(project_id=pk, latitude=latitude, longitude=longitude))
        if len(batch) == 1000:
            ProjectPoint.objects.bulk_create(batch)
            batch = []
    ProjectPoint.objects.bulk_create(batch)


def points_backward(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ProjectPoint = apps.get_model("projects", "ProjectPoint")
    first = {}
    for point in ProjectPoint.objects.order_by("project_id", "position", "id").iterator():
        first.setdefault(point.project_id, point)
    for project_id, point in first.items():
        Project.objects.filter(pk=project_id).update(
            latitude=point.latitude, longitude=point.longitude
        )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_rating_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "latitude",
                    models.DecimalField(decimal_places=6, max_digits=9, verbose_name="纬度"),
                ),
                (
                    "longitude",
                    models.DecimalField(decimal_places=6, max_digits=9, verbose_name="经度"),
                ),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="地点名称")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="顺序")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="points",
                        to="projects.project",
                        verbose_name="项目",
                    ),
                ),
            ],
            options={
                "verbose_name": "项目点位",
                "verbose_name_plural": "项目点位",
                "ordering": ["project", "position", "id"],
                "indexes": [
                    models.Index(fields=["project", "position"], name="project_point_order")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("latitude__gte", -90),
                            ("latitude__lte", 90),
                            ("longitude__gte", -180),
                            ("longitude__lte", 180),
                        ),
                        name="project_point_in_range",
                    )
                ],
            },
        ),
        migrations.RunPython(points_forward, points_backward),
        migrations.RemoveField(
            model_name="project",
            name="latitude",
        ),
        migrations.RemoveField(
            model_name="project",
            name="longitude",
        ),
    ]
