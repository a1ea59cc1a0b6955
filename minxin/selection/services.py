"""民生实事项目票决: every write of a round, its candidates and its votes.

The round's steps go through its machine (`machine.ROUNDS`): one RoundEvent each, in the
transaction that makes the change. Votes are their voters' own rows, guarded by the database's
unique constraints (a second vote, even sent twice at once, is refused with 409 and writes
nothing). At the count, each candidate that passed becomes a project of the round's
programme (`projects.services.project_create_within`, entered into the plan), its origin and
its hotspot's appeals linked."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.core.errors import (
    IllegalTransition,
    MinxinError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.core.privacy import mask_personal_data
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region, Unit
from minxin.machine.engine import Change
from minxin.projects.models import LinkSource, Origin, Programme, ProjectKind
from minxin.projects.services import (
    ProjectDraft,
    TargetDraft,
    appeal_link_within,
    project_create_within,
)
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import SuggestionStatus

from . import tally as t
from .machine import MISSING, ROUNDS
from .models import (
    Candidate,
    CandidateComment,
    Deputy,
    DeputyVote,
    PassBase,
    ResidentBallot,
    ResidentChoice,
    RosterEntry,
    SelectionRound,
    VoteChoice,
)
from .workflow import RoundAction, RoundStatus

A = RoundAction
COMMENT_MAX = 500
NICKNAME_MAX = 30


class AlreadyVoted(MinxinError):
    status_code = 409
    default_message = "您已参加本轮表决，每位代表对每个候选项目只能表决一次"


class AlreadyBallot(MinxinError):
    status_code = 409
    default_message = "该手机号已在本轮投过票，每人只能投一次"


# --- the round ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundDraft:
    title: str
    programme_id: int | None
    region_id: int | None
    comment_closes_at: datetime | None
    vote_opens_at: datetime | None
    vote_closes_at: datetime | None
    description: str = ""
    pass_base: str = PassBase.PRESENT
    pass_percent: int = 50
    residents_vote: bool = False
    residents_choices: int = 3


def _round_checked(draft: RoundDraft, now: datetime) -> RoundDraft:
    title = line_clean(draft.title, label="票决名称", max_length=200)
    description = text_clean(draft.description, label="说明", max_length=5000, required=False)
    if draft.programme_id is None or not Programme.objects.filter(pk=draft.programme_id).exists():
        raise ValidationFailed("请选择通过的项目列入的年度计划")
    if draft.region_id is None or not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("请选择票决范围（区或街道）")
    closes, opens, ends = draft.comment_closes_at, draft.vote_opens_at, draft.vote_closes_at
    if closes is None or opens is None or ends is None:
        raise ValidationFailed("请填写公示截止、表决开始和表决截止时间")
    if closes <= now:
        raise ValidationFailed("公示截止时间应晚于当前时间")
    if opens < closes:
        raise ValidationFailed("表决开始时间不能早于公示截止时间")
    if ends <= opens:
        raise ValidationFailed("表决截止时间应晚于表决开始时间")
    if draft.pass_base not in PassBase.values:
        raise ValidationFailed("请选择通过基数")
    if not 50 <= draft.pass_percent <= 99:
        raise ValidationFailed("通过比例应在50%到99%之间（超过该比例通过）")
    if not 1 <= draft.residents_choices <= 50:
        raise ValidationFailed("居民每人可选项目数应在1到50之间")
    return RoundDraft(
        title=title,
        programme_id=draft.programme_id,
        region_id=draft.region_id,
        comment_closes_at=closes,
        vote_opens_at=opens,
        vote_closes_at=ends,
        description=description,
        pass_base=draft.pass_base,
        pass_percent=draft.pass_percent,
        residents_vote=draft.residents_vote,
        residents_choices=draft.residents_choices,
    )


@transaction.atomic(durable=True)
def round_create(*, actor: User, draft: RoundDraft, at: datetime | None = None) -> SelectionRound:
    who = Actor.of(actor)
    ROUNDS.may_create(action=A.CREATE, actor=who)
    now = at or timezone.now()
    draft = _round_checked(draft, now)
    assert draft.comment_closes_at and draft.vote_opens_at and draft.vote_closes_at
    assert draft.programme_id is not None and draft.region_id is not None
    selection = SelectionRound.objects.create(
        title=draft.title,
        programme_id=draft.programme_id,
        region_id=draft.region_id,
        description=draft.description,
        comment_closes_at=draft.comment_closes_at,
        vote_opens_at=draft.vote_opens_at,
        vote_closes_at=draft.vote_closes_at,
        pass_base=draft.pass_base,
        pass_percent=draft.pass_percent,
        residents_vote=draft.residents_vote,
        residents_choices=draft.residents_choices,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    ROUNDS.created(selection, action=A.CREATE, actor=who, at=now)
    return selection


# --- candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateDraft:
    name: str
    kind: str
    summary: str
    lead_unit_id: int | None
    start_date: date | None
    end_date: date | None
    source: str = Origin.OFFICE
    region_id: int | None = None
    budget: Decimal | None = None
    target_name: str = ""
    target_value: Decimal | None = None
    target_measure: str = ""
    proposing_unit_id: int | None = None
    suggestion_number: str = ""  # 建议编号 of an adopted suggestion
    appeal_number: str = ""  # 受理编号 of a hotspot's appeal


@dataclass(frozen=True)
class _Links:
    suggestion_id: int | None
    appeal_id: int | None
    proposing_unit_id: int | None


def _links(draft: CandidateDraft) -> _Links:
    source = draft.source
    if source not in Origin.values:
        raise ValidationFailed("请选择候选项目来源")
    suggestion_id = appeal_id = unit_id = None
    if source == Origin.SUGGESTION:
        number = draft.suggestion_number.strip().upper()
        if not number:
            raise ValidationFailed("来源为人民建议的，请填写建议编号")
        found = Suggestion.objects.filter(tracking_number=number).first()
        if found is None:
            raise ValidationFailed(f"未找到建议 {number}")
        if found.status != SuggestionStatus.ADOPTED:
            raise ValidationFailed(f"建议 {number} 尚未采纳，不能列为候选项目")
        suggestion_id = found.pk
    elif source == Origin.HOTSPOT:
        number = draft.appeal_number.strip().upper()
        if not number:
            raise ValidationFailed("来源为集中投诉的，请填写诉求受理编号")
        appeal = Appeal.objects.filter(tracking_number=number).only("pk", "merged_into").first()
        if appeal is None:
            raise ValidationFailed(f"未找到诉求 {number}")
        appeal_id = appeal.merged_into_id or appeal.pk  # the hotspot is the appeal merged into
    elif source == Origin.UNIT:
        unit_id = draft.proposing_unit_id or draft.lead_unit_id
        if unit_id is None or not Unit.objects.filter(pk=unit_id, is_active=True).exists():
            raise ValidationFailed("来源为单位申报的，请选择申报单位")
    return _Links(suggestion_id, appeal_id, unit_id)


def _candidate_checked(draft: CandidateDraft, programme: Programme) -> CandidateDraft:
    name = line_clean(draft.name, label="项目名称", max_length=200)
    summary = text_clean(draft.summary, label="项目内容", max_length=5000)
    if draft.kind not in ProjectKind.values:
        raise ValidationFailed("请选择项目类别")
    if (
        draft.lead_unit_id is None
        or not Unit.objects.filter(pk=draft.lead_unit_id, is_active=True).exists()
    ):
        raise ValidationFailed("请选择牵头单位")
    if draft.region_id is not None and not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if draft.start_date is None or draft.end_date is None:
        raise ValidationFailed("请填写计划开工和计划完成日期")
    if draft.end_date < draft.start_date:
        raise ValidationFailed("计划完成日期不能早于计划开工日期")
    if draft.end_date.year != programme.year:
        raise ValidationFailed(f"计划完成日期应在{programme.year}年内（列入{programme}）")
    if draft.budget is not None and draft.budget < 0:
        raise ValidationFailed("预算不能为负数")
    target_name = line_clean(draft.target_name, label="指标名称", max_length=100, required=False)
    measure = line_clean(draft.target_measure, label="计量单位", max_length=20, required=False)
    if target_name and (draft.target_value is None or draft.target_value <= 0 or not measure):
        raise ValidationFailed(f"指标「{target_name}」须有大于0的目标值和计量单位")
    return CandidateDraft(
        name=name,
        kind=draft.kind,
        summary=summary,
        lead_unit_id=draft.lead_unit_id,
        start_date=draft.start_date,
        end_date=draft.end_date,
        source=draft.source,
        region_id=draft.region_id,
        budget=draft.budget,
        target_name=target_name,
        target_value=draft.target_value if target_name else None,
        target_measure=measure if target_name else "",
        proposing_unit_id=draft.proposing_unit_id,
        suggestion_number=draft.suggestion_number,
        appeal_number=draft.appeal_number,
    )


@transaction.atomic(durable=True)
def candidate_add(
    *,
    actor: User,
    round_id: int,
    draft: CandidateDraft,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Candidate:
    """A candidate entered while the round is being prepared: from the office's plan, a
    unit's proposal, an adopted suggestion or a hotspot (the link kept; each suggestion and
    hotspot once per round)."""
    who = Actor.of(actor)
    selection = ROUNDS.lock(
        pk=round_id, action=A.ADD_CANDIDATE, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    draft = _candidate_checked(draft, selection.programme)
    links = _links(draft)
    if (
        links.suggestion_id
        and selection.candidates.filter(suggestion_id=links.suggestion_id, withdrawn=False).exists()
    ):
        raise ValidationFailed("该建议已列为本轮候选项目")
    if (
        links.appeal_id
        and selection.candidates.filter(appeal_id=links.appeal_id, withdrawn=False).exists()
    ):
        raise ValidationFailed("该集中投诉已列为本轮候选项目")
    assert draft.lead_unit_id is not None and draft.start_date and draft.end_date
    candidate = Candidate.objects.create(
        round=selection,
        position=selection.candidates.count() + 1,
        name=draft.name,
        kind=draft.kind,
        summary=draft.summary,
        lead_unit_id=draft.lead_unit_id,
        region_id=draft.region_id,
        budget=draft.budget,
        start_date=draft.start_date,
        end_date=draft.end_date,
        target_name=draft.target_name,
        target_value=draft.target_value,
        target_measure=draft.target_measure,
        source=draft.source,
        proposing_unit_id=links.proposing_unit_id,
        suggestion_id=links.suggestion_id,
        appeal_id=links.appeal_id,
        proposed_by=actor,
    )
    ROUNDS.apply(
        selection,
        action=A.ADD_CANDIDATE,
        actor=who,
        reason=candidate.name,
        change=Change(payload={"candidate": candidate.pk, "source": draft.source}),
        at=now,
    )
    return candidate


@transaction.atomic(durable=True)
def candidate_withdraw(
    *,
    actor: User,
    round_id: int,
    candidate_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Candidate:
    who = Actor.of(actor)
    selection = ROUNDS.lock(
        pk=round_id, action=A.WITHDRAW_CANDIDATE, actor=who, expected_version=expected_version
    )
    candidate = selection.candidates.filter(pk=candidate_id, withdrawn=False).first()
    if candidate is None:
        raise NotFound("未找到该候选项目")
    Candidate.objects.filter(pk=candidate.pk).update(withdrawn=True, updated_at=timezone.now())
    ROUNDS.apply(
        selection,
        action=A.WITHDRAW_CANDIDATE,
        actor=who,
        reason=reason,
        change=Change(payload={"candidate": candidate.pk, "name": candidate.name}),
    )
    candidate.refresh_from_db()
    return candidate


# --- the round's steps -------------------------------------------------------------------


def _active(selection: SelectionRound) -> list[Candidate]:
    return list(selection.candidates.filter(withdrawn=False).order_by("position", "pk"))


def roster_for(selection: SelectionRound) -> list[Deputy]:
    """The deputies in office whose constituency lies in the round's region."""
    return list(
        Deputy.objects.filter(
            is_active=True,
            user__is_active=True,
            constituency__path__startswith=selection.region.path,
        ).order_by("pk")
    )


