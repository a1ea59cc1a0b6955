"""Supervision of projects: an order (督办单) to a project's lead unit, and the warnings raised
for projects behind plan and milestones past their date."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send
from minxin.supervision.models import SupervisionOrder
from minxin.supervision.services import supervision_order_issue

from ..machine import MISSING, PROJECTS
from ..models import Milestone, Project, ProjectWarning, WarningKind
from ..schedule import gap, is_behind, time_share
from ..workflow import ProjectAction, ProjectStatus
from .notices import office_supervisors, project_handlers, project_path

A = ProjectAction


def project_order_issue(
    *, actor: User, project_id: int, content: str, due_at: datetime
) -> SupervisionOrder:
    """A supervision order (督办单) to the project's lead unit, about the project."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise NotFound(MISSING)
    return supervision_order_issue(
        actor=actor,
        content=content,
        due_at=due_at,
        unit_id=project.lead_unit_id,
        about=f"民心工程：{project.name}",
        about_link=project_path(project.pk),
    )


def project_warnings_raise(*, today: date | None = None) -> int:
    """Projects in progress behind plan (once per ISO week) and milestones past their planned
    end not done (once per milestone and date): a ProjectWarning and a timeline event each,
    the project's units and the supervision office told. The number raised."""
    today = today or timezone.localdate()
    raised = 0
    projects = Project.objects.filter(status=ProjectStatus.IN_PROGRESS).select_related("programme")
    for project in projects.iterator(chunk_size=500):
        elapsed = time_share(project.start_date, project.end_date, today)
        if is_behind(project.progress, elapsed, project.programme.behind_margin):
            week = today.isocalendar()
            raised += _warn(
                project,
                kind=WarningKind.BEHIND,
                ref=f"{week.year}-W{week.week:02d}",
                elapsed=elapsed,
                text=f"进度{project.progress:g}%，时间已过{elapsed:g}%，"
                f"落后{-gap(project.progress, elapsed):g}个百分点",
            )
    late = Milestone.objects.filter(
        done_on__isnull=True,
        planned_end__lt=today,
        project__status=ProjectStatus.IN_PROGRESS,
    ).select_related("project", "project__programme")
    for milestone in late.iterator(chunk_size=500):
        project = milestone.project
        raised += _warn(
            project,
            kind=WarningKind.MILESTONE,
            ref=f"{milestone.pk}@{milestone.planned_end}",
            elapsed=time_share(project.start_date, project.end_date, today),
            text=f"节点「{milestone.name}」计划{milestone.planned_end:%Y-%m-%d}完成，尚未完成",
            milestone=milestone,
        )
    return raised


@transaction.atomic(durable=True)
def _warn(
    project: Project,
    *,
    kind: str,
    ref: str,
    elapsed: float,
    text: str,
    milestone: Milestone | None = None,
) -> int:
    if ProjectWarning.objects.filter(project=project, kind=kind, ref=ref).exists():
        return 0
    system = Actor.system()
    locked = PROJECTS.lock(pk=project.pk, action=A.WARN, actor=system, expected_version=None)
    try:
        with transaction.atomic():
            ProjectWarning.objects.create(
                project=locked,
                kind=kind,
                ref=ref,
                milestone=milestone,
                progress=locked.progress,
                time_share=elapsed,
            )
    except IntegrityError:
        return 0  # another run raised it
    PROJECTS.apply(
        locked, action=A.WARN, actor=system, reason=text, change=Change(payload={"kind": kind})
    )
    notifications_send(
        recipients=[*project_handlers(locked), *office_supervisors()],
        title=f"【民心工程预警】{locked.name}",
        body=text,
        link=project_path(locked.pk),
        kind="project_warning",
    )
    return 1
