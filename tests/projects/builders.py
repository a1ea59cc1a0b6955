"""A programme and a project made through the real service, for the projects' tests."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from minxin.projects.models import Programme, Project, ProjectKind
from minxin.projects.services import MilestoneDraft, ProjectDraft, TargetDraft, project_create
from tests.builders import District


def programme_new(**overrides: object) -> Programme:
    fields: dict[str, object] = {"name": "民心工程", "year": timezone.localdate().year}
    return Programme.objects.create(**{**fields, **overrides})


def draft_new(d: District, programme: Programme, **overrides: object) -> ProjectDraft:
    today = timezone.localdate()
    fields: dict[str, object] = {
        "programme_id": programme.pk,
        "name": "景蓉小区加装电梯",
        "kind": ProjectKind.ELEVATOR,
        "lead_unit_id": d.street_units[0].pk,
        "start_date": today - timedelta(days=100),
        "end_date": today + timedelta(days=100),
        "summary": "为景蓉小区12个单元加装电梯",
        "region_ids": (d.communities[0].pk,),
        "targets": (
            TargetDraft(name="加装电梯", value=Decimal(12), measure="台", unit_id=None),
            TargetDraft(
                name="惠及居民", value=Decimal(300), measure="户", unit_id=d.departments[0].pk
            ),
        ),
        "milestones": (
            MilestoneDraft(name="意见征询", duration_days=30),
            MilestoneDraft(name="设计审批", duration_days=40),
            MilestoneDraft(name="施工安装", duration_days=100),
        ),
        "assisting_unit_ids": (d.departments[0].pk,),
    }
    return ProjectDraft(**{**fields, **overrides})  # type: ignore[arg-type]


def project_new(
    d: District, programme: Programme | None = None, *, planned: bool = True, **overrides: object
) -> Project:
    programme = programme or programme_new()
    return project_create(
        actor=d.user("supervisor"), draft=draft_new(d, programme, **overrides), planned=planned
    )


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)
