"""A selection round end to end through its services: candidates from a unit, an adopted
suggestion and a hotspot, publication, comments and the residents' vote, the deputies' vote
in its window, the count against hand-worked examples, and the passed candidates made
projects of the next year's programme with their links. Bad input changes nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from minxin.accounts.actor import Actor
from minxin.cases.services import appeal_merge
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.projects.models import Origin, Project, ProjectAppeal, ProjectStatus
from minxin.selection import tally as t
from minxin.selection.models import (
    Candidate,
    CandidateComment,
    DeputyVote,
    ResidentBallot,
    ResidentChoice,
    RoundEvent,
    SelectionRound,
    VoteChoice,
)
from minxin.selection.services import (
    AlreadyBallot,
    AlreadyVoted,
    candidate_add,
    candidate_comment,
    candidate_withdraw,
    deputy_vote,
    resident_ballot_cast,
    round_act,
    tally_recount,
)
from minxin.selection.workflow import RoundAction, RoundStatus
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import SuggestionStatus
from tests.builders import appeal_in, appeal_new

from .builders import (
    T0,
    after_vote,
    candidate_draft,
    candidates_add,
    deputies_new,
    in_vote,
    round_new,
)

pytestmark = pytest.mark.django_db

F, AG, AB = VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN


def _step(d, selection, action, at, **kw):
    return round_act(actor=d.user("supervisor"), round_id=selection.pk, action=action, at=at, **kw)


def _voting(d, names=("A", "B", "C"), deputies=7, **round_kw):
    deps = deputies_new(d, deputies - deputies // 2, street=0)
    deps += deputies_new(d, deputies // 2, street=1, start=len(deps) + 1)
    selection = round_new(d, **round_kw)
    cands = candidates_add(d, selection, list(names))
    _step(d, selection, RoundAction.PUBLISH, T0 + timedelta(hours=1))
    _step(d, selection, RoundAction.OPEN_VOTE, in_vote() - timedelta(hours=1))
    return selection, cands, deps


def _ballots(d, selection, cands, deps, sheets):
    for deputy, sheet in zip(deps, sheets, strict=False):
        deputy_vote(
            actor=deputy.user,
            round_id=selection.pk,
            choices={c.pk: v for c, v in zip(cands, sheet, strict=True)},
            at=in_vote(),
        )


# Five of seven deputies vote on A, B, C (hand-worked below).
SHEETS = [
    (F, F, F),
    (F, AG, F),
    (F, AG, F),
    (AG, F, F),
    (AB, AB, F),
]


def test_the_hand_worked_tally_and_rule_of_more_than_half_of_those_present(district):
    d = district
    selection, cands, deps = _voting(d)
    _ballots(d, selection, cands, deps, SHEETS)
    selection = _step(d, selection, RoundAction.DECIDE, after_vote())
    assert (selection.status, selection.roster_size, selection.present) == ("decided", 7, 5)
    a, b, c = (Candidate.objects.get(pk=x.pk) for x in cands)
    # A: 3 for, 1 against, 1 abstain; 3 > 5/2 → passes.
    assert (a.votes_for, a.votes_against, a.votes_abstain, a.passed) == (3, 1, 1, True)
    # B: 2 for, 2 against, 1 abstain; 2 is not more than 2.5 → fails.
    assert (b.votes_for, b.votes_against, b.votes_abstain, b.passed) == (2, 2, 1, False)
    # C: all 5 for.
    assert (c.votes_for, c.votes_against, c.votes_abstain, c.passed) == (5, 0, 0, True)
    # The kept tally is the votes' count.
    recount = tally_recount(selection)
    for cand in (a, b, c):
        assert recount[cand.pk] == t.Tally(cand.votes_for, cand.votes_against, cand.votes_abstain)
    assert DeputyVote.objects.filter(round=selection).count() == 15
    # The event keeps the tally too.
    event = RoundEvent.objects.get(round=selection, action=RoundAction.DECIDE)
    assert event.payload["present"] == 5 and event.payload["roster"] == 7
    assert [row["for"] for row in event.payload["tally"]] == [3, 2, 5]


def test_a_rule_on_every_deputy_of_the_roll(district):
    d = district
    selection, cands, deps = _voting(d, pass_base="roster")
    _ballots(d, selection, cands, deps, SHEETS)
    _step(d, selection, RoundAction.DECIDE, after_vote())
    # Base 7: A's 3 is not more than 3.5; C's 5 is.
    assert [Candidate.objects.get(pk=c.pk).passed for c in cands] == [False, False, True]


def test_a_two_thirds_rule(district):
    d = district
    selection, cands, deps = _voting(d, pass_percent=66)
    _ballots(d, selection, cands, deps, SHEETS)
    _step(d, selection, RoundAction.DECIDE, after_vote())
    # 66 % of 5 present is 3.3: A's 3 fails, C's 5 passes.
    assert [Candidate.objects.get(pk=c.pk).passed for c in cands] == [False, False, True]


def test_the_pure_rule():
    assert t.passes(t.Tally(3, 1, 1), base="present", percent=50, present=5, roster=7)
    assert not t.passes(t.Tally(2, 2, 1), base="present", percent=50, present=5, roster=7)
    assert not t.passes(t.Tally(3, 1, 1), base="roster", percent=50, present=5, roster=7)
    assert not t.passes(t.Tally(0, 0, 0), base="present", percent=50, present=0, roster=7)
    assert t.needed(base="present", percent=50, present=5, roster=7) == 3
    assert t.needed(base="present", percent=50, present=6, roster=7) == 4
    assert t.needed(base="roster", percent=66, present=5, roster=9) == 6


def test_passed_candidates_become_projects_of_the_programme_with_their_links(district):
    d = district
    suggestion = Suggestion.objects.create(
        tracking_number="JY2026110200001",
        query_code="123456",
        field="transport",
        title="银杉路增设早餐车",
        content="建议在银杉路地铁口设早餐车",
        proposer_name="李四",
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(  # test-only: adopted
        status=SuggestionStatus.ADOPTED, adoption_level="reported"
    )
    first = appeal_in(d, AppealStatus.IN_PROGRESS)
    again = appeal_new(d, appellant_phone="13912345678")
    appeal_merge(
        appeal_id=again.pk,
        actor=Actor.of(d.user("dispatcher")),
        expected_version=None,
        into_tracking_number=first.tracking_number,
    )
    deps = deputies_new(d, 3)
    selection = round_new(d)
    sup = d.user("supervisor")
    c_unit = candidate_add(
        actor=sup,
        round_id=selection.pk,
        draft=candidate_draft(d, "景蓉小区加装电梯", source=Origin.UNIT),
    )
    c_sugg = candidate_add(
        actor=sup,
        round_id=selection.pk,
        draft=candidate_draft(
            d,
            "银杉路早餐车",
            source=Origin.SUGGESTION,
            suggestion_number=suggestion.tracking_number,
        ),
    )
    # The hotspot by any of its appeals: the one merged into is kept.
    c_hot = candidate_add(
        actor=sup,
        round_id=selection.pk,
        draft=candidate_draft(
            d,
            "景蓉华苑垃圾分类亭改造",
            source=Origin.HOTSPOT,
            appeal_number=again.tracking_number,
            target_name="",
        ),
    )
    assert (c_unit.proposing_unit_id, c_sugg.suggestion_id, c_hot.appeal_id) == (
        d.street_units[0].pk,
        suggestion.pk,
        first.pk,
    )
    _step(d, selection, RoundAction.PUBLISH, T0 + timedelta(hours=1))
    _step(d, selection, RoundAction.OPEN_VOTE, in_vote())
    _ballots(d, selection, [c_unit, c_sugg, c_hot], deps, [(F, F, F), (F, AG, F), (AG, AG, F)])
    # Every deputy on the roll voted: the count need not wait for the window's end.
    _step(d, selection, RoundAction.DECIDE, in_vote() + timedelta(minutes=5))
    c_unit, c_sugg, c_hot = (Candidate.objects.get(pk=c.pk) for c in (c_unit, c_sugg, c_hot))
    assert (c_unit.passed, c_sugg.passed, c_hot.passed) == (True, False, True)
    assert c_sugg.project_id is None
    project = Project.objects.get(pk=c_unit.project_id)
    assert project.programme_id == selection.programme_id
    assert project.status == ProjectStatus.PLANNED
    assert (project.origin, project.lead_unit_id) == (Origin.UNIT, d.street_units[0].pk)
    assert "人大代表票决通过（赞成2/出席3）" in project.origin_note
    assert list(project.targets.values_list("name", "value")) == [("加装电梯", 12)]
    hot = Project.objects.get(pk=c_hot.project_id)
    assert hot.origin == Origin.HOTSPOT and first.tracking_number in hot.origin_note
    linked = set(ProjectAppeal.objects.filter(project=hot).values_list("appeal_id", flat=True))
    assert linked == {first.pk, again.pk}


def test_a_deputy_votes_once_in_the_window_on_every_candidate(district):
    d = district
    selection, cands, deps = _voting(d, names=("A", "B"), deputies=3)
    me = deps[0].user
    full = {cands[0].pk: F, cands[1].pk: AG}

    def refused(error, choices=full, at=None, user=me):
        with pytest.raises(error) as caught:
            deputy_vote(actor=user, round_id=selection.pk, choices=choices, at=at or in_vote())
        assert DeputyVote.objects.count() == 0
        return caught.value.message

    # Outside the window.
    before = selection.vote_opens_at - timedelta(minutes=1)
    assert "不在表决时间内" in refused(IllegalTransition, at=before)
    assert "不在表决时间内" in refused(IllegalTransition, at=selection.vote_closes_at)
    # An unknown candidate, a missing one, a bad choice.
    assert "不属于本轮" in refused(ValidationFailed, choices={**full, 999999: F})
    assert "尚未选择" in refused(ValidationFailed, choices={cands[0].pk: F})
    assert "赞成、反对或弃权" in refused(
        ValidationFailed, choices={cands[0].pk: F, cands[1].pk: "yes"}
    )
    # Not a deputy, or a deputy not on this round's roll.
    assert "只有人大代表" in refused(PermissionDenied, user=d.user("supervisor"))
    late = deputies_new(d, 1, start=50)[0]
    assert "不在本轮表决的代表名单" in refused(PermissionDenied, user=late.user)
    # Once: the second ballot is refused, the first kept.
    deputy_vote(actor=me, round_id=selection.pk, choices=full, at=in_vote())
    with pytest.raises(AlreadyVoted):
        deputy_vote(actor=me, round_id=selection.pk, choices=full, at=in_vote())
    assert DeputyVote.objects.filter(deputy=deps[0]).count() == 2
    # The database says so too, whatever the service does.
    with pytest.raises(IntegrityError), transaction.atomic():
        DeputyVote.objects.create(round=selection, candidate=cands[0], deputy=deps[0], choice=AG)


def test_the_count_waits_for_the_window_unless_everyone_voted(district):
    d = district
    selection, cands, deps = _voting(d, names=("A", "B"), deputies=3)
    _ballots(d, selection, cands, deps[:2], [(F, F), (F, AG)])
    with pytest.raises(ValidationFailed, match="尚有1位代表未表决"):
        _step(d, selection, RoundAction.DECIDE, in_vote())
    assert SelectionRound.objects.get(pk=selection.pk).status == RoundStatus.VOTING
    assert Candidate.objects.filter(passed__isnull=False).count() == 0
    _step(d, selection, RoundAction.DECIDE, after_vote())
    # After the count no ballot is taken.
    with pytest.raises(IllegalTransition):
        deputy_vote(
            actor=deps[2].user,
            round_id=selection.pk,
            choices={c.pk: F for c in cands},
            at=in_vote(),
        )


def test_the_round_steps_check_their_dates_and_contents(district):
    d = district
    deputies_new(d, 1)
    selection = round_new(d)
    candidates_add(d, selection, ["A"])
    with pytest.raises(ValidationFailed, match="至少要有2个候选项目"):
        _step(d, selection, RoundAction.PUBLISH, T0)
    candidates_add(d, selection, ["B"])
    _step(d, selection, RoundAction.PUBLISH, T0)
    # Candidates are fixed once published.
    with pytest.raises(IllegalTransition):
        candidate_add(
            actor=d.user("supervisor"), round_id=selection.pk, draft=candidate_draft(d, "C")
        )
    with pytest.raises(ValidationFailed, match="公示期满后才能开始表决"):
        _step(d, selection, RoundAction.OPEN_VOTE, T0 + timedelta(days=1))
    # Only the office acts on a round.
    with pytest.raises(PermissionDenied):
        round_act(
            actor=d.user("handler"),
            round_id=selection.pk,
            action=RoundAction.OPEN_VOTE,
            at=in_vote(),
        )
    assert SelectionRound.objects.get(pk=selection.pk).status == RoundStatus.CONSULTING


def test_a_round_in_a_street_is_voted_on_by_that_streets_deputies(district):
    d = district
    deputies_new(d, 2, street=0)
    deputies_new(d, 3, street=1, start=10)
    selection = round_new(d, region_id=d.streets[1].pk)
    candidates_add(d, selection, ["A", "B"])
    _step(d, selection, RoundAction.PUBLISH, T0)
    selection = _step(d, selection, RoundAction.OPEN_VOTE, in_vote())
    assert selection.roster_size == 3


def test_candidates_bad_input_and_withdrawal(district):
    d = district
    selection = round_new(d)
    sup = d.user("supervisor")

    def refused(message, **overrides):
        with pytest.raises(ValidationFailed, match=message):
            candidate_add(actor=sup, round_id=selection.pk, draft=candidate_draft(d, **overrides))

    refused("应在2027年内", end_date=candidate_draft(d).end_date.replace(year=2028))
    refused("不能早于计划开工", start_date=candidate_draft(d).end_date + timedelta(days=1))
    refused("建议编号", source=Origin.SUGGESTION)
    refused("未找到建议", source=Origin.SUGGESTION, suggestion_number="JY000")
    refused("未找到诉求", source=Origin.HOTSPOT, appeal_number="NOPE")
    refused("须有大于0的目标值", target_value=None)
    assert Candidate.objects.count() == 0
    a, _b = candidates_add(d, selection, ["A", "B"])
    candidate_withdraw(actor=sup, round_id=selection.pk, candidate_id=a.pk, reason="与B合并")
    with pytest.raises(ValidationFailed, match="至少要有2个候选项目"):
        _step(d, selection, RoundAction.PUBLISH, T0)
    actions = list(RoundEvent.objects.filter(round=selection).values_list("action", flat=True))
    assert actions == ["create", "add_candidate", "add_candidate", "withdraw_candidate"]


def test_comments_and_the_residents_vote_in_the_public_window(district):
    d = district
    deputies_new(d, 1)
    selection = round_new(d, residents_vote=True, residents_choices=2)
    a, b, c = candidates_add(d, selection, ["A", "B", "C"])
    # Not yet published: nothing is taken.
    with pytest.raises(NotFound):
        candidate_comment(candidate_id=a.pk, text="好", at=T0)
    _step(d, selection, RoundAction.PUBLISH, T0)
    note = candidate_comment(
        candidate_id=a.pk, text="我叫王建国，电话13812345678，支持加装电梯", nickname="", at=T0
    )
    assert "13812345678" not in note.text and "王建国" not in note.text
    with pytest.raises(ValidationFailed):
        candidate_comment(candidate_id=a.pk, text="  ", at=T0)
    with pytest.raises(ValidationFailed):
        candidate_comment(candidate_id=a.pk, text="长" * 501, at=T0)
    resident_ballot_cast(round_id=selection.pk, phone_hash="h1", candidate_ids=[a.pk, c.pk], at=T0)
    resident_ballot_cast(round_id=selection.pk, phone_hash="h2", candidate_ids=[a.pk], at=T0)
    with pytest.raises(AlreadyBallot):
        resident_ballot_cast(round_id=selection.pk, phone_hash="h1", candidate_ids=[b.pk], at=T0)
    with pytest.raises(ValidationFailed, match="最多选择2个"):
        resident_ballot_cast(
            round_id=selection.pk, phone_hash="h3", candidate_ids=[a.pk, b.pk, c.pk], at=T0
        )
    with pytest.raises(ValidationFailed, match="不在本轮候选项目中"):
        resident_ballot_cast(round_id=selection.pk, phone_hash="h3", candidate_ids=[999999], at=T0)
    with pytest.raises(ValidationFailed, match="至少选择1个"):
        resident_ballot_cast(round_id=selection.pk, phone_hash="h3", candidate_ids=[], at=T0)
    assert (ResidentBallot.objects.count(), ResidentChoice.objects.count()) == (2, 3)
    # After the public window: closed to comments and ballots.
    closed = selection.comment_closes_at
    with pytest.raises(IllegalTransition, match="公示期已结束"):
        candidate_comment(candidate_id=a.pk, text="晚了", at=closed)
    with pytest.raises(IllegalTransition):
        resident_ballot_cast(
            round_id=selection.pk, phone_hash="h4", candidate_ids=[a.pk], at=closed
        )
    assert CandidateComment.objects.count() == 1
    _step(d, selection, RoundAction.OPEN_VOTE, in_vote())
    _step(d, selection, RoundAction.DECIDE, after_vote())
    counted = {x.pk: x.resident_votes for x in Candidate.objects.filter(round=selection)}
    assert counted == {a.pk: 2, b.pk: 0, c.pk: 1}
    event = RoundEvent.objects.get(round=selection, action="decide")
    assert event.payload["ballots"] == 2
