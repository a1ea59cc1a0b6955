"""A transition table as data: each row says from which statuses an action may be taken, to
which status it leads, which roles may take it, and what its form needs. No queries."""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role

StatusT = TypeVar("StatusT", bound=Hashable)


class UnitScope(StrEnum):
    """Which unit a handler must belong to for an action (other roles are not bound to one)."""

    ANY = "any"  # no unit condition
    LEAD = "lead"  # the unit the subject is given to (an appeal's lead unit, an order's unit)
    ASSIGNED = "assigned"  # that unit, any active assisting unit, or a delegated unit
    # The unit the lead unit passed the subject down to (二级派单: a street's community) and
    # only that unit: the lead keeps the subject and answers for it.
    DELEGATED = "delegated"


@dataclass(frozen=True)
class Transition(Generic[StatusT]):
    label: str
    source: frozenset[StatusT]  # empty: the action that creates the subject
    target: StatusT | None  # None: the action is recorded without changing the status
    roles: frozenset[Role]
    needs_reason: bool = False
    reason_label: str = "说明"
    handler_scope: UnitScope = UnitScope.LEAD
    # Shown on the citizen's timeline (internal notes are not).
    public: bool = True
    # What the action's form needs to know: inputs beyond the reason (by the form field's
    # name), the button's style, a long reason (a text area), or a form of another app's
    # panel (screening, dispatch, rating) rather than the generic one.
    inputs: tuple[str, ...] = ()
    style: str = ""
    long_reason: bool = False
    panel: bool = False

    @property
    def creates(self) -> bool:
        return not self.source

    def inputs_of(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The row's inputs out of what a form posted (missing ones as None)."""
        return {name: values.get(name) for name in self.inputs}


def refusal(
    *,
    transition: Transition[StatusT],
    actor: Actor,
    status: StatusT,
    status_label: str,
    noun: str,
    lead_label: str = "主办单位",
    lead_unit_id: int | None = None,
    assisting_unit_ids: frozenset[int] = frozenset(),
    delegated_unit_ids: frozenset[int] = frozenset(),
) -> str | None:
    """Why `actor` may not take `transition` from `status` now, in Chinese; None if allowed."""
    if status not in transition.source:
        return f"{noun}当前状态为「{status_label}」，不能{transition.label}"
    if actor.role not in transition.roles:
        return f"{actor.role.label}不能{transition.label}"
    if actor.role == Role.HANDLER:
        if actor.unit_id is None:
            return "您尚未归属任何单位"
        is_lead = actor.unit_id == lead_unit_id
        if transition.handler_scope == UnitScope.LEAD and not is_lead:
            return f"只有{lead_label}可以{transition.label}"
        if transition.handler_scope == UnitScope.ASSIGNED and not (
            is_lead or actor.unit_id in assisting_unit_ids or actor.unit_id in delegated_unit_ids
        ):
            return f"只有承办单位可以{transition.label}"
        if transition.handler_scope == UnitScope.DELEGATED and (
            actor.unit_id not in delegated_unit_ids
        ):
            return f"只有承接下派任务的单位可以{transition.label}"
    return None
