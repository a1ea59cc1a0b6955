"""二级派单: a street passes an appeal down to a community under it, with a deadline inside the
appeal's own; the community reports back; the street stays the lead unit and answers. Through
the services and through the pages (Django's test client), the refusals included."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.nav import nav_for
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent, SubAssignment, SubAssignmentStatus
from minxin.cases.selectors import appeal_scope_for, unit_queue
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from minxin.notify.models import Notification
from tests.builders import appeal_in, communities_build

ERROR = re.compile(r'(?:data-status="\d+"|class="error-message")>([^<]*)<')


@pytest.fixture
def communities(district):
    return communities_build(district)


def _v(appeal: Appeal) -> int:
    return Appeal.objects.get(pk=appeal.pk).version


def _due(appeal: Appeal, *, after_appeal: timedelta | None = None) -> object:
    appeal.refresh_from_db()
    assert appeal.resolve_due is not None
    if after_appeal is not None:
        return appeal.resolve_due + after_appeal
    now = timezone.now()
    return (now + (appeal.resolve_due - now) / 2).replace(second=0, microsecond=0)


def _dispatch(district, appeal, unit, *, who="handler", due=None, reason="请入户核实"):
    return services.appeal_sub_dispatch(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user(who)),
        expected_version=_v(appeal),
        sub_unit=unit.pk if unit is not None else None,
        sub_due=due if due is not None else _due(appeal),
        reason=reason,
    )


def _state(appeal: Appeal) -> tuple[object, ...]:
    a = Appeal.objects.get(pk=appeal.pk)
    return (
        a.status,
        a.version,
        a.lead_unit_id,
        AppealEvent.objects.filter(appeal=a).count(),
        SubAssignment.objects.filter(appeal=a).count(),
    )


# --- the services ---------------------------------------------------------------------------


def test_a_street_passes_an_appeal_down_and_stays_the_lead(district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    before = Appeal.objects.get(pk=appeal.pk)
    due = _due(appeal)
    sub = _dispatch(district, appeal, communities[0], due=due)

    after = Appeal.objects.get(pk=appeal.pk)
    assert after.status == AppealStatus.IN_PROGRESS  # a recorded action: the status stays
    assert after.lead_unit_id == district.street_units[0].pk
    assert after.resolve_due == before.resolve_due
    assert after.version == before.version + 1
    assert (sub.unit, sub.from_unit_id, sub.due_at) == (communities[0], after.lead_unit_id, due)
    assert sub.status == SubAssignmentStatus.PENDING and sub.instructions == "请入户核实"
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        "sub_dispatch",
        "in_progress",
        "in_progress",
    )
    assert event.actor_unit_id == district.street_units[0].pk
    assert event.payload["sub_unit"] == communities[0].name
    assert event.payload["sub_unit_id"] == communities[0].pk
    note = Notification.objects.get(recipient=district.user("handler_community"))
    assert appeal.tracking_number in note.title
    # The community sees it, in its scope and its queue; the other community does not.
    community = district.user("handler_community")
    assert appeal_scope_for(user=community).filter(pk=appeal.pk).exists()
    assert list(unit_queue(user=community)) == [after]
    other = district.user("handler_community_other")
    assert not appeal_scope_for(user=other).filter(pk=appeal.pk).exists()


def test_a_grid_unit_under_one_of_its_communities_may_take_it(district, communities):
    grid = communities[0].children.get()
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    assert _dispatch(district, appeal, grid).unit == grid


@pytest.mark.parametrize(
    ("case", "error", "words"),
    [
        ("other_street", PermissionDenied, "不是本单位下属的社区或网格"),
        ("after_appeal", ValidationFailed, "下派时限不能晚于诉求的办结时限"),
        ("past", ValidationFailed, "下派时限应晚于现在"),
        ("no_unit", ValidationFailed, "请选择下派的社区或网格"),
        ("no_due", ValidationFailed, "请填写下派时限"),
        ("a_department", ValidationFailed, "请选择有效的社区或网格单位"),
        ("twice", IllegalTransition, "尚未反馈；如需改派，请先收回下派"),
        ("by_the_community", PermissionDenied, "只有主办单位可以下派社区/网格"),
        ("by_the_assisting_department", PermissionDenied, "只有主办单位可以下派社区/网格"),
        ("by_the_dispatcher", PermissionDenied, "派单员不能下派社区/网格"),
        ("not_yet_accepted", IllegalTransition, "当前状态为「待接单」，不能下派社区/网格"),
    ],
)
def test_a_sub_dispatch_is_refused_clearly(district, communities, case, error, words):
    status = AppealStatus.DISPATCHED if case == "not_yet_accepted" else AppealStatus.IN_PROGRESS
    appeal = appeal_in(district, status)
    if case == "twice":
        _dispatch(district, appeal, communities[0])
    unit, who, due = communities[0], "handler", None
    if case == "other_street":
        unit = communities[1]
    elif case == "after_appeal":
        due = _due(appeal, after_appeal=timedelta(minutes=1))
    elif case == "past":
        due = timezone.now() - timedelta(minutes=5)
    elif case == "no_unit":
        unit = None
    elif case == "a_department":
        unit = district.departments[1]
    elif case == "by_the_community":
        who = "handler_community"
    elif case == "by_the_assisting_department":
        who = "handler_dept"
    elif case == "by_the_dispatcher":
        who = "dispatcher"
    before = _state(appeal)
    if case == "no_due":
        with pytest.raises(error) as caught:
            services.appeal_sub_dispatch(
                appeal_id=appeal.pk,
                actor=Actor.of(district.user(who)),
                expected_version=_v(appeal),
                sub_unit=unit.pk,
                sub_due=None,
            )
    else:
        with pytest.raises(error) as caught:
            _dispatch(district, appeal, unit, who=who, due=due)
    assert words in caught.value.message
    assert _state(appeal) == before


def test_the_deadline_may_be_the_appeals_own(district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    sub = _dispatch(district, appeal, communities[0], due=_due(appeal, after_appeal=timedelta(0)))
    assert sub.due_at == Appeal.objects.get(pk=appeal.pk).resolve_due


def test_the_community_reports_back_and_the_street_answers(district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    _dispatch(district, appeal, communities[0])
    community = Actor.of(district.user("handler_community"))

    # A note is allowed to the community; the reply, a return or first contact are not.
    services.appeal_act(
        appeal_id=appeal.pk,
        action=Action.NOTE,
        actor=community,
        expected_version=_v(appeal),
        reason="已上门查看，垃圾堆放点在3栋北侧",
    )
    for action in (Action.RESOLVE, Action.SUSPEND, Action.REQUEST_EXTENSION):
        before = _state(appeal)
        with pytest.raises(PermissionDenied) as caught:
            services.appeal_act(
                appeal_id=appeal.pk,
                action=action,
                actor=community,
                expected_version=_v(appeal),
                reason="社区想直接办结",
                inputs={"days": 3},
            )
        assert "只有主办单位可以" in caught.value.message
        assert _state(appeal) == before

    # The street cannot reply while the community holds the sub-task.
    with pytest.raises(IllegalTransition) as caught:
        services.reply_submit(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler")),
            expected_version=_v(appeal),
            reason="已清运",
        )
    assert "尚未反馈" in caught.value.message

    # The street itself may not report for the community, nor may the other community.
    for who in ("handler", "handler_community_other", "handler_dept"):
        with pytest.raises(PermissionDenied) as caught:
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.SUB_REPORT,
                actor=Actor.of(district.user(who)),
                expected_version=_v(appeal),
                reason="代为反馈",
            )
        assert "只有承接下派任务的单位可以反馈办理情况" in caught.value.message

    with pytest.raises(ValidationFailed):
        services.appeal_sub_report(
            appeal_id=appeal.pk, actor=community, expected_version=_v(appeal), reason="  "
        )
    sub = services.appeal_sub_report(
        appeal_id=appeal.pk,
        actor=community,
        expected_version=_v(appeal),
        reason="已联系物业清运，3栋北侧堆放点已清理，并增设垃圾桶两个。",
    )
    assert sub.status == SubAssignmentStatus.REPORTED and sub.reported_at is not None
    assert sub.report.startswith("已联系物业清运")
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.actor_unit_id) == ("sub_report", communities[0].pk)
    assert event.payload == {"sub_unit": communities[0].name, "overdue": False}
    assert Notification.objects.filter(
        recipient=district.user("handler"), kind="appeal_sub_report"
    ).exists()
    # Reported: out of its open queue, still visible to it; no second report, no more notes.
    handler_community = district.user("handler_community")
    assert not unit_queue(user=handler_community).exists()
    assert unit_queue(user=handler_community, include_done=True).count() == 1
    assert appeal_scope_for(user=handler_community).filter(pk=appeal.pk).exists()
    with pytest.raises(PermissionDenied):
        services.appeal_sub_report(
            appeal_id=appeal.pk, actor=community, expected_version=_v(appeal), reason="再报"
        )

    reply = services.reply_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("handler")),
        expected_version=_v(appeal),
        reason="经街道和景蓉社区核实，堆放点已清理，已增设垃圾桶两个，并要求物业每日清运。",
    )
    assert reply.unit_id == district.street_units[0].pk  # the street answers


def test_a_late_report_is_marked_overdue(district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    sub = _dispatch(district, appeal, communities[0])
    assert not sub.is_overdue
    with time_machine.travel(sub.due_at + timedelta(hours=1)):
        assert SubAssignment.objects.get(pk=sub.pk).is_overdue
        reported = services.appeal_sub_report(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler_community")),
            expected_version=_v(appeal),
            reason="已处理",
        )
    assert reported.is_overdue
    assert AppealEvent.objects.filter(appeal=appeal).latest("id").payload["overdue"] is True


def test_the_street_recalls_a_sub_task_and_the_community_loses_the_appeal(district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    _dispatch(district, appeal, communities[0])
    with pytest.raises(PermissionDenied):  # the community cannot recall it
        services.appeal_sub_recall(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler_community")),
            expected_version=_v(appeal),
            reason="不想办",
        )
    sub = services.appeal_sub_recall(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("handler")),
        expected_version=_v(appeal),
        reason="改由街道城管科直接处理",
    )
    assert sub.status == SubAssignmentStatus.RECALLED and sub.ended_at is not None
    assert not appeal_scope_for(user=district.user("handler_community")).filter(pk=appeal.pk)
    with pytest.raises(IllegalTransition) as caught:
        services.appeal_sub_recall(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler")),
            expected_version=_v(appeal),
            reason="再收回",
        )
    assert "没有待反馈的下派任务" in caught.value.message
    # Passed down again, to the grid unit this time.
    grid = communities[0].children.get()
    assert _dispatch(district, appeal, grid).status == SubAssignmentStatus.PENDING


# --- the pages ----------------------------------------------------------------------------


def _post(client, appeal, action, **data):
    data.setdefault("version", _v(appeal))
    return client.post(reverse("cases:appeal_act", args=[appeal.pk, action]), data)


def _offers(page: str, action: str) -> bool:
    """Whether the page offers the action's form (not merely shows its event)."""
    return bool(re.search(rf'<details[^>]*data-action="{action}"', page))


