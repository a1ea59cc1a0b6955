"""The round itself: created, its steps (publish, open the deputies' vote, count and
publish, cancel) through its machine, and the count: each candidate's tally and outcome kept,
the passed ones made projects of the round's programme."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.errors import ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region
from minxin.directory.selectors import within
from minxin.machine.engine import Change
from minxin.projects.models import LinkSource, Programme
from minxin.projects.services import (
    ProjectDraft,
    TargetDraft,
    appeal_link_within,
    project_create_within,
)

from .. import tally as t
from ..machine import ROUNDS
from ..models import (
    Candidate,
    Deputy,
    DeputyVote,
    PassBase,
    ResidentBallot,
    ResidentChoice,
    RosterEntry,
    SelectionRound,
    VoteChoice,
)
from ..workflow import RoundAction
from .candidates import candidates_active
from .scope import round_locked

A = RoundAction


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


def _district_of(draft: RoundDraft, actor: User) -> int | None:
    """The round's district: its programme's, which must be the actor's (any for the city's
    staff); its region lies in it, so that its roll is the district's deputies."""
    programme = Programme.objects.filter(pk=draft.programme_id or 0).first()
    if programme is None:
        raise ValidationFailed("请选择通过的项目列入的年度计划")
    district = programme.jurisdiction_id
    if actor.jurisdiction_scope not in (None, district):
        raise ValidationFailed("所选年度计划不属于本辖区，请选择本辖区的计划")
    if draft.region_id is None or not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("请选择票决范围（区或街道）")
    if not Region.objects.filter(within(district), pk=draft.region_id).exists():
        raise ValidationFailed(f"票决范围应在{programme}所属的辖区内")
    return district


def _round_checked(draft: RoundDraft, now: datetime, actor: User) -> tuple[RoundDraft, int | None]:
    """The draft cleaned, and the round's district."""
    title = line_clean(draft.title, label="票决名称", max_length=200)
    description = text_clean(draft.description, label="说明", max_length=5000, required=False)
    district = _district_of(draft, actor)
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
    cleaned = RoundDraft(
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
    return cleaned, district


@transaction.atomic(durable=True)
def round_create(*, actor: User, draft: RoundDraft, at: datetime | None = None) -> SelectionRound:
    who = Actor.of(actor)
    ROUNDS.may_create(action=A.CREATE, actor=who)
    now = at or timezone.now()
    draft, district = _round_checked(draft, now, actor)
    assert draft.comment_closes_at and draft.vote_opens_at and draft.vote_closes_at
    assert draft.programme_id is not None and draft.region_id is not None
    selection = SelectionRound.objects.create(
        jurisdiction_id=district,
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
    selection = round_locked(
        actor=actor, round_id=round_id, action=action, expected_version=expected_version
    )
    now = at or timezone.now()
    change = Change()
    if action == A.PUBLISH:
        count = len(candidates_active(selection))
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
    return {c.pk: found.get(c.pk, t.Tally(0, 0, 0)) for c in candidates_active(selection)}


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
    for candidate in candidates_active(selection):
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
