"""The transition table itself, as data (pretix's sanity checks): no status is unreachable,
none is a dead end unless it is meant to be, and every action can be shown to a person."""

import re

import pytest

from minxin.accounts.roles import Role
from minxin.cases.machine import APPEALS
from minxin.cases.workflow import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    AppealStatus,
)
from minxin.machine.table import UnitScope

CJK = re.compile(r"[\u4e00-\u9fff]")


def _moves() -> list[tuple[Action, AppealStatus, AppealStatus]]:
    """Every (action, from, to) edge that changes the status."""
    return [
        (action, source, t.target)
        for action, t in TRANSITIONS.items()
        for source in t.source
        if t.target is not None and t.target != source
    ]


def test_every_action_has_a_row_and_every_row_an_action():
    assert set(TRANSITIONS) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_every_action_has_a_chinese_label(action):
    t = TRANSITIONS[action]
    assert t.label.strip() and CJK.search(t.label), action
    assert APPEALS.label(action.value) == t.label
    if t.needs_reason:
        assert CJK.search(t.reason_label), action


def test_labels_are_distinct():
    labels = [t.label for t in TRANSITIONS.values()]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("status", list(AppealStatus), ids=str)
def test_every_status_has_a_chinese_label(status):
    assert CJK.search(status.label), status


def test_receive_is_the_only_way_in_from_nothing():
    receive = TRANSITIONS[Action.RECEIVE]
    assert receive.source == frozenset()
    assert receive.target == AppealStatus.RECEIVED
    assert all(t.source for a, t in TRANSITIONS.items() if a != Action.RECEIVE)


def test_every_status_is_the_target_of_some_transition():
    targets = {t.target for t in TRANSITIONS.values() if t.target is not None}
    assert set(AppealStatus) <= targets


@pytest.mark.parametrize("status", [s for s in AppealStatus if s != AppealStatus.RECEIVED])
def test_every_status_but_received_has_a_way_in(status):
    assert any(to == status for _, source, to in _moves()), status


def test_every_status_is_reachable_from_received():
    seen = {AppealStatus.RECEIVED}
    frontier = [AppealStatus.RECEIVED]
    while frontier:
        here = frontier.pop()
        for _, source, to in _moves():
            if source == here and to not in seen:
                seen.add(to)
                frontier.append(to)
    assert seen == set(AppealStatus)


@pytest.mark.parametrize("status", [s for s in AppealStatus if s not in FINAL_STATUSES], ids=str)
def test_from_every_non_final_status_some_action_leads_on(status):
    assert any(source == status for _, source, _ in _moves()), status


def test_every_non_final_status_can_reach_the_end():
    """No trap: from every status the loop can still be closed (archived, merged, invalid)."""
    for start in AppealStatus:
        seen = {start}
        frontier = [start]
        while frontier:
            here = frontier.pop()
            for _, source, to in _moves():
                if source == here and to not in seen:
                    seen.add(to)
                    frontier.append(to)
        assert seen & FINAL_STATUSES, start


def test_final_statuses_have_no_way_out_but_restore_from_invalid():
    for action, t in TRANSITIONS.items():
        finals = t.source & FINAL_STATUSES
        if action == Action.RESTORE:
            assert t.source == {AppealStatus.INVALID}
            assert t.target == AppealStatus.RECEIVED
        else:
            # Not even an action that keeps the status (a note) applies to a finished appeal.
            assert not finals, (action, finals)


def test_rows_without_a_target_keep_the_appeal_where_it_is():
    for action, t in TRANSITIONS.items():
        if t.target is None:
            assert action != Action.RECEIVE
            assert t.source, action


def test_every_row_names_roles_that_exist():
    for action, t in TRANSITIONS.items():
        assert t.roles, action
        assert t.roles <= set(Role), action
        if not t.creates:  # anyone may bring a matter in (a leader's visit, 走访)
            assert Role.LEADER not in t.roles, f"{action}: leaders look, they do not handle"


def test_only_the_lead_unit_moves_an_appeal():
    """An assisting unit, or a community the street passed the appeal down to (二级派单), may
    record what it did, never change where the appeal stands."""
    for action, t in TRANSITIONS.items():
        if Role.HANDLER in t.roles:
            assert t.handler_scope in (UnitScope.LEAD, UnitScope.ASSIGNED, UnitScope.DELEGATED)
            if t.target is not None:
                assert t.handler_scope == UnitScope.LEAD, action


def test_a_community_records_only_its_report_and_notes():
    """The rows a delegated unit may take: its report (DELEGATED) and notes (ASSIGNED)."""
    delegated = {a for a, t in TRANSITIONS.items() if t.handler_scope == UnitScope.DELEGATED}
    assigned = {a for a, t in TRANSITIONS.items() if t.handler_scope == UnitScope.ASSIGNED}
    assert delegated == {Action.SUB_REPORT}
    assert assigned == {Action.NOTE}
    assert all(TRANSITIONS[a].target is None for a in delegated | assigned)


def test_open_statuses_are_the_ones_a_unit_works_in():
    worked_in = {s for t in TRANSITIONS.values() if Role.HANDLER in t.roles for s in t.source}
    assert OPEN_STATUSES.issubset(worked_in)
    assert not (OPEN_STATUSES & FINAL_STATUSES)
