"""考核申诉 through its services: who may ask, about what, until when; one waiting at a time;
the supervision office's decision; and the appeal itself never touched."""

import pytest
import time_machine

from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import (
    ConcurrentEdit,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from minxin.exemptions.models import ExemptionEvent
from minxin.exemptions.services import exemption_act
from minxin.exemptions.workflow import ExemptionAction, ExemptionKind, ExemptionStatus
from minxin.notify.models import Notification
from tests.builders import appeal_in
from tests.uploads import fake_jpg_upload, png_upload

from .builders import at, decide, overdue_appeal, request

A = ExemptionAction
K = ExemptionKind


def _appeal_state(appeal: Appeal) -> tuple[object, ...]:
    row = Appeal.objects.get(pk=appeal.pk)
    return row.status, row.version, row.updated_at, AppealEvent.objects.filter(appeal=row).count()


def test_a_dissatisfied_rating_asked_and_approved_without_touching_the_appeal(
    district, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    before = _appeal_state(appeal)
    rating = AppealEvent.objects.get(appeal=appeal, action=Action.RATE_DISSATISFIED)
    x = request(d, appeal, photos=(png_upload(),))
    assert (x.status, x.kind, x.unit_id, x.rating_event_id) == (
        ExemptionStatus.SUBMITTED,
        K.DISSATISFIED,
        d.street_units[0].pk,
        rating.pk,
    )
    assert x.photos.count() == 1 and x.photos.get().content_type == "image/png"
    told = Notification.objects.get(kind="exemption_request")
    assert told.recipient == d.user("supervisor") and appeal.tracking_number in told.title
    x = decide(d, x)
    decided = Notification.objects.get(kind="exemption_decision")
    assert decided.recipient == d.user("handler") and "已批准" in decided.title
    assert x.status == ExemptionStatus.APPROVED
    assert x.decided_by == d.user("supervisor") and x.decision.startswith("经核实")
    events = list(ExemptionEvent.objects.filter(exemption=x).values_list("action", "to_status"))
    assert events == [("request", "submitted"), ("approve", "approved")]
    assert _appeal_state(appeal) == before


def test_only_the_lead_unit_asks(district):
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    with pytest.raises(PermissionDenied, match="主办单位"):
        request(d, appeal, who="handler_dept")  # the assisting unit: sees it, may not ask
    with pytest.raises(NotFound):
        request(d, appeal, who="handler_other")  # another street: does not see it
    for who in ("supervisor", "dispatcher", "leader"):
        with pytest.raises(PermissionDenied):
            request(d, appeal, who=who)


def test_only_what_actually_happened(district):
    d = district
    satisfied = appeal_in(d, AppealStatus.RATED)
    with pytest.raises(ValidationFailed, match="没有不满意评价"):
        request(d, satisfied)
    with pytest.raises(ValidationFailed, match="未超过办结时限"):
        request(d, satisfied, K.OVERDUE)  # resolved at once: on time
    open_in_time = appeal_in(d, AppealStatus.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match="未超过办结时限"):
        request(d, open_in_time, K.OVERDUE)


def test_one_waiting_per_appeal_and_kind_and_once_approved_never_again(district):
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    first = request(d, appeal)
    with pytest.raises(IllegalTransition, match="已有待审核"):
        request(d, appeal)
    refused = decide(d, first, A.REFUSE)
    assert refused.status == ExemptionStatus.REFUSED
    second = request(d, appeal)  # refused: the unit may ask again with better evidence
    exemption_act(
        actor=d.user("handler"),
        exemption_id=second.pk,
        action=A.WITHDRAW,
        expected_version=second.version,
    )
    third = request(d, appeal)
    decide(d, third)
    with pytest.raises(IllegalTransition, match="已批准免考核"):
        request(d, appeal)


def test_overdue_open_and_resolved_late_and_the_window(district):
    d = district
    appeal = overdue_appeal(d)
    with time_machine.travel(at(17, 17), tick=False), pytest.raises(ValidationFailed):
        request(d, appeal, K.OVERDUE)  # not yet past 03-17 18:00
    with (
        time_machine.travel(at(25), tick=False),
        pytest.raises(ValidationFailed, match="5个工作日"),
    ):
        request(d, appeal, K.OVERDUE)  # the window closed 03-24 18:00
    with time_machine.travel(at(24, 17), tick=False):
        x = request(d, appeal, K.OVERDUE)
    assert x.deadline == at(17, 18) and x.rating_event_id is None


def test_deciding(district):
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    x = request(d, appeal)
    with pytest.raises(ValidationFailed, match="审核意见"):
        exemption_act(actor=d.user("supervisor"), exemption_id=x.pk, action=A.APPROVE, reason=" ")
    with pytest.raises(PermissionDenied):
        exemption_act(actor=d.user("handler"), exemption_id=x.pk, action=A.APPROVE, reason="好")
    with pytest.raises(NotFound):  # another unit's request: not even seen
        exemption_act(actor=d.user("handler_other"), exemption_id=x.pk, action=A.WITHDRAW)
    with pytest.raises(ConcurrentEdit):
        exemption_act(
            actor=d.user("supervisor"),
            exemption_id=x.pk,
            action=A.APPROVE,
            reason="理由成立",
            expected_version=x.version + 1,
        )
    decide(d, x)
    with pytest.raises(IllegalTransition):
        decide(d, x.__class__.objects.get(pk=x.pk), A.REFUSE)


def test_evidence_photos_are_checked(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    with pytest.raises(ValidationFailed, match="照片"):
        request(d, appeal, photos=(fake_jpg_upload(),))
    with pytest.raises(ValidationFailed, match="最多"):
        request(d, appeal, photos=tuple(png_upload() for _ in range(7)))
    assert not appeal.exemptions.exists()
