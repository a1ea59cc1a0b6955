"""What this app lists on the public index /participation/: the topics of the deliberation
hall, and the way to propose one."""

from typing import Any

from django.urls import reverse

from .models import Topic
from .selectors import public_topics
from .workflow import TopicStatus


def _item(t: Topic) -> dict[str, Any]:
    return {
        "title": t.title,
        "url": reverse("public_deliberation:detail", args=[t.pk]),
        "status": t.get_status_display(),
        "open": t.status == TopicStatus.PROPOSED,
        "meta": f"{t.region.name} · 附议{t.n_supports}人",  # type: ignore[attr-defined]
    }


def sections(*, district: int) -> list[dict[str, Any]]:
    """The section of the index: `district`'s (the host's) rows."""
    return [
        {
            "key": "deliberations",
            "order": 30,
            "title": "议事厅",
            "hint": "大家的事大家商量着办：提出议题、附议，达到人数的议题必须安排议事",
            "action": {"url": reverse("public_deliberation:new"), "label": "提出议题"},
            "rows": public_topics(district=district).order_by("-created_at", "-pk"),
            "item": _item,
        }
    ]
