"""议事厅: every write of a topic, through the topics' machine (`machine.TOPICS`): one
TopicEvent per step, in the transaction that makes the change.

A decision that becomes an appeal goes through `intake.services.appeal_receive`, a durable
transaction of its own (as a visit's matters do): everything is checked first, the appeal is
keyed by the topic and the decision's position, and the decision is then recorded with its
event; a retry after a failure half-way finds the appeal and completes the decision, never
creating anything twice.

A topic is one district's (its proposer's: a member of staff's, the public page's host's;
for the city's staff, its community's): staff of another district act on none of it (NotFound,
as for a missing one), and its candidate projects go only into its district's programmes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft, appeal_draft_clean
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import (
    IllegalTransition,
    MinxinError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Region, RegionLevel, Unit, UnitKind, jurisdiction_default
from minxin.directory.selectors import jurisdiction_of_region
from minxin.intake.services import appeal_receive
from minxin.machine.engine import Change
from minxin.projects.models import Programme, ProjectKind
from minxin.projects.selectors import programmes_to_choose
from minxin.projects.services import ProjectDraft, project_create_within
from minxin.projects.workflow import OFFICE as PROJECT_OFFICE
from minxin.projects.workflow import ProjectStatus

from .machine import MISSING, TOPICS
from .models import Decision, DecisionKind, Group, Participant, Topic, TopicSupport
from .workflow import TopicAction, TopicStatus

A = TopicAction
OPEN_PER_PHONE = 3
APPEAL_DONE = frozenset({AppealStatus.RESOLVED, AppealStatus.RATED, AppealStatus.ARCHIVED})
PROJECT_DONE = frozenset({ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED})


class AlreadySupported(MinxinError):
    status_code = 409
    default_message = "您已附议过该议题，每人只能附议一次"


def support_needed() -> int:
    return int(getattr(settings, "MINXIN_DELIBERATION_SUPPORT", 10))


def host_of(region: Region) -> Unit | None:
    """The street office of a community (or of the street itself)."""
    street = region if region.level == RegionLevel.SUBDISTRICT else region.parent
    if street is None:
        return None
    return Unit.objects.filter(region=street, kind=UnitKind.SUBDISTRICT, is_active=True).first()


@dataclass(frozen=True)
class TopicDraft:
    title: str
    description: str
    region_id: int | None
    proposer: str = ""


def _district_of(region: Region, *, actor: User | None, host: int | None) -> int:
    """The district a topic is proposed in: its proposer's (a member of staff's, or the public
    page's host's), else its community's, else the install's first; the community must lie in
    it."""
    district = actor.jurisdiction_scope if actor is not None else host
    placed = jurisdiction_of_region(region.pk)
    if district is None:
        return placed if placed is not None else jurisdiction_default()
    if placed is not None and placed != district:
        raise ValidationFailed("所选社区不属于本辖区")
    return district


def _seen_by(actor: User, topic: Topic) -> bool:
    return actor.jurisdiction_scope in (None, topic.jurisdiction_id)


def _in_scope(actor: User, topic_id: int) -> None:
    """Another district's topic is as unknown to its staff as a missing one: checked before
    the row is locked, so that not even its status tells them it is there."""
    district = actor.jurisdiction_scope
    if district is None:
        return
    if not Topic.objects.filter(pk=topic_id, jurisdiction_id=district).exists():
        raise NotFound(MISSING)


@transaction.atomic(durable=True)
def topic_propose(
    *,
    draft: TopicDraft,
    actor: User | None = None,
    phone_hash: str = "",
    district: int | None = None,
    at: datetime | None = None,
) -> Topic:
    """A topic of a community: a resident's (no account, a confirmed phone's hash; at most a
    few open at once per phone; to `district`, the public page's host's) or the street's (a
    handler of the community's street, or the office)."""
    who = Actor.citizen() if actor is None else Actor.of(actor)
    TOPICS.may_create(action=A.PROPOSE, actor=who)
    now = at or timezone.now()
    title = line_clean(draft.title, label="议题", max_length=200)
    description = text_clean(draft.description, label="议题说明", max_length=3000)
    proposer = line_clean(draft.proposer, label="称呼", max_length=50, required=False)
    region = Region.objects.filter(pk=draft.region_id).first() if draft.region_id else None
    if region is None or region.level not in (RegionLevel.COMMUNITY, RegionLevel.SUBDISTRICT):
        raise ValidationFailed("请选择议题所在的社区")
    jurisdiction_id = _district_of(region, actor=actor, host=district)
    unit = host_of(region)
    if unit is None:
        raise ValidationFailed("该社区尚无组织议事的街道")
    if who.role == Role.CITIZEN:
        if not phone_hash:
            raise ValidationFailed("请先验证手机号")
        open_ones = Topic.objects.filter(
            proposer_phone_hash=phone_hash, status=TopicStatus.PROPOSED
        ).count()
        if open_ones >= OPEN_PER_PHONE:
            raise ValidationFailed(f"每个手机号最多同时提出{OPEN_PER_PHONE}个征集中的议题")
    elif who.role == Role.HANDLER and who.unit_id != unit.pk:
        raise ValidationFailed(f"该社区的议事由{unit.name}组织")
    topic = Topic.objects.create(
        jurisdiction_id=jurisdiction_id,
        title=title,
        description=description,
        region=region,
        unit=unit,
        proposer=proposer or (str(actor) if actor else ""),
        proposed_by=actor,
        proposer_phone_hash=phone_hash if who.role == Role.CITIZEN else "",
        support_needed=support_needed(),
        created_at=now,
        updated_at=now,
    )
    TOPICS.created(topic, action=A.PROPOSE, actor=who, at=now)
    return topic


