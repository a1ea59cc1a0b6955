"""The review policy (办结审核策略): which rule covers a reply, and what it decides. Pure, apart
from reading the active rules."""

from dataclasses import dataclass

from minxin.cases.changes import revisit_sampled
from minxin.cases.models import Appeal
from minxin.directory.models import Category
from minxin.triage.nlp.reply_quality import ReplyQuality, reply_quality

from .models import ReviewRule


@dataclass(frozen=True)
class Verdict:
    review: bool
    why: str
    rule: ReviewRule | None


def _ancestors(category: Category | None) -> set[int]:
    ids: set[int] = set()
    node = category
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return ids


def rule_for(appeal: Appeal, rules: list[ReviewRule]) -> ReviewRule | None:
    """The most specific active rule that fits: unit and category, unit, category, the
    appeal's district's, the city's (no district); then the lower priority."""
    categories = _ancestors(appeal.category)
    fitting = [
        r
        for r in rules
        if r.is_active
        and (r.jurisdiction_id is None or r.jurisdiction_id == appeal.jurisdiction_id)
        and (r.unit_id is None or r.unit_id == appeal.lead_unit_id)
        and (r.category_id is None or r.category_id in categories)
    ]
    if not fitting:
        return None
    return min(
        fitting,
        key=lambda r: (
            -(r.unit_id is not None) * 4
            - (r.category_id is not None) * 2
            - (r.jurisdiction_id is not None),
            r.priority,
            r.pk,
        ),
    )


def verdict(
    *, appeal: Appeal, replies: int, quality: ReplyQuality, rule: ReviewRule | None
) -> Verdict:
    if quality.personal_data:
        return Verdict(True, "答复含有他人个人信息，必须人工审核", rule)
    if rule is None:
        return Verdict(False, "自动通过：没有适用的审核规则", None)
    if rule.pass_score is not None and quality.score >= rule.pass_score:
        return Verdict(
            False,
            f"自动通过：质量评分{quality.score}分，达到规则「{rule.name}」的免审分{rule.pass_score}分",
            rule,
        )
    if rule.sample_percent >= 100:
        return Verdict(True, f"按规则「{rule.name}」全部审核", rule)
    # The same hash as the revisit sample, salted apart so the two samples are independent.
    if revisit_sampled(
        tracking_number=f"review:{appeal.tracking_number}",
        replies=replies,
        percent=rule.sample_percent,
    ):
        return Verdict(True, f"按规则「{rule.name}」抽中审核（抽样{rule.sample_percent}%）", rule)
    return Verdict(
        False, f"自动通过：规则「{rule.name}」抽样{rule.sample_percent}%，本件未抽中", rule
    )


def quality_of(appeal: Appeal, text: str) -> ReplyQuality:
    return reply_quality(
        title=appeal.title, content=appeal.content, reply=text, place_text=appeal.place_text
    )


def active_rules() -> list[ReviewRule]:
    return list(ReviewRule.objects.filter(is_active=True).order_by("priority", "id"))