def _message(response) -> str:
    found = ERROR.search(response.content.decode())
    return found.group(1).strip() if found else ""


def test_the_street_passes_it_down_on_the_appeal_page(client, district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("handler"))
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert _offers(page, "sub_dispatch")
    assert communities[0].name in page and "景蓉社区第一网格" in page
    assert communities[1].name not in page  # the other street's community is not offered
    assert not _offers(page, "sub_recall")
    suggested = timezone.localtime(_due(appeal)).strftime("%Y-%m-%dT%H:%M")[:13]
    assert 'name="sub_due" required max="' in page and f'value="{suggested}' in page

    due = _due(appeal)
    local = timezone.localtime(due).strftime("%Y-%m-%dT%H:%M")
    late = timezone.localtime(_due(appeal, after_appeal=timedelta(hours=2)))
    refused = _post(
        client,
        appeal,
        "sub_dispatch",
        sub_unit=communities[0].pk,
        sub_due=late.strftime("%Y-%m-%dT%H:%M"),
        reason="请核实",
    )
    assert refused.status_code == 400
    assert "下派时限不能晚于诉求的办结时限" in _message(refused)
    other = _post(
        client, appeal, "sub_dispatch", sub_unit=communities[1].pk, sub_due=local, reason="x"
    )
    assert other.status_code == 403
    assert _message(other) == f"{communities[1].name}不是本单位下属的社区或网格，不能下派"
    bad_date = _post(client, appeal, "sub_dispatch", sub_unit=communities[0].pk, sub_due="明天")
    assert bad_date.status_code == 400 and "下派时限的格式不正确" in _message(bad_date)
    assert not SubAssignment.objects.exists()

    done = _post(
        client, appeal, "sub_dispatch", sub_unit=communities[0].pk, sub_due=local, reason="请核实"
    )
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert "已下派社区/网格" in page
    assert 'id="sub-assignments"' in page and "待反馈" in page
    assert _offers(page, "sub_recall") and not _offers(page, "sub_dispatch")
    assert "下派至：景蓉社区居委会" in page  # the timeline


