from django.db import IntegrityError, transaction

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.models import Reply
from minxin.cases.services import appeal_rate
from minxin.core.errors import ValidationFailed
from minxin.core.text import text_clean

from .models import Rating

COMMENT_MAX = 1000


@transaction.atomic(durable=True)
def rating_submit(
    *,
    appeal_id: int,
    actor: Actor,
    expected_version: int | None,
    satisfaction: str,
    comment: str = "",
) -> Rating:
    """Rate the latest reply; dissatisfied sends the appeal to follow-up (via the loop)."""
    comment = text_clean(comment, label="评价意见", max_length=COMMENT_MAX, required=False)
    result = appeal_rate(
        appeal_id=appeal_id,
        actor=actor,
        expected_version=expected_version,
        satisfaction=satisfaction,
        comment=comment,
    )
    reply = (
        Reply.objects.filter(appeal_id=appeal_id, released_at__isnull=False)
        .order_by("-created_at", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            return Rating.objects.create(
                appeal_id=appeal_id,
                reply=reply,
                satisfaction=satisfaction,
                comment=comment,
                by_staff=actor.role != Role.CITIZEN,
                created_at=result.event.created_at,
            )
    except IntegrityError as exc:
        raise ValidationFailed("该答复已经评价过了") from exc
