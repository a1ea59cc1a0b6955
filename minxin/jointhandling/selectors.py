from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from minxin.core.privacy import mask_personal_data

from .models import JointVisit, JointVisitPart


def visits_of(appeal_id: int) -> QuerySet[JointVisit]:
    """An appeal's joint visits with their parts: two queries."""
    parts = JointVisitPart.objects.select_related("unit").order_by("pk")
    return (
        JointVisit.objects.filter(appeal_id=appeal_id)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("parts", queryset=parts))
        .order_by("-held_at", "-pk")
    )


def reply_draft(visit: JointVisit) -> str:
    """The one reply to the citizen, drafted from a joint visit (its parts prefetched, as
    `visits_of` gives them): when, which units came together, what each did, what they
    settled. The lead unit edits it in the reply form before sending; it names no person."""
    parts = list(visit.parts.all())
    units = "、".join(p.unit.name for p in parts)
    each = "；".join(f"{p.unit.name}{p.did.rstrip('。；;.')}" for p in parts)
    when = timezone.localtime(visit.held_at)
    return (
        f"您好！{when.month}月{when.day}日，{units}联合到现场处置您反映的问题：{each}。"
        f"{visit.outcome.strip()}感谢您的监督和支持。"
    )


@dataclass(frozen=True)
class PartLine:
    unit: str
    people: str
    did: str


@dataclass(frozen=True)
class VisitLine:
    """A joint visit as the appeal's timeline (办理记录) shows it, read-only: who came, when,
    what each did and what they settled; the free texts masked by the staff rule, as lists
    show what a visit heard (the 联合处置 panel beside it has them whole)."""

    pk: int
    held_at: datetime
    place: str
    recorded_by: str
    recorded_at: datetime
    parts: list[PartLine]
    outcome: str


def visit_lines(appeal_id: int) -> list[VisitLine]:
    """An appeal's joint visits for its timeline (which orders them by time): two queries."""
    return [
        VisitLine(
            pk=v.pk,
            held_at=v.held_at,
            place=mask_personal_data(v.place),
            recorded_by=str(v.recorded_by),
            recorded_at=v.recorded_at,
            parts=[
                PartLine(p.unit.name, mask_personal_data(p.people), mask_personal_data(p.did))
                for p in v.parts.all()
            ],
            outcome=mask_personal_data(v.outcome),
        )
        for v in visits_of(appeal_id)
    ]