@transaction.atomic(durable=True)
def round_act(
    *,
    actor: User,
    round_id: int,
    action: RoundAction,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> SelectionRound:
    """Publish the candidates, open the deputies' vote (the roll fixed), count and publish,
    or cancel; each checked against the round's own dates and contents first."""
    if action in (A.CREATE, A.ADD_CANDIDATE, A.WITHDRAW_CANDIDATE):
        raise ValidationFailed("请使用候选项目表单")
    who = Actor.of(actor)
    selection = ROUNDS.lock(
        pk=round_id, action=action, actor=who, expected_version=expected_version
    )
    now = at or timezone.now()
    change = Change()
    if action == A.PUBLISH:
        count = len(_active(selection))
        if count < 2:
            raise ValidationFailed("至少要有2个候选项目才能公示")
        if selection.comment_closes_at <= now:
            raise ValidationFailed("公示截止时间已过，请先调整票决时间")
        change = Change(payload={"candidates": count})
    elif action == A.OPEN_VOTE:
        change = _vote_opened(selection, now)
    elif action == A.DECIDE:
        change = _counted(selection, actor=actor, now=now)
    return ROUNDS.apply(
        selection, action=action, actor=who, reason=reason, change=change, at=now
    ).subject


def _vote_opened(selection: SelectionRound, now: datetime) -> Change:
    if now < selection.comment_closes_at:
        raise ValidationFailed(
            f"公示期至{timezone.localtime(selection.comment_closes_at):%Y-%m-%d %H:%M}，"
            "公示期满后才能开始表决"
        )
    if now >= selection.vote_closes_at:
        raise ValidationFailed("表决截止时间已过，请先调整票决时间")
    deputies = roster_for(selection)
    if not deputies:
        raise ValidationFailed(f"{selection.region.name}没有在任的人大代表，无法开始表决")
    RosterEntry.objects.bulk_create(RosterEntry(round=selection, deputy=d) for d in deputies)
    return Change(fields={"roster_size": len(deputies)}, payload={"roster": len(deputies)})


def tally_recount(selection: SelectionRound) -> dict[int, t.Tally]:
    """Each candidate's tally counted from the votes (one query)."""
    rows = (
        DeputyVote.objects.filter(round=selection)
        .values("candidate_id")
        .annotate(
            f=Count("pk", filter=Q(choice=VoteChoice.FOR)),
            a=Count("pk", filter=Q(choice=VoteChoice.AGAINST)),
            s=Count("pk", filter=Q(choice=VoteChoice.ABSTAIN)),
        )
    )
    found = {r["candidate_id"]: t.Tally(r["f"], r["a"], r["s"]) for r in rows}
    return {c.pk: found.get(c.pk, t.Tally(0, 0, 0)) for c in _active(selection)}


def present_count(selection: SelectionRound) -> int:
    """The deputies present: those who cast their ballot in the round."""
    return DeputyVote.objects.filter(round=selection).values("deputy_id").distinct().count()


def _counted(selection: SelectionRound, *, actor: User, now: datetime) -> Change:
    """The count: each candidate's tally and outcome kept, the residents' votes counted, the
    passed ones made projects of the programme. Before the window ends only if every deputy
    on the roll has voted."""
    roster = selection.roster_size or 0
    present = present_count(selection)
    if now < selection.vote_closes_at and present < roster:
        raise ValidationFailed(
            f"表决截止时间为{timezone.localtime(selection.vote_closes_at):%Y-%m-%d %H:%M}，"
            f"尚有{roster - present}位代表未表决，截止后才能计票"
        )
    tallies = tally_recount(selection)
    residents = dict(
        ResidentChoice.objects.filter(ballot__round=selection)
        .values_list("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    )
    outcome: list[dict[str, object]] = []
    for candidate in _active(selection):
        tally = tallies[candidate.pk]
        passed = t.passes(
            tally,
            base=selection.pass_base,
            percent=selection.pass_percent,
            present=present,
            roster=roster,
        )
        project_id = _project_made(candidate, tally, present, actor, now) if passed else None
        Candidate.objects.filter(pk=candidate.pk).update(
            votes_for=tally.votes_for,
            votes_against=tally.votes_against,
            votes_abstain=tally.votes_abstain,
            passed=passed,
            resident_votes=residents.get(candidate.pk, 0) if selection.residents_vote else None,
            project_id=project_id,
            updated_at=now,
        )
        outcome.append(
            {
                "candidate": candidate.pk,
                "for": tally.votes_for,
                "against": tally.votes_against,
                "abstain": tally.votes_abstain,
                "passed": passed,
                "project": project_id,
            }
        )
    ballots = ResidentBallot.objects.filter(round=selection).count()
    return Change(
        fields={"present": present, "decided_at": now},
        payload={"roster": roster, "present": present, "ballots": ballots, "tally": outcome},
    )


def _project_made(
    candidate: Candidate, tally: t.Tally, present: int, actor: User, now: datetime
) -> int:
    """The passed candidate as a project of the programme, in the plan, its origin kept."""
    origin_note = f"人大代表票决通过（赞成{tally.votes_for}/出席{present}）"
    if candidate.suggestion_id:
        origin_note += f"；人民建议 {candidate.suggestion.tracking_number}"  # type: ignore[union-attr]
    if candidate.appeal_id:
        origin_note += f"；集中投诉 {candidate.appeal.tracking_number}"  # type: ignore[union-attr]
    targets: tuple[TargetDraft, ...] = ()
    if candidate.target_name and candidate.target_value:
        targets = (
            TargetDraft(
                name=candidate.target_name,
                value=candidate.target_value,
                measure=candidate.target_measure,
                unit_id=None,
            ),
        )
    project = project_create_within(
        actor=actor,
        draft=ProjectDraft(
            programme_id=candidate.round.programme_id,
            name=candidate.name,
            kind=candidate.kind,
            lead_unit_id=candidate.lead_unit_id,
            start_date=candidate.start_date,
            end_date=candidate.end_date,
            summary=candidate.summary,
            region_ids=(candidate.region_id,) if candidate.region_id else (),
            budget=candidate.budget,
            origin=candidate.source,
            origin_note=origin_note[:300],
            targets=targets,
        ),
        planned=True,
        at=now,
    )
    if candidate.appeal_id:
        ids = [
            candidate.appeal_id,
            *Appeal.objects.filter(merged_into_id=candidate.appeal_id).values_list("pk", flat=True),
        ]
        appeal_link_within(
            actor=actor, project_id=project.pk, appeal_ids=ids, source=LinkSource.HOTSPOT, at=now
        )
    return project.pk


# --- the deputies' vote -------------------------------------------------------------------


def deputy_of(user: User) -> Deputy:
    deputy = Deputy.objects.filter(user=user, is_active=True).first()
    if user.role != Role.DEPUTY or deputy is None:
        raise PermissionDenied("只有人大代表可以参加表决")
    return deputy


@transaction.atomic(durable=True)
def deputy_vote(
    *, actor: User, round_id: int, choices: Mapping[int, str], at: datetime | None = None
) -> list[DeputyVote]:
    """A deputy's ballot: for / against / abstain on every candidate of the round, once, in
    the vote's window, by a deputy on its roll. All or nothing."""
    deputy = deputy_of(actor)
    now = at or timezone.now()
    # The round's row is locked: the count waits for ballots being written, and a ballot sent
    # after the count finds the round decided.
    selection = SelectionRound.objects.select_for_update().filter(pk=round_id).first()
    if selection is None or selection.status == RoundStatus.DRAFT:
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
    candidates = {c.pk: c for c in _active(selection)}
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


# --- the public: comments and the residents' vote ------------------------------------------


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
