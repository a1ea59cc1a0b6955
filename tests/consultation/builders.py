"""A draft out for comment, made through the real services, with given times."""

from datetime import datetime, timedelta

from django.utils import timezone

from minxin.consultation.models import Consultation, ContactPoint
from minxin.consultation.services import ConsultationDraft, consultation_act, consultation_create
from minxin.consultation.workflow import ConsultationAction
from tests.builders import District

T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
DAYS = 30
BODY = """为了规范住宅小区物业管理，维护业主和物业服务企业的合法权益，结合本区实际，制定本办法。

第一章 总则
第一条 本办法适用于本区行政区域内住宅小区的物业管理活动。
第二条 街道办事处负责指导和监督辖区内业主大会的成立和业主委员会的选举。
第二章 物业服务
第三条 物业服务企业应当在小区显著位置公示服务内容、收费标准和投诉电话。
第四条 物业服务企业应当每半年公布一次公共收益的收支情况。
"""


def draft_new(d: District, *, at: datetime = T0, **overrides: object) -> Consultation:
    fields: dict[str, object] = {
        "title": "《A3区住宅小区物业管理办法（征求意见稿）》",
        "issuing_unit_id": d.departments[1].pk,
        "body": BODY,
        "opens_at": at,
        "closes_at": at + timedelta(days=DAYS),
        "summary": "起草说明：针对物业服务投诉集中的问题。",
    }
    fields.update(overrides)
    return consultation_create(
        actor=d.user("supervisor"),
        draft=ConsultationDraft(**fields),  # type: ignore[arg-type]
        at=at,
    )


def open_new(d: District, *, at: datetime = T0, **overrides: object) -> Consultation:
    consultation = draft_new(d, at=at, **overrides)
    return consultation_act(
        actor=d.user("supervisor"),
        consultation_id=consultation.pk,
        action=ConsultationAction.PUBLISH,
        at=at,
    )


def point_new(name: str = "景蓉社区基层立法联系点") -> ContactPoint:
    return ContactPoint.objects.create(name=name)


def during(at: datetime = T0) -> datetime:
    return at + timedelta(days=3)


def after(at: datetime = T0) -> datetime:
    return at + timedelta(days=DAYS, hours=1)
