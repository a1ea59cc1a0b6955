"""What this app lists on the public index /participation/: the published consultations."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from .models import Consultation
from .selectors import public_consultations
from .workflow import ConsultationStatus


def _item(c: Consultation) -> dict[str, Any]:
    return {
        "title": c.title,
        "url": reverse("public_consultation:detail", args=[c.pk]),
        "status": c.get_status_display(),
        "open": c.status == ConsultationStatus.OPEN,
        "meta": f"{c.issuing_unit.name} · "
        f"截止{timezone.localtime(c.closes_at):%Y-%m-%d} · "
        f"意见{c.n_comments}条",  # type: ignore[attr-defined]
    }


def sections(*, district: int) -> list[dict[str, Any]]:
    """The section of the index: `district`'s (the host's) rows."""
    return [
        {
            "key": "consultations",
            "order": 20,
            "title": "征求意见",
            "hint": "基层立法联系点：法规、政策草案公开征求意见，每条意见都有答复",
            "rows": public_consultations(district=district).order_by("-opens_at", "-pk"),
            "item": _item,
        }
    ]