def test_the_community_handler_sees_only_what_was_passed_down(client, district, communities):
    mine = appeal_in(district, AppealStatus.IN_PROGRESS, sub=communities[0])
    street_only = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("handler_community"))

    queue = client.get(reverse("cases:unit_queue")).content.decode()
    assert mine.tracking_number in queue and street_only.tracking_number not in queue
    assert "街道下派 · 请于" in queue
    assert client.get(reverse("cases:appeal_detail", args=[street_only.pk])).status_code == 404
    assert _post(client, street_only, "note", reason="看看").status_code == 404
    assert client.get(reverse("cases:sub_tasks")).status_code == 404  # it passes nothing down

    page = client.get(reverse("cases:appeal_detail", args=[mine.pk])).content.decode()
    assert _offers(page, "sub_report") and _offers(page, "note")
    for action in ("resolve", "return", "first_contact", "suspend", "sub_dispatch", "sub_recall"):
        assert not _offers(page, action), action

    resolve = _post(client, mine, "resolve", reason="社区直接答复")
    assert resolve.status_code == 403
    assert _message(resolve) == "只有主办单位可以办结答复"
    returned = _post(client, mine, "return", reason="不归社区")
    assert returned.status_code == 409  # 退单 is for a dispatched appeal, and the street's
    assert "不能退单" in _message(returned)
    assert Appeal.objects.get(pk=mine.pk).status == AppealStatus.IN_PROGRESS

    reported = _post(client, mine, "sub_report", reason="已入户核实并清理")
    assert reported.status_code == 302
    # Reported: it stays readable, without the report button.
    page = client.get(reverse("cases:appeal_detail", args=[mine.pk])).content.decode()
    assert "已入户核实并清理" in page and not _offers(page, "sub_report")
    assert _post(client, mine, "sub_report", reason="再报").status_code == 403


