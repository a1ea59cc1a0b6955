"""Every (status, action, actor) of every machine beside the appeals' (tests/cases has that
one, with its unit rules in full), against the one applier, `Machine.transition`.

The expected outcome is restated here from each table, on purpose not by calling the
machine's `refusal`: allowed iff the status is a source of the row, the actor's role one of
its roles, and a handler belongs to the unit the subject is given to. Allowed: the status
moved (or kept), the version up by one, exactly one new event telling who did what. Refused:
IllegalTransition for the status, PermissionDenied for the role or unit, nothing changed."""

import pytest
from django.db import transaction

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.core.errors import IllegalTransition, MinxinError, PermissionDenied

from .cases import CASES, STATUSES, SUBJECT_MODELS

ACTOR_KEYS = (
    "call_taker",
    "dispatcher",
    "handler",
    "handler_other",
    "supervisor",
    "leader",
    "admin",
    "citizen",
    "system",
)
CELLS = [
    (name, status, action)
    for name, case in CASES.items()
    for status in STATUSES[name]
    for action, transition in case.machine.table.items()
    if not transition.creates
]


def _actor(district, key: str) -> Actor:
    if key == "citizen":
        return Actor.citizen()
    if key == "system":
        return Actor.system()
    return Actor.of(district.user(key))


def _expected(transition, status: str, actor: Actor, lead_unit_id: int | None):
    if status not in transition.source:
        return IllegalTransition
    if actor.role not in transition.roles:
        return PermissionDenied
    if actor.role == Role.HANDLER and actor.unit_id != lead_unit_id:
        return PermissionDenied  # every handler row of these tables is for the subject's unit
    return None


def _snapshot(model, pk: int, events) -> tuple[object, ...]:
    status, version = model.objects.filter(pk=pk).values_list("status", "version").get()
    return status, version, events.count()


@pytest.mark.parametrize(("name", "status", "action"), CELLS, ids=lambda v: str(v))
def test_transition(district, name, status, action):
    case = CASES[name]
    machine = case.machine
    model = SUBJECT_MODELS[name]
    pk = case.build(district)
    model.objects.filter(pk=pk).update(**case.force(status))  # test-only: any status
    subject = model.objects.get(pk=pk)
    lead = case.machine.units(subject)[0] if case.machine.units else None
    events = machine.event.objects.filter(**{machine.event_subject: subject})
    before = _snapshot(model, pk, events)
    transition = machine.table[action]
    failures = []
    for key in ACTOR_KEYS:
        actor = _actor(district, key)
        refused = _expected(transition, status, actor, lead)
        savepoint = transaction.savepoint()
        try:
            try:
                applied = machine.transition(
                    pk=pk,
                    action=action,
                    actor=actor,
                    reason="测试说明",
                    expected_version=before[1],
                    change=case.change(action),
                )
            except MinxinError as error:
                assert refused is type(error), f"{type(error).__name__}: {error.message}"
                assert error.message
                assert _snapshot(model, pk, events) == before, "refused, but something changed"
                continue
            assert refused is None, f"allowed, expected {refused.__name__}"
            status_after, version, count = _snapshot(model, pk, events)
            assert status_after == (transition.target or status)
            assert version == before[1] + 1 == applied.subject.version
            assert count == before[2] + 1, "not exactly one new event"
            event = applied.event
            assert (event.action, event.from_status, event.to_status) == (
                action,
                status,
                status_after,
            )
            assert event.actor_id == (actor.user.pk if actor.user else None)
            assert (event.actor_role, event.reason) == (actor.role, "测试说明")
        except AssertionError as exc:
            failures.append(f"{name}: {status} × {action} × {key}: {exc}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(CASES))
def test_the_matrix_is_not_vacuous(name):
    """Each action of each machine is allowed somewhere and refused somewhere."""
    case = CASES[name]
    for action, transition in case.machine.table.items():
        if transition.creates:
            continue
        assert transition.source and transition.roles, action
        assert set(STATUSES[name]) - transition.source or set(Role) - transition.roles, action
