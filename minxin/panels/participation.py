"""The published panel evaluations of the page's district on /participation/."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from .models import Evaluation
from .selectors import evaluations_public


def _item(e: Evaluation) -> dict[str, Any]:
    return {
        "title": e.title,
        "url": reverse("public_panels:results", args=[e.pk]),
        "status": e.get_status_display(),
        "open": False,
        "meta": f"{timezone.localtime(e.closes_at):%Y-%m-%d}",
    }


def sections(*, district: int) -> list[dict[str, Any]]:
    return [
        {
            "key": "panels",
            "order": 40,
            "title": "单位测评",
            "hint": "人大代表、政协委员、居民代表背对背测评职能部门和街道，面对面询问并跟踪整改",
            "rows": evaluations_public(district=district),
            "item": _item,
        }
    ]