@transaction.atomic(durable=True)
def topic_support(*, topic_id: int, phone_hash: str, at: datetime | None = None) -> int:
    """A resident's support (one per phone); the topic's supporters after it."""
    topic = Topic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(MISSING)
    if topic.status != TopicStatus.PROPOSED:
        raise IllegalTransition("该议题已不在征集附议阶段")
    if not phone_hash:
        raise ValidationFailed("请先验证手机号")
    try:
        with transaction.atomic():
            TopicSupport.objects.create(
                topic=topic, phone_hash=phone_hash, created_at=at or timezone.now()
            )
    except IntegrityError:
        raise AlreadySupported() from None
    return topic.supports.count()


def _locked(actor: User, topic_id: int, action: TopicAction, version: int | None) -> Topic:
    _in_scope(actor, topic_id)
    return TOPICS.lock(pk=topic_id, action=action, actor=Actor.of(actor), expected_version=version)


@transaction.atomic(durable=True)
def topic_schedule(
    *,
    actor: User,
    topic_id: int,
    meeting_at: datetime | None,
    place: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Topic:
    topic = _locked(actor, topic_id, A.SCHEDULE, expected_version)
    now = at or timezone.now()
    where = line_clean(place, label="议事地点", max_length=200)
    if meeting_at is None:
        raise ValidationFailed("请填写议事时间")
    if meeting_at < now - timedelta(days=1):
        raise ValidationFailed("议事时间不能早于今天")
    when = timezone.localtime(meeting_at)
    return TOPICS.apply(
        topic,
        action=A.SCHEDULE,
        actor=Actor.of(actor),
        reason=f"{when:%Y-%m-%d %H:%M} {where}",
        change=Change(fields={"meeting_at": meeting_at, "meeting_place": where}),
        at=now,
    ).subject


@transaction.atomic(durable=True)
def topic_decline(
    *, actor: User, topic_id: int, reason: str, expected_version: int | None = None
) -> Topic:
    """Not to be deliberated, with the reason; refused once enough residents support it."""
    topic = _locked(actor, topic_id, A.DECLINE, expected_version)
    supporters = topic.supports.count()
    if supporters >= topic.support_needed:
        raise IllegalTransition(
            f"已有{supporters}位居民附议（达到{topic.support_needed}人），须安排议事"
        )
    return TOPICS.apply(topic, action=A.DECLINE, actor=Actor.of(actor), reason=reason).subject


@transaction.atomic(durable=True)
def topic_hold(
    *,
    actor: User,
    topic_id: int,
    minutes: str,
    participants: dict[str, list[str]],
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Topic:
    """The meeting held: its participants by group (one name per line) and its minutes."""
    topic = _locked(actor, topic_id, A.HOLD, expected_version)
    text = TOPICS.reason_clean(A.HOLD, minutes)
    rows = []
    for group, names in participants.items():
        if group not in Group.values:
            raise ValidationFailed("参会人员类别有误")
        for name in names:
            clean = line_clean(name, label="参会人员", max_length=100, required=False)
            if clean:
                rows.append(Participant(topic=topic, group=group, name=clean))
    if not any(r.group == Group.RESIDENTS for r in rows):
        raise ValidationFailed("请填写参会的居民代表")
    if len(rows) > 200:
        raise ValidationFailed("参会人员不能超过200人")
    Participant.objects.bulk_create(rows)
    counts = {g: sum(1 for r in rows if r.group == g) for g in Group.values}
    return TOPICS.apply(
        topic,
        action=A.HOLD,
        actor=Actor.of(actor),
        reason=text,
        change=Change(fields={"minutes": text}, payload={"participants": counts}),
        at=at,
    ).subject


@dataclass(frozen=True)
class DecisionDraft:
    text: str
    kind: str
    note: str = ""
    programme_id: int | None = None  # a candidate project's programme


def decision_record(
    *,
    actor: User,
    topic_id: int,
    draft: DecisionDraft,
    expected_version: int | None = None,
) -> Decision:
    """A decision of the meeting and what it becomes: an appeal in the loop (to the street),
    a candidate project (of the programme chosen), or a note closed at once."""
    who = Actor.of(actor)
    topic = Topic.objects.select_related("region", "unit").filter(pk=topic_id).first()
    if topic is None or not _seen_by(actor, topic):
        raise NotFound(MISSING)
    why_not = TOPICS.refusal(
        action=A.DECIDE, actor=who, status=topic.status, lead_unit_id=topic.unit_id
    )
    if why_not:
        if topic.status != TopicStatus.DELIBERATED:
            raise IllegalTransition(why_not)
        raise PermissionDenied(why_not)
    text = text_clean(draft.text, label="议定事项", max_length=2000)
    if draft.kind not in DecisionKind.values:
        raise ValidationFailed("请选择议定事项的办理方式")
    if draft.kind == DecisionKind.PROJECT and actor.role not in PROJECT_OFFICE:
        raise PermissionDenied("列为候选项目须由督查室录入（民心工程由督查室统筹）")
    if draft.kind == DecisionKind.PROJECT:
        _programme_check(draft.programme_id, district=topic.jurisdiction_id)
    position = topic.decisions.count() + 1
    appeal_id = None
    if draft.kind == DecisionKind.APPEAL:
        appeal_draft = appeal_draft_clean(
            AppealDraft(
                channel=Channel.VISIT,
                kind=AppealKind.HELP,
                title=f"议事厅议定：{topic.title}"[:100],
                content=f"{topic.region.name}议事会议议定：{text}",
                place_text=topic.region.name,
                region_id=topic.region_id,
                appellant_name=f"{topic.region.name}议事会",
                is_anonymous=True,
                jurisdiction_id=topic.jurisdiction_id,  # the topic's, whoever records it
            )
        )
        received = appeal_receive(
            actor=who, draft=appeal_draft, submission_key=f"deliberation-{topic.pk}-{position}"
        )
        appeal_id = received.appeal.pk
    return _decision_write(
        actor=actor,
        topic_id=topic.pk,
        position=position,
        text=text,
        draft=draft,
        appeal_id=appeal_id,
        expected_version=expected_version,
    )


def _programme_check(programme_id: int | None, *, district: int | None) -> None:
    """A candidate project goes into a programme of the topic's district (the ones offered)."""
    if programme_id is None or not Programme.objects.filter(pk=programme_id).exists():
        raise ValidationFailed("请选择候选项目所属的年度计划")
    if not programmes_to_choose(district=district).filter(pk=programme_id).exists():
        raise ValidationFailed("所选年度计划不属于本议题所在辖区，请选择本辖区的年度计划")


@transaction.atomic(durable=True)
def _decision_write(
    *,
    actor: User,
    topic_id: int,
    position: int,
    text: str,
    draft: DecisionDraft,
    appeal_id: int | None,
    expected_version: int | None,
) -> Decision:
    topic = _locked(actor, topic_id, A.DECIDE, expected_version)
    found = topic.decisions.filter(position=position).first()
    if found is not None:  # a retry: the decision is there
        return found
    project_id = None
    if draft.kind == DecisionKind.PROJECT:
        assert draft.programme_id is not None
        programme = Programme.objects.get(pk=draft.programme_id)
        today = timezone.localdate()
        start = max(today, date(programme.year, 1, 1))
        project = project_create_within(
            actor=actor,
            draft=ProjectDraft(
                programme_id=programme.pk,
                name=line_clean(text, label="议定事项", max_length=2000)[:60],
                kind=ProjectKind.OTHER,
                lead_unit_id=topic.unit_id,
                start_date=start,
                end_date=max(start, date(programme.year, 12, 31)),
                summary=f"{topic.region.name}议事会议议定：{text}",
                region_ids=(topic.region_id,),
                origin="office",
                origin_note=f"议事厅：{topic.title}"[:300],
            ),
            planned=False,
        )
        project_id = project.pk
    note = text_clean(draft.note, label="说明", max_length=2000, required=False)
    decision = Decision.objects.create(
        topic=topic,
        position=position,
        text=text,
        kind=draft.kind,
        appeal_id=appeal_id,
        project_id=project_id,
        note=note,
    )
    TOPICS.apply(
        topic,
        action=A.DECIDE,
        actor=Actor.of(actor),
        reason=text,
        change=Change(
            payload={
                "decision": decision.pk,
                "kind": draft.kind,
                "appeal": appeal_id,
                "project": project_id,
            }
        ),
    )
    return decision


def decision_done(decision: Decision) -> bool:
    """Followed through to its end: the appeal answered, the project completed, a note."""
    if decision.kind == DecisionKind.APPEAL:
        return decision.appeal is not None and decision.appeal.status in APPEAL_DONE
    if decision.kind == DecisionKind.PROJECT:
        return decision.project is not None and decision.project.status in PROJECT_DONE
    return True


@transaction.atomic(durable=True)
def topic_close(
    *, actor: User, topic_id: int, expected_version: int | None = None, at: datetime | None = None
) -> Topic:
    """Closed once it has decisions and every one has been followed through."""
    topic = _locked(actor, topic_id, A.CLOSE, expected_version)
    decisions = list(topic.decisions.select_related("appeal", "project"))
    if not decisions:
        raise ValidationFailed("请先记录议定事项")
    open_ones = [d for d in decisions if not decision_done(d)]
    if open_ones:
        raise ValidationFailed(
            f"尚有{len(open_ones)}项议定事项未办结（第{open_ones[0].position}项）"
        )
    now = at or timezone.now()
    return TOPICS.apply(
        topic,
        action=A.CLOSE,
        actor=Actor.of(actor),
        change=Change(fields={"closed_at": now}, payload={"decisions": len(decisions)}),
        at=now,
    ).subject
