from django.db.models import Prefetch, QuerySet
from django.utils import timezone

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
