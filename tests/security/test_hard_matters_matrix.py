"""The permission matrix of the hard matters' objects (issue 20), role by role (adhocracy-plus):
issue lists and their items, task forces, leader-led cases (领导包案), joint visits (联合处置)
and proactive tasks. The machines' own tables are covered cell by cell in tests/machine; this
file covers the pages and the writes that are not a table's row, and the ones that are, through
their URLs, as each member of staff meets them.

Every expectation is written out here, on purpose not computed from the permission
predicates. The district: street 0 (`handler`) leads an appeal in progress that department 0
(`handler_dept`) assists; department 0 keeps an issue list with one item; a task force led by
department 0 with street 0 as member has the appeal in its scope; a proactive task is given to
street 0. Street 1 (`handler_other`) has no part in any of it.

GET: 200 (opens), 404 (missing or not theirs: the same answer), login for the anonymous.
POST: "ok" — done, back to a page, the thing written once; "no" — refused with a 4xx and
nothing written."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.issuelists.models import IssueItem, IssueItemEvent, ItemAppeal
from minxin.jointhandling.models import JointVisit
from minxin.proactive.models import ProactiveTask, ProactiveTaskEvent
from minxin.proactive.services import TaskDraft, proactive_task_propose
from minxin.supervision.models import LeaderCase
from minxin.taskforces.models import Meeting, TaskForce, TaskForceEvent
from minxin.taskforces.services import Scope, task_force_set_up
from tests.builders import District, appeal_in, appeal_new
from tests.issuelists.builders import item_new

WHO = (
    "anonymous",
    "call_taker",
    "dispatcher",
    "handler",
    "handler_other",
    "handler_dept",
    "supervisor",
    "leader",
    "admin",
)
OFFICE = {"supervisor": 200, "leader": 200, "admin": 200}


@dataclass
class World:
    d: District
    appeal_id: int
    other_appeal_id: int  # street 0's too, for the item's links
    item_id: int
    task_force_id: int
    task_id: int
    year: int


@pytest.fixture
def world(district) -> World:
    d = district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    other = appeal_new(d)
    item = item_new(d)
    force = task_force_set_up(
        actor=d.user("supervisor"),
        name="物业纠纷专班",
        purpose="协调街道和城管局共同化解",
        lead_unit_id=d.departments[0].pk,
        member_ids=[d.street_units[0].pk],
        leader_id=d.user("leader").pk,
        scope=Scope(tracking_numbers=[appeal.tracking_number]),
    )
    task = proactive_task_propose(
        actor=d.user("supervisor"),
        draft=TaskDraft(
            title="景蓉社区垃圾清运点位排查",
            content="入夏前排查各小区垃圾清运点位。",
            unit_id=d.street_units[0].pk,
            due_at=timezone.now() + timedelta(days=14),
            category_id=d.category.pk,
            region_id=d.communities[0].pk,
        ),
    )
    return World(d, appeal.pk, other.pk, item.pk, force.pk, task.pk, timezone.localdate().year)


def _get(**codes: int) -> dict[str, int]:
    """Everyone 404 but the named, and the anonymous sent to log in."""
    return {w: codes.get(w, 404) for w in WHO if w != "anonymous"}


# (name, url) → the expected status per member of staff.
PAGES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "issue lists (the ranking, or a unit's own list)": (
        lambda w: reverse("issuelists:list_index"),
        _get(dispatcher=200, handler=200, handler_other=200, handler_dept=200, **OFFICE),
    ),
    "department 0's list": (
        lambda w: reverse("issuelists:list_detail", args=[w.d.departments[0].pk, w.year]),
        _get(dispatcher=200, handler_dept=200, **OFFICE),
    ),
    "an item of department 0": (
        lambda w: reverse("issuelists:item_detail", args=[w.item_id]),
        _get(dispatcher=200, handler_dept=200, **OFFICE),
    ),
    "the dashboard's review of the lists": (
        lambda w: reverse("issuelists:dashboard_panel"),
        _get(dispatcher=200, **OFFICE),
    ),
    "task forces": (
        lambda w: reverse("taskforces:task_force_list"),
        _get(handler=200, handler_other=200, handler_dept=200, **OFFICE),
    ),
    "the task force": (
        lambda w: reverse("taskforces:task_force_detail", args=[w.task_force_id]),
        _get(handler=200, handler_dept=200, **OFFICE),
    ),
    "setting up a task force": (
        lambda w: reverse("taskforces:task_force_new"),
        _get(**OFFICE),
    ),
    "我的包案": (lambda w: reverse("taskforces:leader_cases"), _get(leader=200)),
    "proactive tasks": (
        lambda w: reverse("proactive:task_list"),
        _get(dispatcher=200, handler=200, handler_other=200, handler_dept=200, **OFFICE),
    ),
    "street 0's proactive task": (
        lambda w: reverse("proactive:task_detail", args=[w.task_id]),
        _get(dispatcher=200, handler=200, **OFFICE),
    ),
    "proposing a proactive task": (
        lambda w: reverse("proactive:task_propose"),
        _get(dispatcher=200, **OFFICE),
    ),
    "the appeal's joint visits": (
        lambda w: reverse("jointhandling:appeal_panel", args=[w.appeal_id]),
        _get(call_taker=200, dispatcher=200, handler=200, handler_dept=200, **OFFICE),
    ),
}


def _client(w: World, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(w.d.user(who))
    return client


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_who_opens_each_page(world, page):
    url_of, expected = PAGES[page]
    url = url_of(world)
    wrong = []
    anonymous = _client(world, "anonymous").get(url)
    if anonymous.status_code != 302 or "/login" not in anonymous["Location"]:
        wrong.append(f"anonymous: {anonymous.status_code}")
    for who, code in expected.items():
        got = _client(world, who).get(url).status_code
        if got != code:
            wrong.append(f"{who}: {got}, expected {code}")
    assert not wrong, f"{page}: " + "; ".join(wrong)


def test_the_buttons_offered_are_the_ones_allowed(world):
    """The appeal page's panels offer 领导包案 to a leader only, and 记录联合处置 to the lead
    unit, the centre and the office (never to an assisting unit or a call-taker)."""
    joint = reverse("jointhandling:appeal_panel", args=[world.appeal_id])
    supervision = reverse("supervision:appeal_panel", args=[world.appeal_id])
    recorders, chargers = set(), set()
    for who in ("call_taker", "dispatcher", "handler", "handler_dept", *OFFICE):
        client = _client(world, who)
        if 'data-action="joint_visit"' in client.get(joint).content.decode():
            recorders.add(who)
        if 'data-action="take_charge"' in client.get(supervision).content.decode():
            chargers.add(who)
    assert recorders == {"dispatcher", "handler", "supervisor", "leader", "admin"}
    assert chargers == {"leader"}


def _joint(w: World) -> dict[str, str]:
    held = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    return {
        "held_at": held,
        "place": "景蓉社区3栋",
        "outcome": "雨棚已拆除，双方签订调解协议",
        "unit_0": str(w.d.street_units[0].pk),
        "people_0": "王主任",
        "did_0": "入户调解",
        "unit_1": str(w.d.departments[0].pk),
        "people_1": "李队长",
        "did_1": "现场拆除",
    }


def _meeting(w: World) -> dict[str, str]:
    held = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    return {
        "held_at": held,
        "attendees": "城管局、桂花坪街道",
        "minutes": "明确分工",
        "decision_0": "逐户走访",
        "decision_0_unit": str(w.d.street_units[0].pk),
        "decision_0_due": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }


def _version(model, pk: int) -> str:
    return str(model.objects.get(pk=pk).version)


@dataclass(frozen=True)
class Write:
    url: Callable[[World], str]
    data: Callable[[World], dict[str, str]]
    written: Callable[[World], int]  # what the write adds one of
    allowed: frozenset[str]
    # Refused as "not found" (not theirs to see), else 403; the rest of the refused get 403.
    hidden: frozenset[str] = frozenset()


def _item_events(action: str) -> Callable[[World], int]:
    return lambda w: IssueItemEvent.objects.filter(item_id=w.item_id, action=action).count()


STREET_OUT = frozenset({"handler_other"})
WRITES: dict[str, Write] = {
    "add an item to department 0's list": Write(
        lambda w: reverse("issuelists:list_detail", args=[w.d.departments[0].pk, w.year]),
        lambda w: {
            "title": "井盖缺失",
            "goal": "一个月内补齐",
            "responsible": "张科长",
            "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        lambda w: IssueItem.objects.count(),
        frozenset({"handler_dept", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "handler", "handler_other"}),  # the centre sees, may not add
    ),
    "note an item's progress": Write(
        lambda w: reverse("issuelists:item_act", args=[w.item_id]),
        lambda w: {"action": "note", "reason": "已排查10个小区"},
        _item_events("note"),
        frozenset({"handler_dept", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "handler", "handler_other"}),
    ),
    "ask to close an item": Write(
        lambda w: reverse("issuelists:item_act", args=[w.item_id]),
        lambda w: {"action": "request_close", "reason": "已全部补齐，附照片"},
        _item_events("request_close"),
        frozenset({"handler_dept", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "handler", "handler_other"}),
    ),
    "link an appeal to an item": Write(
        lambda w: reverse("issuelists:item_link", args=[w.item_id]),
        lambda w: {"appeals": str(w.appeal_id)},
        lambda w: ItemAppeal.objects.count(),
        # A handler links only appeals it sees: department 0 assists this one.
        frozenset({"dispatcher", "handler_dept", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "handler", "handler_other"}),
    ),
    "take an item in charge (领导包案)": Write(
        lambda w: reverse("issuelists:item_take_charge", args=[w.item_id]),
        lambda w: {},
        _item_events("take_charge"),
        frozenset({"leader"}),
        frozenset({"call_taker", "handler", "handler_other"}),
    ),
    "instruct on an item (领导批示)": Write(
        lambda w: reverse("issuelists:item_instruct", args=[w.item_id]),
        lambda w: {
            "instruction": "两周内拿出方案",
            "due": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
        _item_events("instruct"),  # and its order: tests/issuelists
        frozenset({"leader"}),
        frozenset({"call_taker", "handler", "handler_other"}),
    ),
    "take an appeal in charge (领导包案)": Write(
        lambda w: reverse("supervision:appeal_take_charge", args=[w.appeal_id]),
        lambda w: {"note": "亲自协调"},
        lambda w: LeaderCase.objects.count(),
        frozenset({"leader"}),
        STREET_OUT,
    ),
    "record a joint visit": Write(
        lambda w: reverse("jointhandling:visit_record", args=[w.appeal_id]),
        _joint,
        lambda w: JointVisit.objects.count(),
        frozenset({"dispatcher", "handler", "supervisor", "leader", "admin"}),
        STREET_OUT,
    ),
    "record a task force's meeting": Write(
        lambda w: reverse("taskforces:meeting_record", args=[w.task_force_id]),
        _meeting,
        lambda w: Meeting.objects.count(),
        frozenset({"supervisor", "leader"}),  # who issue orders: each decision is one
        frozenset({"call_taker", "dispatcher", "handler_other"}),
    ),
    "widen a task force's scope": Write(
        lambda w: reverse("taskforces:scope_add", args=[w.task_force_id]),
        lambda w: {"items": str(w.item_id)},
        lambda w: TaskForce.items.through.objects.count(),
        frozenset({"handler_dept", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "dispatcher", "handler_other"}),
    ),
    "add a task force member": Write(
        lambda w: reverse("taskforces:members_add", args=[w.task_force_id]),
        lambda w: {"members": str(w.d.street_units[1].pk)},
        lambda w: TaskForceEvent.objects.filter(action="add_member").count(),
        frozenset({"supervisor", "leader", "admin"}),
        frozenset({"call_taker", "dispatcher", "handler_other"}),
    ),
    "close a task force": Write(
        lambda w: reverse("taskforces:task_force_close", args=[w.task_force_id]),
        lambda w: {"summary": "纠纷已化解"},
        lambda w: TaskForce.objects.filter(status="closed").count(),
        frozenset({"supervisor", "leader", "admin"}),
        frozenset({"call_taker", "dispatcher", "handler_other"}),
    ),
    "propose a proactive task": Write(
        lambda w: reverse("proactive:task_propose"),
        lambda w: {
            "title": "银杉社区路灯排查",
            "content": "入冬前排查路灯。",
            "unit": str(w.d.street_units[1].pk),
            "due": (timezone.localdate() + timedelta(days=14)).isoformat(),
        },
        lambda w: ProactiveTask.objects.count(),
        frozenset({"dispatcher", "supervisor", "leader", "admin"}),
        frozenset({"call_taker", "handler", "handler_other", "handler_dept"}),
    ),
    "take on street 0's proactive task": Write(
        lambda w: reverse("proactive:task_act", args=[w.task_id]),
        lambda w: {"action": "accept", "version": _version(ProactiveTask, w.task_id)},
        lambda w: ProactiveTaskEvent.objects.filter(action="accept").count(),
        frozenset({"handler"}),
        frozenset({"call_taker", "handler_other", "handler_dept"}),
    ),
}


@pytest.mark.parametrize("name", WRITES, ids=str)
def test_who_may_write(world, name):
    write = WRITES[name]
    url = write.url(world)
    wrong = []
    for who in WHO:
        client = _client(world, who)
        savepoint = transaction.savepoint()
        try:
            before = write.written(world)
            response = client.post(url, write.data(world))
            added = write.written(world) - before
            code = response.status_code
            if who == "anonymous":
                ok = code == 302 and "/login" in response["Location"] and added == 0
                expected = "login"
            elif who in write.allowed:
                ok = code == 302 and added == 1
                expected = "302, written once"
            else:
                want = 404 if who in write.hidden else 403
                ok = code == want and added == 0
                expected = f"{want}, nothing written"
            if not ok:
                wrong.append(f"{who}: {code} (+{added}), expected {expected}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not wrong, f"{name}: " + "; ".join(wrong)
