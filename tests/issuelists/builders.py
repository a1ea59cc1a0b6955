from datetime import date, datetime, timedelta

from django.utils import timezone

from minxin.issuelists.models import IssueItem
from minxin.issuelists.services import ItemDraft, issue_item_add
from tests.builders import District


def item_new(
    d: District,
    *,
    key: str = "handler_dept",
    at: datetime | None = None,
    deadline: date | None = None,
    **overrides: object,
) -> IssueItem:
    """An item on the first department's list (its handler `handler_dept` keeps it)."""
    today = timezone.localdate(at or timezone.now())
    values: dict[str, object] = {
        "title": "老旧小区垃圾分类设施不足",
        "goal": "年内为20个老旧小区补齐分类收集设施",
        "deadline": deadline or today + timedelta(days=60),
        "responsible": "李科长",
        "description": "多个小区反映垃圾桶不足、清运不及时",
        "urgency": "urgent",
        "difficulty": "hard",
        "category_ids": [d.category.pk],
        "region_ids": [d.communities[0].pk],
    }
    values.update(overrides)
    return issue_item_add(
        actor=d.user(key),
        unit_id=d.departments[0].pk,
        year=today.year,
        draft=ItemDraft(**values),  # type: ignore[arg-type]
        at=at,
    )