def test_the_other_streets_community_gets_404_everywhere(client, district, communities):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS, sub=communities[0])
    before = _state(appeal)
    client.force_login(district.user("handler_community_other"))
    assert client.get(reverse("cases:appeal_detail", args=[appeal.pk])).status_code == 404
    for action in ("sub_report", "note", "resolve"):
        assert _post(client, appeal, action, reason="x").status_code == 404
    assert _state(appeal) == before


def test_the_street_sees_its_communities_sub_tasks_with_deadlines(client, district, communities):
    late = appeal_in(district, AppealStatus.IN_PROGRESS, sub=communities[0])
    sub = SubAssignment.objects.get(appeal=late)
    client.force_login(district.user("handler"))
    page = client.get(reverse("cases:sub_tasks")).content.decode()
    assert late.tracking_number in page and communities[0].name in page
    assert timezone.localtime(sub.due_at).strftime("%Y-%m-%d %H:%M") in page
    assert "已超期" not in page
    queue = client.get(reverse("cases:unit_queue")).content.decode()
    assert f"已下派 {communities[0].name}" in queue

    with time_machine.travel(sub.due_at + timedelta(minutes=30)):
        client.force_login(district.user("handler"))
        page = client.get(reverse("cases:sub_tasks")).content.decode()
        assert "已超期" in page
        overdue = client.get(reverse("cases:sub_tasks") + "?tab=overdue").content.decode()
        assert late.tracking_number in overdue
    on_time = client.get(reverse("cases:sub_tasks") + "?tab=overdue").content.decode()
    assert late.tracking_number not in on_time

    # Another street's handler sees its own (none), not these; a department has no such page.
    client.force_login(district.user("handler_other"))
    other = client.get(reverse("cases:sub_tasks") + "?tab=all")
    assert other.status_code == 200 and late.tracking_number not in other.content.decode()
    client.force_login(district.user("handler_dept"))
    assert client.get(reverse("cases:sub_tasks")).status_code == 404


def test_every_page_in_a_community_handlers_staff_bar_opens(client, district, communities):
    """A community's handler has the staff bar of a handler: each of its pages answers (its
    unit's figures are empty: it is not scored), none fails."""
    appeal_in(district, AppealStatus.IN_PROGRESS, sub=communities[0])
    user = district.user("handler_community")
    client.force_login(user)
    failures = []
    for name, label in nav_for(user):
        code = client.get(reverse(name)).status_code
        if code != 200:
            failures.append(f"{label} {name}: {code}")
    assert not failures, "\n".join(failures)
    assert "下派任务" not in [label for _, label in nav_for(user)]
    assert "下派任务" in [label for _, label in nav_for(district.user("handler"))]
