"""The plain steps of the projects' table (adopt, start, suspend, resume, complete, accept,
send back, revisit): the project and a reason, nothing else; the office or the units told
of a completion, an acceptance or a sending back."""

from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import ValidationFailed
from minxin.machine.engine import NO_CHANGE, Change
from minxin.notify.services import notifications_send

from ..machine import PROJECTS
from ..models import Project
from ..workflow import ProjectAction
from .notices import office_supervisors, project_handlers, project_path

A = ProjectAction


def _plain_change(action: str, now: datetime) -> Change:
    """What a step without inputs changes besides the status."""
    by_action: dict[str, dict[str, Any]] = {
        A.START: {"started_at": now},
        A.COMPLETE: {"completed_at": now},
        A.ACCEPT: {"accepted_at": now},
        A.SEND_BACK: {"completed_at": None},
        A.REVISIT: {"revisit_at": now},
    }
    fields = by_action.get(action, {})
    return Change(fields) if fields else NO_CHANGE


PLAIN_ACTIONS: Final = frozenset(
    {A.ADOPT, A.START, A.SUSPEND, A.RESUME, A.COMPLETE, A.ACCEPT, A.SEND_BACK, A.REVISIT}
)


@transaction.atomic(durable=True)
def project_act(
    *,
    project_id: int,
    action: str,
    actor: User,
    expected_version: int | None,
    reason: str = "",
    at: datetime | None = None,
) -> Project:
    """A step of the table that needs nothing but the project and a reason."""
    if action not in PLAIN_ACTIONS:
        raise ValidationFailed("该操作需要在对应的表单中办理")
    who = Actor.of(actor)
    project = PROJECTS.lock(
        pk=project_id, action=action, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    applied = PROJECTS.apply(
        project, action=action, actor=who, reason=reason, change=_plain_change(action, now), at=now
    )
    if action in (A.COMPLETE, A.SEND_BACK, A.ACCEPT):
        _tell_about(applied.subject, action, reason)
    return applied.subject


def _tell_about(project: Project, action: str, reason: str) -> None:
    label = PROJECTS.label(action)
    recipients = office_supervisors() if action == A.COMPLETE else project_handlers(project)
    notifications_send(
        recipients=recipients,
        title=f"【民心工程】{project.name}：{label}",
        body=reason[:200],
        link=project_path(project.pk),
        kind="project",
    )
