"""The public's part: residents' comments on the published candidates, and the residents'
vote (one ballot per confirmed phone and round)."""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.core.errors import IllegalTransition, MinxinError, NotFound, ValidationFailed
from minxin.core.privacy import mask_personal_data
from minxin.core.text import line_clean, text_clean

from ..machine import MISSING
from ..models import Candidate, CandidateComment, ResidentBallot, ResidentChoice, SelectionRound
from ..workflow import RoundStatus

COMMENT_MAX = 500
NICKNAME_MAX = 30


class AlreadyBallot(MinxinError):
    status_code = 409
    default_message = "该手机号已在本轮投过票，每人只能投一次"


def _consulting(selection: SelectionRound | None, now: datetime) -> SelectionRound:
    if selection is None or selection.status == RoundStatus.DRAFT:
        raise NotFound(MISSING)
    if selection.status != RoundStatus.CONSULTING or now >= selection.comment_closes_at:
        raise IllegalTransition("候选项目公示期已结束")
    return selection


@transaction.atomic(durable=True)
def candidate_comment(
    *, candidate_id: int, text: str, nickname: str = "", at: datetime | None = None
) -> CandidateComment:
    """A resident's comment on a published candidate, its personal data masked."""
    now = at or timezone.now()
    candidate = (
        Candidate.objects.select_related("round").filter(pk=candidate_id, withdrawn=False).first()
    )
    if candidate is None or candidate.round.status == RoundStatus.DRAFT:
        raise NotFound("未找到该候选项目")
    _consulting(candidate.round, now)
    body = text_clean(text, label="意见", max_length=COMMENT_MAX)
    name = line_clean(nickname, label="称呼", max_length=NICKNAME_MAX, required=False)
    return CandidateComment.objects.create(
        candidate=candidate,
        nickname=mask_personal_data(name),
        text=mask_personal_data(body),
        created_at=now,
    )


@transaction.atomic(durable=True)
def resident_ballot_cast(
    *, round_id: int, phone_hash: str, candidate_ids: Sequence[int], at: datetime | None = None
) -> ResidentBallot:
    """A resident's ballot (a confirmed phone's hash): 1 to N of the round's candidates,
    once per phone and round."""
    now = at or timezone.now()
    selection = _consulting(SelectionRound.objects.filter(pk=round_id).first(), now)
    if not selection.residents_vote:
        raise NotFound("本轮未开展居民投票")
    if not phone_hash:
        raise ValidationFailed("请先验证手机号")
    chosen = list(dict.fromkeys(candidate_ids))
    if not chosen:
        raise ValidationFailed("请至少选择1个项目")
    if len(chosen) > selection.residents_choices:
        raise ValidationFailed(f"每人最多选择{selection.residents_choices}个项目")
    known = set(
        selection.candidates.filter(pk__in=chosen, withdrawn=False).values_list("pk", flat=True)
    )
    if known != set(chosen):
        raise ValidationFailed("所选项目不在本轮候选项目中，请刷新后重新选择")
    try:
        with transaction.atomic():
            ballot = ResidentBallot.objects.create(
                round=selection, phone_hash=phone_hash, created_at=now
            )
    except IntegrityError:
        raise AlreadyBallot() from None
    ResidentChoice.objects.bulk_create(
        ResidentChoice(ballot=ballot, candidate_id=pk) for pk in chosen
    )
    return ballot
