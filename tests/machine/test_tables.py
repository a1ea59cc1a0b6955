"""Every machine's table as data (pretix's sanity checks, for all of them): labels a person
can read, statuses all reachable from where a new subject starts, the creating row agreeing
with the model's default, and each event model append-only by construction."""

import re

import pytest
from django.contrib import admin
from django.db.models import PROTECT, ForeignKey

from minxin.accounts.roles import Role
from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import EventAdmin
from minxin.machine.models import Event, VersionedModel
from minxin.machine.registry import machine_named, machines

CJK = re.compile(r"[\u4e00-\u9fff]")
MACHINES = {m.name: m for m in machines()}


def test_every_state_machine_is_registered():
    assert set(MACHINES) == {
        "appeal",
        "suggestion",
        "moderation",
        "supervision_order",
        "project",
        "proactive_task",
        "selection_round",
        "consultation",
        "consultation_comment",
        "deliberation_topic",
        "panel_evaluation",
        "knowledge_article",
        "issue_item",
        "task_force",
        "call",
        "exemption",
    }
    assert machine_named("appeal") is MACHINES["appeal"]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_labels_are_chinese_and_distinct(name):
    machine = MACHINES[name]
    labels = [t.label for t in machine.table.values()]
    assert len(labels) == len(set(labels)), name
    for action, t in machine.table.items():
        assert CJK.search(t.label), action
        assert machine.label(action) == t.label
        if t.needs_reason:
            assert CJK.search(t.reason_label), action
        assert t.roles and t.roles <= set(Role), action
        assert set(t.inputs) <= {
            "days",
            "into_tracking_number",
            "unit_id",
            "title",
            "content",
            "review_due",
            "sub_unit",  # 二级派单: the community or grid unit, and its deadline
            "sub_due",
            "suggested_unit_id",  # a transfer's suggested unit (appeal: request_transfer)
            "lead_unit_id",  # the new lead unit of an approved transfer
            "photos",  # a reply's photos (appeal: resolve)
        }
    for value, label in machine.statuses.choices:
        assert CJK.search(str(label)), value
        assert machine.status_label(value) == label


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_a_new_subject_starts_where_the_creating_row_says(name):
    machine = MACHINES[name]
    initial = machine.subject._meta.get_field("status").default
    creating = [t for t in machine.table.values() if t.creates]
    assert len(creating) <= 1, name
    for t in creating:
        assert t.target == initial, name


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_every_status_is_reachable_from_the_initial_one(name):
    machine = MACHINES[name]
    seen = {machine.subject._meta.get_field("status").default}
    frontier = list(seen)
    while frontier:
        here = frontier.pop()
        for t in machine.table.values():
            if here in t.source and t.target is not None and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(machine.statuses.values), name


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_the_models_are_the_shared_ones_and_history_is_protected(name):
    machine = MACHINES[name]
    assert issubclass(machine.subject, VersionedModel)
    assert issubclass(machine.event, Event)
    subject_key = machine.event._meta.get_field(machine.event_subject)
    assert subject_key.related_model is machine.subject
    for field in machine.event._meta.get_fields():
        if isinstance(field, ForeignKey):
            assert field.remote_field.on_delete is PROTECT, (name, field.name)
    assert isinstance(admin.site._registry[machine.event], EventAdmin), name
    assert isinstance(admin.site._registry[machine.subject], ReadOnlyAdmin), name
