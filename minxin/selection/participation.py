"""What this app lists on the public index /participation/: the published selection rounds of
the page's district."""

from typing import Any

from django.urls import reverse

from .models import SelectionRound
from .selectors import public_rounds


def _item(r: SelectionRound) -> dict[str, Any]:
    return {
        "title": r.title,
        "url": reverse("public_selection:round_detail", args=[r.pk]),
        "status": r.get_status_display(),
        "open": r.status in ("consulting", "voting"),
        "meta": f"{r.region.name} · 候选项目{r.n_candidates}个",  # type: ignore[attr-defined]
    }


def sections(*, district: int) -> list[dict[str, Any]]:
    return [
        {
            "key": "rounds",
            "order": 10,
            "title": "民生实事项目票决",
            "hint": "候选项目公示征求意见，人大代表票决，结果公开",
            "rows": public_rounds(district=district),
            "item": _item,
        }
    ]
