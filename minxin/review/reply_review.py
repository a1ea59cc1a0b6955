"""The review app's answer to `cases.review.review_decide`: the reply's quality check and the
rule that covers it decide whether it waits for a reviewer."""

from minxin.cases.models import Appeal, Reply
from minxin.cases.review import ReviewDecision

from .policy import active_rules, quality_of, rule_for, verdict


def decide(*, appeal: Appeal, reply: Reply) -> ReviewDecision:
    quality = quality_of(appeal, reply.content)
    replies = Reply.objects.filter(appeal_id=appeal.pk).count() + 1
    result = verdict(
        appeal=appeal, replies=replies, quality=quality, rule=rule_for(appeal, active_rules())
    )
    return ReviewDecision(
        review=result.review, why=result.why, score=quality.score, quality=quality.as_dict()
    )
