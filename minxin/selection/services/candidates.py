"""Candidates entered while the round is being prepared (from the office's plan, a unit's
proposal, an adopted suggestion or a hotspot) and withdrawn."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region, Unit
from minxin.directory.selectors import of_district, serving, within
from minxin.machine.engine import Change
from minxin.projects.models import Origin, Programme, ProjectKind
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import SuggestionStatus

from ..machine import ROUNDS
from ..models import Candidate, SelectionRound
from ..workflow import RoundAction
from .scope import round_locked

A = RoundAction


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


def _links(draft: CandidateDraft, district: int | None) -> _Links:
    """What the candidate came from, of the round's district: another district's suggestion or
    appeal is not found, as a missing one is."""
    source = draft.source
    if source not in Origin.values:
        raise ValidationFailed("请选择候选项目来源")
    suggestion_id = appeal_id = unit_id = None
    if source == Origin.SUGGESTION:
        number = draft.suggestion_number.strip().upper()
        if not number:
            raise ValidationFailed("来源为人民建议的，请填写建议编号")
        found = Suggestion.objects.filter(of_district(district), tracking_number=number).first()
        if found is None:
            raise ValidationFailed(f"未找到建议 {number}")
        if found.status != SuggestionStatus.ADOPTED:
            raise ValidationFailed(f"建议 {number} 尚未采纳，不能列为候选项目")
        suggestion_id = found.pk
    elif source == Origin.HOTSPOT:
        number = draft.appeal_number.strip().upper()
        if not number:
            raise ValidationFailed("来源为集中投诉的，请填写诉求受理编号")
        appeal = (
            Appeal.objects.filter(of_district(district), tracking_number=number)
            .only("pk", "merged_into")
            .first()
        )
        if appeal is None:
            raise ValidationFailed(f"未找到诉求 {number}")
        appeal_id = appeal.merged_into_id or appeal.pk  # the hotspot is the appeal merged into
    elif source == Origin.UNIT:
        unit_id = draft.proposing_unit_id or draft.lead_unit_id
        units = Unit.objects.filter(serving(district), is_active=True)
        if unit_id is None or not units.filter(pk=unit_id).exists():
            raise ValidationFailed("来源为单位申报的，请选择本辖区的申报单位")
    return _Links(suggestion_id, appeal_id, unit_id)


def _candidate_checked(draft: CandidateDraft, selection: SelectionRound) -> CandidateDraft:
    """The draft cleaned, its unit and place the round's district's (a unit of the city
    serves every district)."""
    programme: Programme = selection.programme
    district = selection.jurisdiction_id
    name = line_clean(draft.name, label="项目名称", max_length=200)
    summary = text_clean(draft.summary, label="项目内容", max_length=5000)
    if draft.kind not in ProjectKind.values:
        raise ValidationFailed("请选择项目类别")
    units = Unit.objects.filter(serving(district), is_active=True)
    if draft.lead_unit_id is None or not units.filter(pk=draft.lead_unit_id).exists():
        raise ValidationFailed("请选择本辖区的牵头单位")
    places = Region.objects.filter(within(district))
    if draft.region_id is not None and not places.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选实施区域不在本辖区内")
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
    selection = round_locked(
        actor=actor, round_id=round_id, action=A.ADD_CANDIDATE, expected_version=expected_version
    )
    now = at or timezone.now()
    draft = _candidate_checked(draft, selection)
    links = _links(draft, selection.jurisdiction_id)
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
    selection = round_locked(
        actor=actor,
        round_id=round_id,
        action=A.WITHDRAW_CANDIDATE,
        expected_version=expected_version,
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


def candidates_active(selection: SelectionRound) -> list[Candidate]:
    """The round's candidates not withdrawn, in their order."""
    return list(selection.candidates.filter(withdrawn=False).order_by("position", "pk"))
