"""The one applier of every state machine.

`Machine.transition` is the whole discipline: lock the subject's row, check the table, the
role and the unit, update the status and the changed fields with the version the actor saw,
write one event in the same transaction, and run side effects once it commits. Services with
preconditions of their own take it in two steps, `lock` then `apply`, so the row is locked
once per action and a refused actor learns that it may not act before anything else."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.core.errors import (
    ConcurrentEdit,
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from minxin.core.text import text_clean

from .models import Event, VersionedModel
from .table import Transition, refusal

SubjectT = TypeVar("SubjectT", bound=VersionedModel)
EventT = TypeVar("EventT", bound=Event)


@dataclass(frozen=True)
class Change:
    """What an action changes besides the status: the subject's fields, and what its event
    records in the payload. Apps build these in pure functions (cases/changes.py)."""

    fields: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


NO_CHANGE = Change()


@dataclass(frozen=True)
class Applied(Generic[SubjectT, EventT]):
    subject: SubjectT
    event: EventT


@dataclass(frozen=True, eq=False)
class Machine(Generic[SubjectT, EventT]):
    """One state machine: its table, the model it changes and the event model it writes.

    `units` tells which units a subject is given to (lead, assisting), for the rows that
    bind a handler to a unit, and `delegates` the units its lead passed it down to (an
    appeal's sub-dispatch to a community); `event_fields` adds what an app's events record of
    the actor (the appeals': the actor's unit); `recorded` runs in the transaction of every event
    (the appeals' outbox for the figures); `committed` runs after it commits (notifications)."""

    name: str
    noun: str  # in messages: 该诉求已被他人更新
    statuses: type[models.TextChoices]
    table: Mapping[Any, Transition[Any]]
    subject: type[SubjectT]
    event: type[EventT]
    event_subject: str  # the event's key to its subject
    reason_max: int = 5000
    lead_label: str = "主办单位"
    missing: str = ""
    stale_message: str = ""
    units: Callable[[SubjectT], tuple[int | None, frozenset[int]]] | None = None
    delegates: Callable[[SubjectT], frozenset[int]] | None = None
    event_fields: Callable[[Actor], dict[str, Any]] | None = None
    recorded: Callable[[SubjectT, EventT], None] | None = None
    committed: Callable[[SubjectT, EventT], None] | None = None

    # --- reading the table -----------------------------------------------------------

    @property
    def stale(self) -> str:
        return self.stale_message or f"该{self.noun}已被他人更新，请刷新后重试"

    def label(self, action: str) -> str:
        transition = self.table.get(action)
        return transition.label if transition is not None else action

    def status_label(self, status: str) -> str:
        return str(dict(self.statuses.choices).get(status, status))

    def refusal(
        self,
        *,
        action: str,
        actor: Actor,
        status: str,
        lead_unit_id: int | None = None,
        assisting_unit_ids: frozenset[int] = frozenset(),
        delegated_unit_ids: frozenset[int] = frozenset(),
    ) -> str | None:
        """Why `actor` may not take `action` from `status`, in Chinese; None if allowed."""
        return refusal(
            transition=self.table[action],
            actor=actor,
            status=status,
            status_label=self.status_label(status),
            noun=self.noun,
            lead_label=self.lead_label,
            lead_unit_id=lead_unit_id,
            assisting_unit_ids=assisting_unit_ids,
            delegated_unit_ids=delegated_unit_ids,
        )

    def available(
        self,
        *,
        actor: Actor,
        status: str,
        lead_unit_id: int | None = None,
        assisting_unit_ids: frozenset[int] = frozenset(),
        delegated_unit_ids: frozenset[int] = frozenset(),
    ) -> list[str]:
        """The actions `actor` may take from `status` now (the buttons to show), in the
        table's order; the creating rows are not among them."""
        return [
            action
            for action, transition in self.table.items()
            if not transition.creates
            and self.refusal(
                action=action,
                actor=actor,
                status=status,
                lead_unit_id=lead_unit_id,
                assisting_unit_ids=assisting_unit_ids,
                delegated_unit_ids=delegated_unit_ids,
            )
            is None
        ]

    def forms(self, actions: list[str]) -> list[dict[str, Any]]:
        """What each action's form needs, from its row (the actions with a panel of their own
        in another app are left to it)."""
        return [
            {
                "action": action,
                "label": t.label,
                "needs_reason": t.needs_reason,
                "reason_label": t.reason_label,
                "extra": t.inputs[0] if t.inputs else "",
                "style": t.style,
                "textarea": t.long_reason,
            }
            for action in actions
            if not (t := self.table[action]).panel
        ]

    def reason_clean(self, action: str, reason: str) -> str:
        transition = self.table[action]
        return text_clean(
            reason,
            label=transition.reason_label,
            max_length=self.reason_max,
            required=transition.needs_reason,
        )

    # --- changing ----------------------------------------------------------------------

    def lock(self, *, pk: int, action: str, actor: Actor, expected_version: int | None) -> SubjectT:
        """The subject, locked for this transaction, once the table, role and unit allow
        `action` now; otherwise NotFound, ConcurrentEdit, IllegalTransition or
        PermissionDenied, and nothing changed."""
        subject = self.subject._default_manager.select_for_update().filter(pk=pk).first()
        if subject is None:
            raise NotFound(self.missing or None)
        if expected_version is not None and subject.version != expected_version:
            raise ConcurrentEdit(self.stale)
        status = subject.status  # type: ignore[attr-defined]
        lead, assisting, delegated = None, frozenset[int](), frozenset[int]()
        if actor.role == Role.HANDLER and self.units is not None:
            lead, assisting = self.units(subject)
        if actor.role == Role.HANDLER and self.delegates is not None:
            delegated = self.delegates(subject)
        why_not = self.refusal(
            action=action,
            actor=actor,
            status=status,
            lead_unit_id=lead,
            assisting_unit_ids=assisting,
            delegated_unit_ids=delegated,
        )
        if why_not is not None:
            wrong_status = status not in self.table[action].source
            raise (IllegalTransition if wrong_status else PermissionDenied)(why_not)
        return subject

    def apply(
        self,
        subject: SubjectT,
        *,
        action: str,
        actor: Actor,
        reason: str = "",
        change: Change = NO_CHANGE,
        event_fields: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Applied[SubjectT, EventT]:
        """Change a subject `lock` returned: the status, the change's fields, the version, and
        one event with the change's payload, at `at` (a system run's own time) or now."""
        transition = self.table[action]
        reason = self.reason_clean(action, reason)
        source = subject.status  # type: ignore[attr-defined]
        target = transition.target or source
        now = at or timezone.now()
        fields = {"status": target, "version": F("version") + 1, **change.fields}
        if any(f.name == "updated_at" for f in self.subject._meta.concrete_fields):
            fields.setdefault("updated_at", now)
        manager = self.subject._default_manager
        if manager.filter(pk=subject.pk, version=subject.version).update(**fields) != 1:
            raise ConcurrentEdit(self.stale)  # cannot happen under the row lock
        subject.refresh_from_db()
        event = self.event_new(
            subject,
            action=action,
            actor=actor,
            from_status=source,
            reason=reason,
            payload=change.payload,
            event_fields=event_fields,
            at=now,
        )
        return Applied(subject=subject, event=self.record(subject, event))

    @transaction.atomic
    def transition(
        self,
        *,
        pk: int,
        action: str,
        actor: Actor,
        reason: str = "",
        expected_version: int | None = None,
        change: Change = NO_CHANGE,
        event_fields: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Applied[SubjectT, EventT]:
        """`lock` and `apply` in one: the whole of an action that needs nothing else."""
        subject = self.lock(pk=pk, action=action, actor=actor, expected_version=expected_version)
        return self.apply(
            subject,
            action=action,
            actor=actor,
            reason=reason,
            change=change,
            event_fields=event_fields,
            at=at,
        )

    def may_create(self, *, action: str, actor: Actor) -> None:
        """Refuse unless `action` is a creating row that allows the actor's role."""
        transition = self.table[action]
        if not transition.creates:
            raise IllegalTransition(f"{transition.label}不能用于已有的{self.noun}")
        if actor.role not in transition.roles:
            raise PermissionDenied(f"{actor.role.label}不能{transition.label}")

    def created(
        self,
        subject: SubjectT,
        *,
        action: str,
        actor: Actor,
        reason: str = "",
        payload: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> EventT:
        """The event of a subject just saved at its initial status (its model's default, the
        target of the creating row), once the creating row allows the actor."""
        self.may_create(action=action, actor=actor)
        if subject.status != self.table[action].target:  # type: ignore[attr-defined]
            raise IllegalTransition(f"新{self.noun}的状态应为初始状态")
        event = self.event_new(
            subject,
            action=action,
            actor=actor,
            from_status="",
            reason=self.reason_clean(action, reason),
            payload=payload,
            at=at or timezone.now(),
        )
        return self.record(subject, event)

    # --- the event -------------------------------------------------------------------

    def event_new(
        self,
        subject: SubjectT,
        *,
        action: str,
        actor: Actor,
        from_status: str,
        reason: str = "",
        payload: Mapping[str, Any] | None = None,
        event_fields: Mapping[str, Any] | None = None,
        at: datetime,
    ) -> EventT:
        """An unsaved event row: `record` saves one, a bulk writer saves many at once."""
        return self.event(
            **{self.event_subject: subject},
            actor=actor.user,
            actor_role=actor.role,
            action=action,
            from_status=from_status,
            to_status=subject.status,  # type: ignore[attr-defined]
            reason=reason,
            payload=dict(payload or {}),
            created_at=at,
            **(self.event_fields(actor) if self.event_fields else {}),
            **(event_fields or {}),
        )

    def record(self, subject: SubjectT, event: EventT) -> EventT:
        """Save an event `event_new` built, in the subject's transaction, and run the hooks:
        `recorded` now, `committed` once the transaction commits."""
        event.save(force_insert=True)
        if self.recorded is not None:
            self.recorded(subject, event)
        if self.committed is not None:
            hook = self.committed
            transaction.on_commit(lambda: hook(subject, event))
        return event
