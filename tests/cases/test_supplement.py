"""The citizen adds to an appeal (补充): the service, the clock, the handler's notification and
the figures that take the paused time off the handling time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent, Attachment, Supplement
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import ConcurrentEdit, IllegalTransition, PermissionDenied, ValidationFailed
from minxin.deadlines import calendar
from minxin.notify.models import Notification
from tests.builders import appeal_in
from tests.uploads import fake_jpg_upload, png_upload

KEY = "0123456789abcdef0123456789abcdef"


def _supplement(appeal: Appeal, *, key: str = KEY, content="楼栋是3栋2单元", **kw):
    return services.appeal_supplement(
        appeal_id=appeal.pk,
        actor=kw.pop("actor", Actor.citizen()),
        expected_version=kw.pop("version", Appeal.objects.get(pk=appeal.pk).version),
        content=content,
        submission_key=key,
        **kw,
    )


def test_a_supplement_to_a_suspended_appeal_resumes_it_and_moves_the_deadline(
    district, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        appeal = appeal_in(district, AppealStatus.SUSPENDED)
    due = appeal.resolve_due
    later = start + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        done = _supplement(appeal, photos=[png_upload(), png_upload("b.png")])

    appeal.refresh_from_db()
    assert done.created
    assert appeal.status == AppealStatus.IN_PROGRESS and appeal.paused_at is None
    paused = calendar.working_seconds_between(start, later)
    assert paused > 0
    assert appeal.resolve_due == calendar.add_working_seconds(due, paused)
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        "supplement",
        "suspended",
        "in_progress",
    )
    assert event.actor_role == "citizen" and event.actor_id is None
    assert event.reason == "楼栋是3栋2单元"
    assert event.payload == {"paused_working_seconds": paused, "photos": 2}
    supplement = Supplement.objects.get(appeal=appeal)
    assert supplement.event_id == event.pk and supplement.content == event.reason
    photos = Attachment.objects.filter(supplement=supplement)
    assert photos.count() == 2 and {p.content_type for p in photos} == {"image/png"}
    # The lead unit's handler is told, without what the citizen wrote.
    note = Notification.objects.get(recipient=district.user("handler"), kind="appeal_supplement")
    assert appeal.tracking_number in note.title and "恢复办理" in note.body
    assert "3栋" not in note.title + note.body
    assert note.link == f"/console/appeals/{appeal.pk}/"
    assert not Notification.objects.filter(
        recipient=district.user("handler_other"), kind="appeal_supplement"
    ).exists()


def test_a_supplement_in_progress_keeps_status_and_deadline(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    _supplement(appeal, content="今天又堆了很多")
    after = Appeal.objects.get(pk=appeal.pk)
    assert after.status == AppealStatus.IN_PROGRESS
    assert after.resolve_due == appeal.resolve_due
    assert after.version == appeal.version + 1
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert event.payload == {"paused_working_seconds": 0, "photos": 0}
    note = Notification.objects.get(recipient=district.user("handler"), kind="appeal_supplement")
    assert "恢复办理" not in note.body


def test_the_same_form_twice_adds_one_supplement(district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    version = appeal.version
    first = _supplement(appeal, version=version)
    again = _supplement(appeal, version=version)  # the stale version of the first post
    assert first.created and not again.created
    assert again.supplement.pk == first.supplement.pk
    assert Supplement.objects.filter(appeal=appeal).count() == 1
    assert AppealEvent.objects.filter(appeal=appeal, action=Action.SUPPLEMENT).count() == 1


@pytest.mark.parametrize(
    "status",
    [s for s in AppealStatus if s not in (AppealStatus.SUSPENDED, AppealStatus.IN_PROGRESS)],
)
def test_refused_outside_its_statuses(district, status):
    appeal = appeal_in(district, status)
    with pytest.raises(IllegalTransition):
        _supplement(appeal)
    assert not Supplement.objects.exists()


def test_refused_to_staff_and_on_bad_input_nothing_changes(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    with pytest.raises(PermissionDenied):
        _supplement(appeal, actor=Actor.of(district.user("handler")))
    with pytest.raises(ValidationFailed, match="请填写补充内容"):
        _supplement(appeal, content="  \n ")
    with pytest.raises(ValidationFailed, match="补充内容不能超过2000字"):
        _supplement(appeal, content="长" * 2001)
    with pytest.raises(ValidationFailed, match="只能上传"):
        _supplement(appeal, photos=[fake_jpg_upload()])
    with pytest.raises(ValidationFailed, match="照片最多6张"):
        _supplement(appeal, photos=[png_upload() for _ in range(7)])
    with pytest.raises(ConcurrentEdit):
        _supplement(appeal, version=appeal.version - 1)
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.version) == (AppealStatus.SUSPENDED, appeal.version)
    assert not Supplement.objects.exists() and not Attachment.objects.exists()


def test_the_handling_time_leaves_out_a_pause_the_supplement_ended(district):
    """metrics take the paused working time off the handling time for RESUME and SUPPLEMENT."""
    from minxin.metrics.appeal_facts import _clocks

    at = timezone.now()
    paused = 3600
    a = {
        "dispatched_at": at - timedelta(days=5),
        "resolved_at": at,
        "first_contact_due": None,
        "first_contacted_at": None,
        "resolve_due": at + timedelta(days=1),
        "status": AppealStatus.RESOLVED,
    }
    base = _clocks(a, [])["s"][3]
    for action in ("resume", "supplement"):
        events = [(action, at - timedelta(days=1), None, {"paused_working_seconds": paused})]
        assert _clocks(a, events)["s"][3] == base - paused
