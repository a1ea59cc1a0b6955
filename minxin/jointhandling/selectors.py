from django.db.models import Prefetch, QuerySet

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
