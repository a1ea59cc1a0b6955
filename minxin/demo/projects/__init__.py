"""The demo's livelihood projects (民心工程): a programme of twelve projects in every status,
with targets, milestones planned backwards, responsibility letters, progress reported over
the year, a few behind plan (warned, one under a supervision order), appeals linked and the
residents' verdict. Everything goes through `projects.services` (the machine writes the
timeline), each step back-dated with the services' `at`, in time order per project."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from minxin.projects import services as ps
from minxin.projects.models import Programme, Project

from .seeder import ORDER_TEXT, ProjectsReport, Seeder
from .specs import PROGRAMME, PROJECTS

__all__ = ["PROGRAMME", "PROJECTS", "ProjectsReport", "projects_seed"]


def projects_seed(*, rng: random.Random, now: datetime | None = None) -> ProjectsReport:
    """The year's programme and its projects, once (skipped when the programme exists)."""
    now = now or timezone.now()
    year = timezone.localdate(now).year
    if Programme.objects.filter(name=PROGRAMME, year=year).exists():
        return ProjectsReport()
    seeder = Seeder(rng, now)
    programme = Programme.objects.create(
        name=PROGRAMME,
        year=year,
        description="区委区政府向社会承诺的年度民心工程，接受群众监督和评价。",
    )
    for spec in PROJECTS:
        seeder.project(programme, spec)
    for step in sorted(seeder.steps):
        step.run(step.at)
    seeder.ratings(programme)
    seeder.report.warnings = ps.project_warnings_raise(today=seeder.today)
    behind = Project.objects.get(programme=programme, name=PROJECTS[1].name)
    ps.project_order_issue(
        actor=seeder.supervisor,
        project_id=behind.pk,
        content=ORDER_TEXT,
        due_at=max(now, timezone.now()) + timedelta(days=7),
    )
    return seeder.report
