"""Every (status, action, actor) against the one applier, `cases.machine.APPEALS.transition`.

The expected outcome is worked out here from the transition table and the unit rule, written
again on purpose (not by calling `permissions.refusal`), so the test and the code must agree:

  allowed iff status ∈ transition.source
          and actor role ∈ transition.roles
          and (role is not handler, or the unit rule holds:
               LEAD → the actor's unit is the appeal's lead unit;
               ASSIGNED → the lead unit, an active assisting unit or the delegated unit;
               DELEGATED → the unit holding the appeal's pending sub-task, 二级派单).

Allowed: exactly one new AppealEvent telling who did what, the status moved (or kept, for the
rows without a target) and the version up by one. Refused: IllegalTransition when the status
is not a source, PermissionDenied for role or unit, and nothing changed at all.

One appeal per status is built once for the module, inside a transaction that is rolled back
when the module ends. Each (status, action) is one test, in pytest-django's own savepoint;
inside it each of the ten actors tries in a savepoint of its own, rolled back after, so every
attempt starts from the same appeal and leaves nothing behind. (One test per cell, ~2,700 of
them, cost three times as much in per-test overhead; a failure still names its cell.)
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from django.db import connection, transaction
from django.db.models import Count, Max

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.machine import APPEALS, REASON_MAX
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    SubAssignment,
    SubAssignmentStatus,
)
from minxin.cases.selectors import actions_available
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus, UnitScope
from minxin.core.errors import IllegalTransition, MinxinError, PermissionDenied, ValidationFailed
from minxin.deadlines.calendar import calendar_cache_clear
from minxin.deadlines.services import policy_cache_clear
from minxin.directory.models import Unit
from minxin.machine.engine import Applied, Change
from tests.builders import District, appeal_in, appeal_new, communities_build, district_build

# Every test is marked: that is also what makes pytest-django create the test database the
# module fixture below writes to.
pytestmark = pytest.mark.django_db

STAFF_KEYS = (
    "call_taker",
    "dispatcher",
    "handler",
    "handler_other",
    "handler_dept",
    "handler_community",
    "handler_community_other",
    "supervisor",
    "leader",
    "admin",
)
ACTOR_KEYS = (*STAFF_KEYS, "citizen", "system")
ACTIONS = [a for a in Action if a != Action.RECEIVE]
STATUSES = list(AppealStatus)
# Statuses in which the builders' appeal has street 0 leading and department 0 assisting.
ASSIGNED_STATUSES = frozenset(
    {
        AppealStatus.DISPATCHED,
        AppealStatus.ACCEPTED,
        AppealStatus.IN_PROGRESS,
        AppealStatus.SUSPENDED,
        AppealStatus.REVIEWING,
        AppealStatus.RESOLVED,
        AppealStatus.RATED,
        AppealStatus.FOLLOW_UP,
        AppealStatus.ARCHIVED,
    }
)


# Statuses in which street 0 has passed the appeal down to its community (二级派单), which
# still holds it: the delegated unit of the `sub_report` row and of notes.
SUB_STATUSES = frozenset({AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS, AppealStatus.SUSPENDED})


@dataclass(frozen=True)
class World:
    district: District
    appeals: dict[AppealStatus, Appeal]
    merge_target: Appeal  # a live appeal a MERGE can point at (the table row needs a target)
    # (lead, assisting, delegated) per status
    units: dict[AppealStatus, tuple[int | None, frozenset[int], frozenset[int]]]
    before: dict[AppealStatus, "Snapshot"]  # each test starts from exactly this

    def actor(self, key: str) -> Actor:
        if key == "citizen":
            return Actor.citizen()
        if key == "system":
            return Actor.system()
        return Actor.of(self.district.user(key))


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: object) -> Iterator[World]:
    # Marked like Django's own TestCase class-level atomic, so the durable services the
    # builders call may run inside it (as they do inside every test's transaction).
    outer = transaction.atomic()
    outer._from_testcase = True  # type: ignore[attr-defined]
    with django_db_blocker.unblock(), outer:  # type: ignore[attr-defined]
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memorydb" in name, f"not a test database: {name}"
        calendar_cache_clear()
        policy_cache_clear()
        d = district_build()
        community = communities_build(d)[0]
        appeals = {
            status: appeal_in(d, status, sub=community if status in SUB_STATUSES else None)
            for status in STATUSES
        }
        target = appeal_new(d, title="合并目标")
        yield World(
            district=d,
            appeals=appeals,
            merge_target=target,
            units={status: _units(appeal) for status, appeal in appeals.items()},
            before={status: _snapshot(appeal.pk) for status, appeal in appeals.items()},
        )
        transaction.set_rollback(True)


def expected_refusal(
    *,
    status: AppealStatus,
    action: Action,
    actor: Actor,
    lead_unit_id: int | None,
    assisting_unit_ids: frozenset[int],
    delegated_unit_ids: frozenset[int] = frozenset(),
) -> type[MinxinError] | None:
    """The table and the unit rule, restated: None when allowed, else the error class."""
    transition = TRANSITIONS[action]
    if status not in transition.source:
        return IllegalTransition
    if actor.role not in transition.roles:
        return PermissionDenied
    if actor.role == Role.HANDLER:
        if transition.handler_scope == UnitScope.LEAD:
            units = {lead_unit_id}
        elif transition.handler_scope == UnitScope.ASSIGNED:
            units = {lead_unit_id, *assisting_unit_ids, *delegated_unit_ids}
        elif transition.handler_scope == UnitScope.DELEGATED:
            units = set(delegated_unit_ids)
        else:
            units = None
        if units is not None and (actor.unit_id is None or actor.unit_id not in units):
            return PermissionDenied
    return None


def _units(appeal: Appeal) -> tuple[int | None, frozenset[int], frozenset[int]]:
    assisting = frozenset(
        Assignment.objects.filter(
            appeal=appeal, is_active=True, role=AssignmentRole.ASSIST
        ).values_list("unit_id", flat=True)
    )
    delegated = frozenset(
        SubAssignment.objects.filter(appeal=appeal, status=SubAssignmentStatus.PENDING).values_list(
            "unit_id", flat=True
        )
    )
    return Appeal.objects.get(pk=appeal.pk).lead_unit_id, assisting, delegated


def _changes(world: World, action: Action) -> dict[str, object]:
    # A merged appeal must name its original (a check constraint); every other row needs none.
    return {"merged_into": world.merge_target} if action == Action.MERGE else {}


class Snapshot(NamedTuple):
    status: str
    version: int
    updated_at: object
    events: int
    last_event_id: int


def _snapshot(appeal_id: int) -> Snapshot:
    """Everything a refused attempt must leave as it was."""
    status, version, updated_at = (
        Appeal.objects.filter(pk=appeal_id).values_list("status", "version", "updated_at").get()
    )
    events = AppealEvent.objects.filter(appeal_id=appeal_id).aggregate(
        n=Count("id"), last=Max("id")
    )
    return Snapshot(status, version, updated_at, events["n"], events["last"])


def test_the_world_is_what_the_matrix_assumes(world):
    """The unit branches are only exercised if the appeals have the units we think they have."""
    d = world.district
    for status, appeal in world.appeals.items():
        lead, assisting, delegated = _units(appeal)
        assert world.units[status] == (lead, assisting, delegated)
        community = d.user("handler_community").unit_id
        assert delegated == (frozenset({community}) if status in SUB_STATUSES else frozenset())
        assert Appeal.objects.get(pk=appeal.pk).status == status
        if status in ASSIGNED_STATUSES:
            assert (lead, assisting) == (d.street_units[0].pk, frozenset({d.departments[0].pk}))
        else:
            assert (lead, assisting) == (None, frozenset()), status
    assert d.user("handler").unit_id == d.street_units[0].pk
    assert d.user("handler_other").unit_id == d.street_units[1].pk
    assert Unit.objects.get(pk=community).parent_id == d.street_units[0].pk
    assert d.user("handler_dept").unit_id == d.departments[0].pk


def test_every_action_is_allowed_somewhere_and_refused_somewhere(world):
    """The matrix is not vacuous: each action has at least one success and one refusal."""
    for action in ACTIONS:
        outcomes = set()
        for status in STATUSES:
            lead, assisting, delegated = world.units[status]
            for key in ACTOR_KEYS:
                outcomes.add(
                    expected_refusal(
                        status=status,
                        action=action,
                        actor=world.actor(key),
                        lead_unit_id=lead,
                        assisting_unit_ids=assisting,
                        delegated_unit_ids=delegated,
                    )
                )
        assert None in outcomes, action
        assert {IllegalTransition, PermissionDenied} <= outcomes, action


def _check(world: World, status: AppealStatus, action: Action, actor_key: str) -> None:
    """One cell of the matrix: attempt it and assert the outcome the table predicts."""
    appeal = world.appeals[status]
    actor = world.actor(actor_key)
    lead, assisting, delegated = world.units[status]
    refused = expected_refusal(
        status=status,
        action=action,
        actor=actor,
        lead_unit_id=lead,
        assisting_unit_ids=assisting,
        delegated_unit_ids=delegated,
    )
    before = world.before[status]  # the savepoint around the previous cell undid it

    def attempt() -> Applied:
        return APPEALS.transition(
            pk=appeal.pk,
            action=action,
            actor=actor,
            reason="测试说明",
            expected_version=before.version,
            change=Change(fields=_changes(world, action)),
        )

    if refused is not None:
        try:
            attempt()
        except MinxinError as error:
            assert type(error) is refused, (
                f"expected {refused.__name__}, got {type(error).__name__}: {error.message}"
            )
            assert error.message  # a Chinese reason for the user, never empty
        else:
            raise AssertionError(f"allowed, expected {refused.__name__}")
        assert _snapshot(appeal.pk) == before, "refused, but something changed"
        return

    result = attempt()
    target = TRANSITIONS[action].target or status
    after = _snapshot(appeal.pk)
    assert after.status == target
    assert after.version == before.version + 1 == result.subject.version
    assert after.events == before.events + 1, "not exactly one new event"
    event = AppealEvent.objects.get(appeal=appeal, id__gt=before.last_event_id)
    assert event.pk == result.event.pk == after.last_event_id
    assert event.actor_id == (actor.user.pk if actor.user else None)
    assert event.actor_role == actor.role
    assert event.actor_unit_id == actor.unit_id
    assert event.action == action
    assert event.from_status == status
    assert event.to_status == target
    assert event.reason == "测试说明"
    assert after.updated_at == event.created_at


@pytest.mark.parametrize("action", ACTIONS, ids=str)
@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_transition(world, status, action):
    """Every actor tries `action` on the appeal in `status`, each attempt in a savepoint that
    is rolled back, so all ten start from the same appeal; every failing cell is reported."""
    failures = []
    for actor_key in ACTOR_KEYS:
        savepoint = transaction.savepoint()
        try:
            _check(world, status, action, actor_key)
        except AssertionError as exc:
            failures.append(f"{status} × {action} × {actor_key}: {exc}")
        except Exception as exc:  # an unexpected error is a failing cell too, not the end
            failures.append(f"{status} × {action} × {actor_key}: {type(exc).__name__}: {exc}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not failures, "\n\n".join(failures)


EXTENSION_BUTTONS = {
    Action.REQUEST_EXTENSION,
    Action.APPROVE_EXTENSION,
    Action.REFUSE_EXTENSION,
    # the transfer buttons likewise: asking while none is pending, deciding while one is
    Action.REQUEST_TRANSFER,
    Action.APPROVE_TRANSFER,
    Action.REFUSE_TRANSFER,
}
# A revisit call is offered only while a revisit is queued for the appeal (cases.Revisit).
REVISIT_BUTTON = {Action.FOLLOW_UP}


def sub_button_hidden(status: AppealStatus) -> set[Action]:
    """二级派单: passing down is offered only while nothing is pending (street 0 has units to
    pass down to), recalling only while something is."""
    return {Action.SUB_DISPATCH} if status in SUB_STATUSES else {Action.SUB_RECALL}


@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_the_buttons_offer_exactly_what_the_applier_allows(world, status):
    """The appeal page's buttons (selectors.actions_available) never offer a refused action,
    and hide an allowed one only for the extension and transfer buttons (shown by whether a
    request is pending), a revisit call without a revisit queued, and the sub-dispatch buttons
    (`sub_button_hidden`)."""
    appeal = world.appeals[status]
    lead, assisting, delegated = world.units[status]
    failures = []
    for key in STAFF_KEYS:
        user = world.district.user(key)
        allowed = {
            action
            for action in ACTIONS
            if expected_refusal(
                status=status,
                action=action,
                actor=Actor.of(user),
                lead_unit_id=lead,
                assisting_unit_ids=assisting,
                delegated_unit_ids=delegated,
            )
            is None
        }
        shown = set(actions_available(user=user, appeal=appeal))
        if shown - allowed:
            failures.append(f"{key}: offers refused {sorted(shown - allowed)}")
        hidden = EXTENSION_BUTTONS | REVISIT_BUTTON | sub_button_hidden(status)
        if (allowed - shown) - hidden:
            failures.append(f"{key}: hides allowed {sorted(allowed - shown)}")
    assert not failures, "\n".join(failures)


# --- reasons -----------------------------------------------------------------------------


def _first_allowed(world: World, action: Action) -> tuple[Appeal, Actor]:
    for status, appeal in world.appeals.items():
        lead, assisting, delegated = world.units[status]
        for key in ACTOR_KEYS:
            actor = world.actor(key)
            if (
                expected_refusal(
                    status=status,
                    action=action,
                    actor=actor,
                    lead_unit_id=lead,
                    assisting_unit_ids=assisting,
                    delegated_unit_ids=delegated,
                )
                is None
            ):
                return appeal, actor
    raise AssertionError(f"nobody may {action} anywhere")


REASON_ACTIONS = [a for a in ACTIONS if TRANSITIONS[a].needs_reason]
NO_REASON_ACTIONS = [a for a in ACTIONS if not TRANSITIONS[a].needs_reason]


def test_the_reason_rows_are_the_ones_we_expect():
    assert set(REASON_ACTIONS) == {
        Action.MARK_INVALID,
        Action.RESTORE,
        Action.RETURN,
        Action.REFUSE_RETURN,
        Action.FIRST_CONTACT,
        Action.NOTE,
        Action.REQUEST_EXTENSION,
        Action.REFUSE_EXTENSION,
        Action.REQUEST_TRANSFER,
        Action.REFUSE_TRANSFER,
        Action.SUSPEND,
        Action.SUPPLEMENT,
        Action.RESOLVE,
        Action.SEND_BACK,
        Action.REOPEN,
        Action.CLOSE,
        Action.SUB_REPORT,
        Action.SUB_RECALL,
        Action.DOWNSTREAM_UPDATE,
        Action.DOWNSTREAM_REPLY,
    }


@pytest.mark.parametrize("reason", ["", "   ", " \n\t　"], ids=["empty", "spaces", "blank"])
@pytest.mark.parametrize("action", REASON_ACTIONS, ids=str)
def test_an_action_that_needs_a_reason_refuses_a_blank_one(world, action, reason):
    appeal, actor = _first_allowed(world, action)
    before = _snapshot(appeal.pk)
    with pytest.raises(ValidationFailed) as caught:
        APPEALS.transition(
            pk=appeal.pk,
            action=action,
            actor=actor,
            reason=reason,
            expected_version=before.version,
            change=Change(fields=_changes(world, action)),
        )
    assert TRANSITIONS[action].reason_label in caught.value.message
    assert _snapshot(appeal.pk) == before


@pytest.mark.parametrize("action", NO_REASON_ACTIONS, ids=str)
def test_an_action_without_a_reason_needs_none(world, action):
    appeal, actor = _first_allowed(world, action)
    version = _snapshot(appeal.pk).version
    result = APPEALS.transition(
        pk=appeal.pk,
        action=action,
        actor=actor,
        reason="  ",
        expected_version=version,
        change=Change(fields=_changes(world, action)),
    )
    assert result.event.reason == ""


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_a_reason_over_the_limit_is_refused_and_one_at_the_limit_is_kept(world, action):
    appeal, actor = _first_allowed(world, action)
    before = _snapshot(appeal.pk)
    with pytest.raises(ValidationFailed) as caught:
        APPEALS.transition(
            pk=appeal.pk,
            action=action,
            actor=actor,
            reason="长" * (REASON_MAX + 1),
            expected_version=before.version,
            change=Change(fields=_changes(world, action)),
        )
    assert str(REASON_MAX) in caught.value.message
    assert _snapshot(appeal.pk) == before

    result = APPEALS.transition(
        pk=appeal.pk,
        action=action,
        actor=actor,
        reason="长" * REASON_MAX,
        expected_version=before[1],
        change=Change(fields=_changes(world, action)),
    )
    assert len(result.event.reason) == REASON_MAX
