"""The deputies' vote: each deputy on the round's roll votes once on every candidate."""

from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import (
    IllegalTransition,
    MinxinError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.directory.selectors import jurisdiction_of_region

from ..machine import MISSING
from ..models import Deputy, DeputyVote, RosterEntry, SelectionRound, VoteChoice
from ..workflow import RoundStatus
from .candidates import candidates_active


class AlreadyVoted(MinxinError):
    status_code = 409
    default_message = "您已参加本轮表决，每位代表对每个候选项目只能表决一次"


def deputy_of(user: User) -> Deputy:
    deputy = Deputy.objects.filter(user=user, is_active=True).first()
    if user.role != Role.DEPUTY or deputy is None:
        raise PermissionDenied("只有人大代表可以参加表决")
    return deputy


def deputy_district(deputy: Deputy) -> int | None:
    """The district whose people's congress the deputy sits in: their constituency's. None for
    a constituency in no district (a district with no region yet: every district's)."""
    return jurisdiction_of_region(deputy.constituency_id)


@transaction.atomic(durable=True)
def deputy_vote(
    *, actor: User, round_id: int, choices: Mapping[int, str], at: datetime | None = None
) -> list[DeputyVote]:
    """A deputy's ballot: for / against / abstain on every candidate of the round, once, in
    the vote's window, by a deputy on its roll. All or nothing. Another district's round is
    missing to them, as it is in their lists."""
    deputy = deputy_of(actor)
    now = at or timezone.now()
    # The round's row is locked: the count waits for ballots being written, and a ballot sent
    # after the count finds the round decided.
    selection = SelectionRound.objects.select_for_update().filter(pk=round_id).first()
    if selection is None or selection.status == RoundStatus.DRAFT:
        raise NotFound(MISSING)
    if deputy_district(deputy) not in (None, selection.jurisdiction_id):
        raise NotFound(MISSING)
    if not RosterEntry.objects.filter(round=selection, deputy=deputy).exists():
        if selection.status == RoundStatus.VOTING:
            raise PermissionDenied("您不在本轮表决的代表名单中")
        raise IllegalTransition(f"本轮票决{selection.get_status_display()}，不在表决期")
    if selection.status != RoundStatus.VOTING:
        raise IllegalTransition(f"本轮票决{selection.get_status_display()}，不在表决期")
    if not selection.vote_opens_at <= now < selection.vote_closes_at:
        opens = timezone.localtime(selection.vote_opens_at)
        closes = timezone.localtime(selection.vote_closes_at)
        raise IllegalTransition(
            f"不在表决时间内（{opens:%Y-%m-%d %H:%M} 至 {closes:%Y-%m-%d %H:%M}）"
        )
    if DeputyVote.objects.filter(round=selection, deputy=deputy).exists():
        raise AlreadyVoted()
    candidates = {c.pk: c for c in candidates_active(selection)}
    unknown = set(choices) - set(candidates)
    if unknown:
        raise ValidationFailed("表决票中有不属于本轮的候选项目，请刷新后重新表决")
    missing = [c.name for pk, c in candidates.items() if pk not in choices]
    if missing:
        raise ValidationFailed(f"请对每个候选项目表决：「{missing[0]}」尚未选择")
    if any(choice not in VoteChoice.values for choice in choices.values()):
        raise ValidationFailed("表决意见只能是赞成、反对或弃权")
    votes = [
        DeputyVote(
            round=selection, candidate_id=pk, deputy=deputy, choice=choices[pk], created_at=now
        )
        for pk in candidates
    ]
    try:
        with transaction.atomic():
            DeputyVote.objects.bulk_create(votes)
    except IntegrityError:
        raise AlreadyVoted() from None
    return votes
