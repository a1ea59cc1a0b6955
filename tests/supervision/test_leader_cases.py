"""领导包案 on an appeal: only a leader takes charge, once; the lead unit is told; the appeal's
deadline warnings and its orders' first escalation reach the leader; the appeal page's panel
flags it; the leader's page lists what the leader leads; the rows are append-only."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import PermissionDenied, ValidationFailed
from minxin.notify.models import Notification
from minxin.supervision.models import LeaderCase
from minxin.supervision.services import (
    appeal_take_charge,
    supervision_order_issue,
    supervision_orders_escalate,
)
from minxin.supervision.warnings import deadline_warnings_raise
from tests.builders import District, appeal_in


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def test_only_a_leader_takes_charge_once_and_the_unit_is_told(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        appeal_take_charge(actor=district.user("supervisor"), appeal_id=appeal.pk)
    case = appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk, note="亲自协调")
    assert (case.leader, case.note) == (district.user("leader"), "亲自协调")
    with pytest.raises(ValidationFailed, match="已包案"):
        appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk)
    told = Notification.objects.filter(kind="leader_case")
    assert set(told.values_list("recipient__username", flat=True)) == {"handler"}


def test_warnings_and_escalations_of_a_led_appeal_reach_the_leader(district):
    with time_machine.travel(timezone.now() - timedelta(days=12), tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
        other = appeal_in(district, AppealStatus.IN_PROGRESS)
    # Both due within the hour: near their deadline whatever the day (twelve calendar days
    # back are fewer than ten working days on some weekdays).
    Appeal.objects.filter(pk__in=[appeal.pk, other.pk]).update(
        resolve_due=timezone.now() + timedelta(hours=1)
    )
    appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk)
    assert deadline_warnings_raise() >= 2
    warned = Notification.objects.filter(
        recipient=district.user("leader"), kind__startswith="deadline_"
    )
    assert warned.exists()
    assert all(appeal.tracking_number in n.title for n in warned)
    assert not warned.filter(title__contains=other.tracking_number).exists()
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        supervision_order_issue(
            actor=district.user("supervisor"),
            appeal_id=appeal.pk,
            content="请尽快办结",
            due_at=now - timedelta(days=2),
        )
    assert supervision_orders_escalate(now=now) >= 1
    escalated = Notification.objects.filter(kind="supervision_escalation")
    assert district.user("leader").pk in set(escalated.values_list("recipient", flat=True))


def test_the_panel_flags_it_and_the_leaders_page_lists_it(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    leader = client_for(district, "leader")
    panel = reverse("supervision:appeal_panel", args=[appeal.pk])
    assert 'data-action="take_charge"' in leader.get(panel).content.decode()
    assert (
        'data-action="take_charge"'
        not in client_for(district, "supervisor").get(panel).content.decode()
    )
    response = leader.post(
        reverse("supervision:appeal_take_charge", args=[appeal.pk]), {"note": "亲自协调"}
    )
    assert response.status_code == 302
    page = client_for(district, "handler").get(panel).content.decode()
    assert "data-leader-case" in page and "亲自协调" in page
    led = leader.get(reverse("taskforces:leader_cases")).content.decode()
    assert appeal.tracking_number in led
    assert (
        client_for(district, "supervisor").get(reverse("taskforces:leader_cases")).status_code
        == 404
    )
    # Another street's handler cannot reach the appeal, so cannot post either.
    other = client_for(district, "handler_other")
    assert (
        other.post(reverse("supervision:appeal_take_charge", args=[appeal.pk])).status_code == 404
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
def test_a_leader_case_cannot_be_rewritten_on_postgresql(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    appeal_take_charge(actor=district.user("leader"), appeal_id=appeal.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LeaderCase.objects.update(note="改")
