"""Apply one demo appeal's scheduled steps in memory, exactly as the services would: each step
checked against the table and the unit rule by the appeals' machine (`APPEALS.refusal`), its
changes made by the very functions the services apply (`cases.changes`), and its event built
by the machine (`APPEALS.event_new`). The result is ready for bulk insert."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases import changes
from minxin.cases.machine import APPEALS
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Extension,
    Reply,
    Revisit,
    RevisitReason,
    RevisitStatus,
)
from minxin.cases.services.closing import ARCHIVED_UNRATED
from minxin.cases.workflow import TRANSITIONS, Action, Satisfaction
from minxin.deadlines import calendar
from minxin.directory.models import Category, Region, Unit, UnitKind
from minxin.feedback.models import Rating
from minxin.machine.engine import Change
from minxin.review.policy import quality_of, rule_for, verdict

from .paths import Step
from .reasons import COMMENTS, REASONS, REVISED_CONTACT, REVISIT_NOTES, SECOND_REPLIES

if TYPE_CHECKING:
    from .lifecycle import Lifecycle

A = Action


@dataclass
class AppealPlan:
    appeal: Appeal
    events: list[AppealEvent] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    ratings: list[tuple[Rating, Reply]] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    revisits: list[Revisit] = field(default_factory=list)
    # Each release (approve_reply) and the reply it released, whose id the event names once
    # the replies are written.
    released: list[tuple[AppealEvent, Reply]] = field(default_factory=list)
    merge_target: Appeal | None = None


_CITIZEN: Final = Actor.citizen()
_SYSTEM: Final = Actor.system()


class AppealSteps:
    """One appeal's steps, applied in order."""

    def __init__(
        self,
        life: Lifecycle,
        plan: AppealPlan,
        *,
        leaf: Category | None,
        community: Region,
        urgency: str,
        reply: str,
    ) -> None:
        self.life = life
        self.rng: random.Random = life.rng
        self.plan = plan
        self.appeal = plan.appeal
        self.leaf = leaf
        self.community = community
        self.urgency = urgency
        self.reply_text = reply
        self.active: list[Assignment] = []
        self.returned_by: set[int] = set()
        self.pending: Extension | None = None
        self.step: Step | None = None
        self.held = False  # the review policy holds the latest reply for a reviewer
        self.held_why = ""
        self.revisit: Revisit | None = None  # the one pending, if any

    def run(self, steps: list[Step]) -> None:
        i = 0
        while i < len(steps):
            step = steps[i]
            assert step.at is not None
            if step.action == A.ARCHIVE and self.revisit is not None:
                # The revisit call is made before the appeal is archived.
                before = self.plan.events[-1].created_at
                call = Step(A.FOLLOW_UP, "caller", "reached", before + (step.at - before) / 2)
                steps.insert(i, call)
                continue
            self._step(step, step.at)
            if step.action == A.RESOLVE and not self.held:
                # The policy passes the reply: the system releases it at once, no review.
                j = i + 1
                while j < len(steps) and steps[j].variant == "reviewed":
                    j += 1
                del steps[i + 1 : j]
                release = Step(A.APPROVE_REPLY, "system", at=step.at + timedelta(seconds=1))
                if i + 1 < len(steps) and steps[i + 1].action == A.APPROVE_REPLY:
                    steps[i + 1] = release
                else:
                    steps.insert(i + 1, release)
            i += 1
        appeal = self.appeal
        appeal.version = len(self.plan.events)
        appeal.updated_at = self.plan.events[-1].created_at

    def _who(self, by: str) -> Actor:
        life, rng = self.life, self.rng
        has_phone = bool(self.appeal.appellant_phone)
        if by == "rater":
            # The citizen rates with the query code, or the hotline calls back and asks;
            # without a phone number only the first.
            by = "citizen" if not has_phone or rng.random() < 0.35 else "call_taker"
        elif by == "caller":
            # A follow-up is a call from the hotline or a supervisor's visit.
            by = "call_taker" if has_phone and rng.random() < 0.6 else "supervisor"
        elif by == "reviewer":
            # The centre's review: its dispatchers, sometimes the supervision office.
            by = "dispatcher" if rng.random() < 0.8 else "supervisor"
        if by == "citizen":
            return _CITIZEN
        if by == "system":
            return _SYSTEM
        if by in ("handler", "assist"):
            unit_id = self.appeal.lead_unit_id
            assists = [a.unit_id for a in self.active if a.role == AssignmentRole.ASSIST]
            if by == "assist" and assists:
                unit_id = rng.choice(assists)
            assert unit_id is not None
            return Actor(role=Role.HANDLER, user=life.world.handlers[unit_id], unit_id=unit_id)
        pool = {
            "call_taker": life.world.call_takers,
            "dispatcher": life.world.dispatchers,
            "supervisor": life.world.supervisors,
        }[by]
        user = pool[0] if len(pool) == 1 or rng.random() < 0.6 else rng.choice(pool[1:])
        return Actor.of(user)

    def _step(self, step: Step, at: datetime) -> None:
        appeal, action = self.appeal, step.action
        self.step = step
        who = self._who(step.by)
        from_status = appeal.status
        transition = TRANSITIONS[action]
        if transition.creates:
            assert from_status == "" and who.role in transition.roles
        else:
            why_not = APPEALS.refusal(
                action=action,
                actor=who,
                status=from_status,
                lead_unit_id=appeal.lead_unit_id,
                assisting_unit_ids=frozenset(
                    a.unit_id for a in self.active if a.role == AssignmentRole.ASSIST
                ),
            )
            if why_not is not None:
                raise AssertionError(f"demo path breaks the rules at {action}: {why_not}")
        handler = getattr(self, f"_do_{action.value}", None)
        if handler is not None:
            reason, payload = handler(who, at)
        else:  # the table's row and its change, as `services.appeal_act` applies them
            changed = changes.BY_ACTION.get(action)
            payload = self._changed(changed(appeal=appeal, at=at)) if changed else {}
            reason = self._reason_of(action, who)
        if transition.needs_reason and not reason:
            raise AssertionError(f"demo path gives {action} no {transition.reason_label}")
        appeal.status = transition.target or from_status
        event = APPEALS.event_new(
            appeal, action=action, actor=who, from_status=from_status, reason=reason,
            payload=payload, at=at,
        )  # fmt: skip
        self.plan.events.append(event)
        if action == A.APPROVE_REPLY:
            self.plan.released.append((event, self.plan.replies[-1]))

    def _reason(self, action: Action) -> str:
        return self.rng.choice(REASONS[action])

    def _reason_of(self, action: Action, who: Actor) -> str:
        if action == A.ARCHIVE:
            return ARCHIVED_UNRATED if who.role == Role.SYSTEM else ""
        return self._reason(action) if action in REASONS else ""

    def _changed(self, change: Change) -> dict[str, Any]:
        """The change's fields set on the appeal, as the machine's update sets them."""
        for name, value in change.fields.items():
            setattr(self.appeal, name, value)
        return change.payload

    # Each _do_<action> applies what its service changes and returns (reason, payload).

    def _do_receive(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.created_by = who.user
        return "", changes.received(channel=self.appeal.channel, photos=0).payload

    def _do_screen(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        assert self.leaf is not None
        change = changes.screened(
            category=self.leaf, region_id=self.appeal.region_id, urgency=self.urgency
        )
        return "", self._changed(change)

    def _do_merge(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        target = self.plan.merge_target
        assert target is not None
        return (
            f"与{target.tracking_number}反映同一事项，合并办理",
            self._changed(changes.merged(into=target)),
        )

    def _do_dispatch(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        life, appeal, leaf = self.life, self.appeal, self.leaf
        assert leaf is not None and appeal.category_id is not None
        lead, assists = self._units_chosen(leaf)
        first_contact_hours, resolve_days = life.world.limits[(appeal.category_id, appeal.urgency)]
        change = changes.dispatched(
            at=at,
            lead=lead,
            assists=assists,
            first_contact_due=calendar.add_working_hours(at, first_contact_hours),
            resolve_due=life.add_days(at, resolve_days),
        )
        self._assignments_end(at, changes.REDISPATCHED)
        self.active = changes.assignments_given(
            appeal=appeal,
            lead_unit_id=lead.pk,
            assist_unit_ids=[u.pk for u in assists],
            at=at,
            by_id=who.user.pk if who.user else None,
        )
        self.plan.assignments += self.active
        return "", self._changed(change)

    def _units_chosen(self, leaf: Category) -> tuple[Unit, list[Unit]]:
        """The lead unit the routing rules name (one that has not sent it back), else the
        dispatcher's pick; sometimes an assisting unit."""
        life = self.life
        suggested = [u for u in life.routes(leaf, self.community) if u.pk not in self.returned_by]
        candidates = [u for u in suggested if u.pk in life.world.handlers]
        if candidates:
            lead = candidates[0]
        else:  # no rule fits, or every suggestion sent it back: the dispatcher decides
            lead = self.rng.choice(
                [u for u in life.world.departments if u.pk not in self.returned_by]
            )
        assists: list[Unit] = []
        if self.rng.random() < 0.12:
            if lead.kind == UnitKind.SUBDISTRICT:
                assists = [self.rng.choice(life.world.departments)]
            else:
                subdistrict = life.subdistrict_of[self.community.pk]
                assists = [life.office_of[subdistrict.pk]]
        return lead, assists

    def _assignments_end(self, at: datetime, reason: str) -> None:
        for assignment in self.active:
            for name, value in changes.assignment_ended(at=at, reason=reason).items():
                setattr(assignment, name, value)

    def _do_return(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        reason = self._reason(A.RETURN)
        assert self.appeal.lead_unit_id is not None
        self.returned_by.add(self.appeal.lead_unit_id)
        payload = self._changed(changes.returned(unit_id=who.unit_id, appeal=self.appeal))
        self._assignments_end(at, changes.return_reason(reason))
        self.active = []
        return reason, payload

    def _do_request_extension(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        days = self.rng.randint(3, 10)
        reason = self._reason(A.REQUEST_EXTENSION)
        assert who.user is not None and who.unit_id is not None
        self.pending = changes.extension_requested(
            appeal=self.appeal, unit_id=who.unit_id, by_id=who.user.pk, days=days, reason=reason,
            at=at,
        )  # fmt: skip
        self.plan.extensions.append(self.pending)
        return reason, {"days": days}

    def _decide(self, who: Actor, at: datetime, approve: bool) -> tuple[str, dict[str, Any]]:
        pending = self.pending
        assert pending is not None
        reason = self._reason(A.APPROVE_EXTENSION if approve else A.REFUSE_EXTENSION)
        change = changes.extension_decided(appeal=self.appeal, days=pending.days, approve=approve)
        decision = changes.extension_decision(
            approve=approve, by_id=who.user.pk if who.user else None, at=at, reason=reason
        )
        for name, value in decision.items():
            setattr(pending, name, value)
        self.pending = None
        return reason, self._changed(change)

    def _do_approve_extension(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        return self._decide(who, at, approve=True)

    def _do_refuse_extension(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        return self._decide(who, at, approve=False)

    def _do_resolve(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        content = self.reply_text if not self.plan.replies else self.rng.choice(SECOND_REPLIES)
        if not content:  # a duplicate's text has no reply of its own
            content = self.rng.choice(SECOND_REPLIES)
        if self.step is not None and self.step.variant == "reviewed":
            # Sent back by the review: the same answer with whom to call added.
            content = self.plan.replies[-1].content + self.rng.choice(REVISED_CONTACT)
        self._changed(changes.resolved(at=at))
        assert who.unit_id is not None
        reply = changes.reply_given(
            appeal=self.appeal,
            unit_id=who.unit_id,
            by_id=who.user.pk if who.user else None,
            content=content,
            at=at,
        )
        # The review policy's decision, as `cases.review.review_decide` takes it.
        quality = quality_of(self.appeal, content)
        decided = verdict(
            appeal=self.appeal,
            replies=len(self.plan.replies) + 1,
            quality=quality,
            rule=rule_for(self.appeal, self.life.world.review_rules),
        )
        reply.quality_score, reply.quality = quality.score, quality.as_dict()
        reply.review_note = decided.why[:200]
        self.held, self.held_why = decided.review, decided.why
        self.plan.replies.append(reply)
        return content, {}

    def _do_approve_reply(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        reply = self.plan.replies[-1]
        reviewed = who.role != Role.SYSTEM
        payload = self._changed(
            changes.reply_released(appeal=self.appeal, reply=reply, at=at, reviewed=reviewed)
        )
        reply.released_at = at
        self.held = False
        percent = int(settings.MINXIN["REVISIT_SAMPLE_PERCENT"])
        if self.revisit is None and changes.revisit_sampled(
            tracking_number=self.appeal.tracking_number,
            replies=len(self.plan.replies),
            percent=percent,
        ):
            self.revisit = changes.revisit_queued(
                appeal=self.appeal, reason=RevisitReason.SAMPLE, at=at
            )
            self.plan.revisits.append(self.revisit)
        return (self.held_why if not reviewed else self._reason(A.APPROVE_REPLY)), payload

    def _do_send_back(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        payload = self._changed(changes.sent_back(appeal=self.appeal, at=at))
        return self._reason(A.SEND_BACK), payload

    def _do_follow_up(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        revisit = self.revisit
        assert revisit is not None, "a revisit call needs a revisit queued"
        rng = self.rng
        reached = (self.step is not None and self.step.variant == "reached") or rng.random() < 0.85
        if revisit.reason == RevisitReason.DISSATISFIED:
            solved = rng.random() < 0.2
            satisfaction = (
                Satisfaction.DISSATISFIED if not solved else Satisfaction.BASICALLY_SATISFIED
            )
        else:
            solved = rng.random() < 0.88
            satisfaction = rng.choice(
                [Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
                if solved
                else [Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED]
            )
        if reached:
            note = rng.choice(REVISIT_NOTES[(revisit.reason, solved)])
        else:
            note = changes.revisit_unreached_note(revisit.attempts + 1)
        fields, payload = changes.revisit_called(
            revisit=revisit, at=at, reached=reached, solved=solved, satisfaction=satisfaction,
            note=note,
        )  # fmt: skip
        for name, value in fields.items():
            setattr(revisit, name, value)
        if revisit.status != RevisitStatus.PENDING:
            self.revisit = None
        return note, payload

    def _rate(
        self, who: Actor, at: datetime, satisfaction: Satisfaction
    ) -> tuple[str, dict[str, Any]]:
        comment = self.rng.choice(COMMENTS[satisfaction])
        rating = Rating(
            satisfaction=satisfaction,
            comment=comment,
            by_staff=who.role != Role.CITIZEN,
            created_at=at,
        )
        self.plan.ratings.append((rating, self.plan.replies[-1]))
        return comment, self._changed(changes.rated(satisfaction=satisfaction))

    def _do_rate(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        satisfied = self.rng.random() < 0.75
        choice = Satisfaction.SATISFIED if satisfied else Satisfaction.BASICALLY_SATISFIED
        return self._rate(who, at, choice)

    def _do_rate_dissatisfied(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        # Every dissatisfied rating is called back (`services.review.revisit_for_dissatisfied`).
        if self.revisit is not None:
            self.revisit.reason = RevisitReason.DISSATISFIED
        else:
            self.revisit = changes.revisit_queued(
                appeal=self.appeal, reason=RevisitReason.DISSATISFIED, at=at
            )
            self.plan.revisits.append(self.revisit)
        return self._rate(who, at, Satisfaction.DISSATISFIED)

    def _do_reopen(self, who: Actor, at: datetime) -> tuple[str, dict[str, Any]]:
        appeal = self.appeal
        assert appeal.category_id is not None
        _, resolve_days = self.life.world.limits[(appeal.category_id, appeal.urgency)]
        change = changes.reopened(appeal=appeal, resolve_due=self.life.add_days(at, resolve_days))
        payload = self._changed(change)
        return self._reason(A.REOPEN), payload
