"""Reads of the review: the replies waiting for it, with their quality check."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from minxin.cases.models import Appeal, Reply
from minxin.cases.selectors import appeal_scope_for
from minxin.cases.workflow import AppealStatus

if TYPE_CHECKING:
    from minxin.accounts.models import User


def review_queue(*, user: "User") -> QuerySet[Appeal]:
    """The appeals whose reply waits for review, the longest waiting first; callers paginate."""
    return (
        appeal_scope_for(user=user)
        .filter(status=AppealStatus.REVIEWING)
        .select_related("category", "lead_unit")
        .order_by("resolved_at", "id")
    )


@dataclass(frozen=True)
class Row:
    appeal: Appeal
    reply: Reply | None


def review_rows(appeals: list[Appeal]) -> list[Row]:
    """Each appeal of a page with its latest reply, in one query."""
    latest: dict[int, Reply] = {}
    for reply in Reply.objects.filter(appeal_id__in=[a.pk for a in appeals]).order_by(
        "appeal_id", "created_at", "id"
    ):
        latest[reply.appeal_id] = reply
    return [Row(a, latest.get(a.pk)) for a in appeals]


def latest_reply(*, appeal: Appeal) -> Reply | None:
    return Reply.objects.filter(appeal=appeal).order_by("-created_at", "-id").first()
