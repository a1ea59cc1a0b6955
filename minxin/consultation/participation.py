"""What this app lists on the public index /participation/: the published consultations."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from .selectors import public_consultations
from .workflow import ConsultationStatus


def sections() -> list[dict[str, Any]]:
    items = list(public_consultations().order_by("-opens_at", "-pk")[:50])
    return [
        {
            "order": 20,
            "title": "征求意见",
            "hint": "基层立法联系点：法规、政策草案公开征求意见，每条意见都有答复",
            "items": [
                {
                    "title": c.title,
                    "url": reverse("public_consultation:detail", args=[c.pk]),
                    "status": c.get_status_display(),
                    "open": c.status == ConsultationStatus.OPEN,
                    "meta": f"{c.issuing_unit.name} · "
                    f"截止{timezone.localtime(c.closes_at):%Y-%m-%d} · "
                    f"意见{c.n_comments}条",  # type: ignore[attr-defined]
                }
                for c in items
            ],
        }
    ]
