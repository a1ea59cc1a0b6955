"""The demo's task force (工作专班): the housing bureau leads a task force on the property
disputes its issue list carries, with city management and two streets as members and the
district leader in charge; its scope holds the bureau's live items and their appeals; two
meetings, their decisions issued as supervision orders to members (one already answered).
Through `taskforces.services`, back-dated with their `at`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.workflow import OPEN_STATUSES
from minxin.directory.models import Unit
from minxin.issuelists.models import IssueItem
from minxin.jointhandling.services import Part, joint_visit_record
from minxin.supervision.services import appeal_take_charge, supervision_order_answer
from minxin.taskforces import services as tf
from minxin.taskforces.models import TaskForce

from . import district as d

LEAD, MEMBER = "zjj", "cgzf"  # 住建局 leads, 城管执法局 is a member


def _unit(slug: str) -> Unit | None:
    name = next(n for s, n, _ in d.DEPARTMENTS if s == slug)
    return Unit.objects.filter(name=name).first()


def task_forces_seed(*, now: datetime | None = None) -> int:
    """The task forces set up (one); none without the departments, a leader or items."""
    now = now or timezone.now()
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    leader = User.objects.filter(role=Role.LEADER).order_by("pk").first()
    lead, member = _unit(LEAD), _unit(MEMBER)
    if supervisor is None or leader is None or lead is None or member is None:
        return 0
    scope = _scope(lead)
    if scope is None:
        return 0
    items, streets, numbers = scope
    set_up_at = now - timedelta(days=35)
    force = tf.task_force_set_up(
        actor=supervisor,
        name="老旧小区综合治理工作专班",
        purpose=(
            "住建局牵头，城管执法局和属地街道参加：集中化解清单所列老旧小区问题，"
            "建立物业、社区、执法联动机制，专班诉求两个月内清零。"
        ),
        lead_unit_id=lead.pk,
        member_ids=[member.pk, *(s.pk for s in streets)],
        leader_id=leader.pk,
        scope=tf.Scope(item_ids=[i.pk for i in items], tracking_numbers=numbers),
        at=set_up_at,
    )
    _meetings(supervisor, leader, force, lead, member, streets, set_up_at=set_up_at, now=now)
    _leader_case_and_joint_visit(supervisor, leader, force, now)
    return 1


def _scope(lead: Unit) -> tuple[list[IssueItem], list[Unit], list[str]] | None:
    """The lead unit's three most pressing open items, the streets they lie in (two at most)
    and up to eight of their appeals; None without items."""
    items = list(
        IssueItem.objects.filter(issue_list__unit=lead, status__in=["open", "closing"]).order_by(
            "deadline"
        )[:3]
    )
    if not items:
        return None
    streets = list(
        Unit.objects.filter(region__in=[r for i in items for r in i.regions.all()]).distinct()[:2]
    )
    numbers = list(
        IssueItem.objects.filter(pk__in=[i.pk for i in items])
        .values_list("appeal_links__appeal__tracking_number", flat=True)
        .exclude(appeal_links__isnull=True)[:8]
    )
    return items, streets, numbers


def _meetings(
    supervisor: User,
    leader: User,
    force: TaskForce,
    lead: Unit,
    member: Unit,
    streets: list[Unit],
    *,
    set_up_at: datetime,
    now: datetime,
) -> None:
    """Two meetings: the first assigns two decisions (the lead unit answers its order), the
    second a weekly report."""
    first = tf.task_force_meeting(
        actor=supervisor,
        task_force_id=force.pk,
        draft=tf.MeetingDraft(
            held_at=set_up_at + timedelta(days=2, hours=2),
            place="区政府第三会议室",
            attendees=f"{leader}、住建局、城管执法局、" + "、".join(s.name for s in streets),
            minutes="通报清单事项和相关诉求情况；明确住建局统筹、城管执法局负责违法搭建和占道、街道负责入户走访。",
            decisions=(
                tf.DecisionDraft(
                    "制定老旧小区物业服务考核办法，报专班审定", lead.pk, now + timedelta(days=5)
                ),
                tf.DecisionDraft(
                    "对清单所列小区违法搭建集中执法", member.pk, now + timedelta(days=10)
                ),
            ),
        ),
        at=set_up_at + timedelta(days=2, hours=4),
    )
    order = first.decisions.order_by("pk").first()
    handler = User.objects.filter(role=Role.HANDLER, unit=lead).order_by("pk").first()
    if order is not None and handler is not None:
        supervision_order_answer(
            actor=handler, order_id=order.order_id, answer="考核办法已起草，征求街道意见后报专班"
        )
    tf.task_force_meeting(
        actor=supervisor,
        task_force_id=force.pk,
        draft=tf.MeetingDraft(
            held_at=now - timedelta(days=7),
            place="桂花坪街道会议室",
            attendees="住建局、城管执法局、属地街道、物业企业代表",
            minutes="听取各成员单位进展；物业企业承诺整改时限。",
            decisions=(
                tf.DecisionDraft(
                    "每周报送专班诉求办理进展",
                    streets[0].pk if streets else lead.pk,
                    now + timedelta(days=14),
                ),
            ),
        ),
        at=now - timedelta(days=7) + timedelta(hours=3),
    )


def _leader_case_and_joint_visit(
    supervisor: User, leader: User, force: TaskForce, now: datetime
) -> None:
    """The leader takes one of the task force's appeals in charge (领导包案), and its lead unit
    records a joint visit with the city management bureau on it (联合处置)."""
    appeal = force.appeals.filter(status__in=OPEN_STATUSES, lead_unit__isnull=False).first()
    if appeal is None:  # its appeals are all answered: an open one of its units joins it
        units = [force.lead_unit_id, *force.members.values_list("pk", flat=True)]
        appeal = (
            Appeal.objects.filter(status__in=OPEN_STATUSES, lead_unit_id__in=units)
            .order_by("-received_at")
            .first()
        )
        if appeal is None:
            return
        tf.task_force_add_scope(
            actor=supervisor,
            task_force_id=force.pk,
            scope=tf.Scope(tracking_numbers=[appeal.tracking_number]),
            at=now - timedelta(days=3),
        )
    appeal_take_charge(actor=leader, appeal_id=appeal.pk, note="涉及多个部门，亲自协调", at=now)
    lead = appeal.lead_unit_id
    assert lead is not None  # chosen with a lead unit
    handler = User.objects.filter(role=Role.HANDLER, unit_id=lead).first()
    member = force.members.exclude(pk=lead).first() or force.lead_unit
    if handler is None or member.pk == lead:
        return
    joint_visit_record(
        actor=handler,
        appeal_id=appeal.pk,
        held_at=now - timedelta(days=1, hours=2),
        place=appeal.place_text or "现场",
        outcome="各单位现场会商：违规搭建限期拆除，物业承诺一周内整改，社区跟踪回访。",
        parts=[
            Part(lead, "承办人等2人", "现场核实情况，组织协调"),
            Part(member.pk, "执法队员2人", "对违规搭建下达限期整改通知"),
        ],
        at=now - timedelta(days=1),
    )
