"""未诉先办: a task proposed (by hand or from a hotspot's appeal) to a unit, taken on or
declined by that unit only, progress recorded, completed with its result; every step one
event; and its effect measured on the appeals of its place and matter before and after."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from minxin.cases.workflow import AppealStatus
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.directory.models import Region, RegionLevel
from minxin.notify.models import Notification
from minxin.proactive.models import ProactiveTask, TaskSource
from minxin.proactive.selectors import draft_from_appeal, task_effect, tasks_for
from minxin.proactive.services import TaskDraft, proactive_task_act, proactive_task_propose
from minxin.proactive.workflow import TaskAction, TaskStatus
from tests.builders import District, appeal_in, appeal_new

TZ = ZoneInfo(settings.TIME_ZONE)
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


def draft(d: District, **overrides: object) -> TaskDraft:
    values: dict[str, object] = {
        "title": "景蓉社区垃圾清运点位排查",
        "content": "入夏前排查各小区垃圾清运点位，增加清运频次。",
        "unit_id": d.street_units[0].pk,
        "due_at": MONDAY + timedelta(days=14),
        "category_id": d.category.pk,
        "region_id": d.communities[0].pk,
    }
    values.update(overrides)
    return TaskDraft(**values)  # type: ignore[arg-type]


def propose(d: District, **overrides: object) -> ProactiveTask:
    with time_machine.travel(MONDAY, tick=False):
        return proactive_task_propose(actor=d.user("supervisor"), draft=draft(d, **overrides))


def act(d: District, task: ProactiveTask, key: str, action: TaskAction, reason: str = "", days=1):
    with time_machine.travel(MONDAY + timedelta(days=days), tick=False):
        return proactive_task_act(actor=d.user(key), task_id=task.pk, action=action, reason=reason)


def test_the_unit_takes_the_task_on_records_progress_and_completes_it(district):
    task = propose(district)
    assert task.status == TaskStatus.PROPOSED
    told = Notification.objects.filter(kind="proactive_task").values_list(
        "recipient__username", flat=True
    )
    assert set(told) == {"handler"}
    act(district, task, "handler", TaskAction.ACCEPT)
    act(district, task, "handler", TaskAction.NOTE, "已排查12个点位，3处需增设垃圾桶")
    task = act(district, task, "handler", TaskAction.COMPLETE, "增设垃圾桶6个，清运改为每日两次")
    assert task.status == TaskStatus.DONE
    assert task.result == "增设垃圾桶6个，清运改为每日两次"
    assert task.completed_at == MONDAY + timedelta(days=1)
    events = list(task.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert events == [
        ("propose", "", "proposed", "supervisor"),
        ("accept", "proposed", "in_progress", "handler"),
        ("note", "in_progress", "in_progress", "handler"),
        ("complete", "in_progress", "done", "handler"),
    ]
    # The proposer hears of the result.
    assert Notification.objects.filter(recipient__username="supervisor").exists()


def test_only_the_units_handlers_act_and_another_units_task_is_missing(district):
    task = propose(district)
    with pytest.raises(NotFound):
        act(district, task, "handler_other", TaskAction.ACCEPT)
    with pytest.raises(PermissionDenied):
        act(district, task, "supervisor", TaskAction.ACCEPT)  # the unit takes it on, no one else
    with pytest.raises(PermissionDenied):
        proactive_task_propose(actor=district.user("call_taker"), draft=draft(district))
    assert list(tasks_for(district.user("handler_other"))) == []
    assert list(tasks_for(district.user("handler"))) == [task]
    assert list(tasks_for(district.user("call_taker"))) == []
    assert ProactiveTask.objects.get().events.count() == 1


def test_a_declined_task_says_why_and_takes_no_further_step(district):
    task = propose(district)
    with pytest.raises(ValidationFailed, match="请填写理由"):
        act(district, task, "handler", TaskAction.DECLINE, "  ")
    task = act(district, task, "handler", TaskAction.DECLINE, "该点位属物业管理区域，非本单位职责")
    assert task.status == TaskStatus.DECLINED
    with pytest.raises(IllegalTransition):
        act(district, task, "handler", TaskAction.ACCEPT)
    with pytest.raises(IllegalTransition):
        act(district, task, "handler", TaskAction.COMPLETE, "x")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "请填写任务名称"),
        ({"title": "长" * 201}, "任务名称不能超过200字"),
        ({"content": ""}, "请填写任务内容"),
        ({"unit_id": None}, "请选择责任单位"),
        ({"unit_id": 999999}, "请选择责任单位"),
        ({"due_at": None}, "请填写完成期限"),
        ({"due_at": MONDAY - timedelta(days=1)}, "完成期限应晚于当前时间"),
        ({"due_at": MONDAY + timedelta(days=800)}, "不能晚于一年以后"),
        ({"category_id": 999999}, "所选诉求分类不存在"),
        ({"source": TaskSource.HOTSPOT}, "须关联其诉求"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(district, overrides, message):
    with pytest.raises(ValidationFailed, match=message):
        propose(district, **overrides)
    assert ProactiveTask.objects.count() == 0


def test_a_hotspot_becomes_a_task_for_the_unit_that_handles_it(district):
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    proposal = draft_from_appeal(district.user("supervisor"), appeal.pk, TaskSource.HOTSPOT)
    assert proposal.unit_id == district.street_units[0].pk
    assert (proposal.category_id, proposal.region_id) == (appeal.category_id, appeal.region_id)
    assert appeal.tracking_number in proposal.content
    task = propose(
        district,
        source=TaskSource.HOTSPOT,
        source_appeal_id=appeal.pk,
        category_id=proposal.category_id,
        region_id=proposal.region_id,
    )
    assert task.source_appeal == appeal
    # A handler of another street may not see the appeal, nor propose from it.
    with pytest.raises(NotFound):
        draft_from_appeal(district.user("handler_other"), appeal.pk, TaskSource.HOTSPOT)


def test_the_effect_compares_the_place_before_and_after_beside_the_rest_of_the_district(district):
    here, there = district.communities
    # Before the task: 4 appeals here and 2 elsewhere in its 30 days, 1 here too long before.
    for days, region in [(-40, here), (-20, here), (-10, here), (-5, here), (-2, here)]:
        with time_machine.travel(MONDAY + timedelta(days=days), tick=False):
            appeal_new(district, region_id=region.pk, category_id=district.category.pk)
    for days in (-12, -3):
        with time_machine.travel(MONDAY + timedelta(days=days), tick=False):
            appeal_new(district, region_id=there.pk, category_id=district.category.pk)
    task = propose(district)
    effect = task_effect(task, now=MONDAY)
    assert (effect.before, effect.after, effect.elsewhere_before) == (4, None, 2)
    act(district, task, "handler", TaskAction.ACCEPT)
    task = act(district, task, "handler", TaskAction.COMPLETE, "已整改", days=2)
    # After: 1 here and 2 elsewhere in the 30 days after completion (one more here later).
    for days, region in [(5, here), (6, there), (20, there), (40, here)]:
        with time_machine.travel(MONDAY + timedelta(days=days), tick=False):
            appeal_new(district, region_id=region.pk, category_id=district.category.pk)
    effect = task_effect(task, now=MONDAY + timedelta(days=60))
    assert (effect.after, effect.elsewhere_after, effect.observed_days) == (1, 2, 30)
    assert effect.change == pytest.approx(-0.75)
    assert effect.elsewhere_change == pytest.approx(0.0)
    assert not effect.observing
    # Halfway through the window the count so far is scaled to the full window.
    halfway = task_effect(task, now=MONDAY + timedelta(days=17))
    assert (halfway.after, halfway.observed_days, halfway.observing) == (1, 15, True)
    assert halfway.change == pytest.approx(1 * 30 / 15 / 4 - 1)


def test_the_effect_is_compared_with_the_places_most_like_the_tasks_own(district):
    """Similar places: communities (the task's level) whose count of the matter before was
    nearest its own — nearest first, then the most — three of them together; a grid's appeal
    counts for its community, a street's own appeal for no community, the task's place never."""
    here = district.communities[0]
    street = district.streets[1]
    b, c, d, e = (
        Region.objects.create(
            name=name, level=RegionLevel.COMMUNITY, code=f"A3-02-0{i}", parent=street
        )
        for i, name in enumerate(("枫林社区", "金桥社区", "湘雅社区", "岳麓社区"), start=2)
    )
    grid_b = Region.objects.create(
        name="枫林一网格", level=RegionLevel.GRID, code="A3-02-02-g1", parent=b
    )
    before = {here: 4, grid_b: 5, c: 1, d: 3, street: 6}  # e: none, so never like it
    after = {here: 1, b: 2, d: 1, e: 3, street: 2}

    def file(counts, start_day):
        for region, n in counts.items():
            for i in range(n):
                with time_machine.travel(MONDAY + timedelta(days=start_day + i), tick=False):
                    appeal_new(district, region_id=region.pk, category_id=district.category.pk)

    file(before, -25)
    task = propose(district)
    effect = task_effect(task, now=MONDAY)
    assert effect.similar is not None
    # |5-4| = |3-4| = 1 (the more first), then |1-4| = 3.
    assert effect.similar.places == ("枫林社区", "湘雅社区", "金桥社区")
    assert (effect.similar.before, effect.similar.after) == (9, None)
    act(district, task, "handler", TaskAction.ACCEPT)
    task = act(district, task, "handler", TaskAction.COMPLETE, "已整改", days=2)
    file(after, 3)
    effect = task_effect(task, now=MONDAY + timedelta(days=60))
    assert effect.similar is not None
    assert (effect.before, effect.after) == (4, 1)
    assert (effect.similar.before, effect.similar.after) == (9, 3)
    assert effect.similar_change == pytest.approx(3 / 9 - 1)
    client = Client()
    client.force_login(district.user("supervisor"))
    with time_machine.travel(MONDAY + timedelta(days=60), tick=False):
        html = client.get(reverse("proactive:task_detail", args=[task.pk])).content.decode()
    assert "枫林社区、湘雅社区、金桥社区" in html
    assert "提出前 9 件、办结后 3 件" in html
    assert "data-similar-change>-67%" in html


def test_no_similar_places_when_no_other_place_had_the_matter(district):
    task = propose(district)
    assert task_effect(task, now=MONDAY).similar is None
    # A task for the whole district has no like either.
    whole = propose(district, region_id=district.district.pk)
    assert task_effect(whole, now=MONDAY).similar is None


@pytest.mark.django_db
def test_the_demo_seeds_a_task_in_every_status_with_its_effect_readable():
    from minxin.demo.seed import seed_demo

    report = seed_demo(appeals=400, seed=3)
    assert report.proactive_tasks == 4
    tasks = {t.status: t for t in ProactiveTask.objects.all()}
    assert set(tasks) == set(TaskStatus)
    done = tasks[TaskStatus.DONE]
    assert done.source_appeal is not None and done.result
    effect = task_effect(done)
    assert effect.after is not None and not effect.observing and effect.before > 0
