"""Appeals linked to a project (by hand, suggested and confirmed, or as its origin), and a
hotspot of appeals turned into a candidate project."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound, ValidationFailed
from minxin.machine.engine import Change

from ..machine import PROJECTS
from ..models import LinkSource, Origin, Project, ProjectAppeal
from ..workflow import ProjectAction
from .create import ProjectDraft, project_create_within

A = ProjectAction


@transaction.atomic(durable=True)
def appeal_link(
    *,
    actor: User,
    project_id: int,
    appeal_ids: Sequence[int],
    source: str = LinkSource.MANUAL,
    at: datetime | None = None,
) -> int:
    """Link appeals to a project (the suggested ones a dispatcher confirmed, or by hand);
    already linked ones are left alone. The number newly linked."""
    return appeal_link_within(
        actor=actor, project_id=project_id, appeal_ids=appeal_ids, source=source, at=at
    )


def appeal_link_within(
    *,
    actor: User,
    project_id: int,
    appeal_ids: Sequence[int],
    source: str,
    at: datetime | None = None,
) -> int:
    who = Actor.of(actor)
    project = PROJECTS.lock(pk=project_id, action=A.LINK_APPEAL, actor=who, expected_version=None)
    found = dict(Appeal.objects.filter(pk__in=appeal_ids).values_list("pk", "tracking_number"))
    if len(found) != len(set(appeal_ids)) or not found:
        raise ValidationFailed("未找到要关联的诉求")
    linked = set(project.appeal_links.values_list("appeal_id", flat=True))
    new = [pk for pk in sorted(found) if pk not in linked]
    if not new:
        return 0
    ProjectAppeal.objects.bulk_create(
        ProjectAppeal(
            project=project,
            appeal_id=pk,
            source=source,
            linked_by=actor,
            linked_at=at or timezone.now(),
        )
        for pk in new
    )
    PROJECTS.apply(
        project,
        action=A.LINK_APPEAL,
        actor=who,
        reason="、".join(found[pk] for pk in new[:20]) + ("等" if len(new) > 20 else ""),
        change=Change(payload={"appeals": new[:200], "source": source}),
        at=at,
    )
    return len(new)


@transaction.atomic(durable=True)
def project_from_hotspot(*, actor: User, draft: ProjectDraft, appeal_id: int) -> Project:
    """A hotspot (an appeal and those merged into it) turned into a candidate project, the
    appeals linked to it as its origin."""
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("未找到该集中投诉")
    draft = replace(draft, origin=Origin.HOTSPOT, origin_note=f"集中投诉 {appeal.tracking_number}")
    project = project_create_within(actor=actor, draft=draft, planned=False)
    ids = [appeal.pk, *Appeal.objects.filter(merged_into=appeal).values_list("pk", flat=True)]
    appeal_link_within(
        actor=actor, project_id=project.pk, appeal_ids=ids, source=LinkSource.HOTSPOT
    )
    return Project.objects.get(pk=project.pk)
