"""The demo's 考核申诉: one approved, one refused, one waiting, made through the services on the
demo's own appeals; the approved one honoured by the figures; seeded once."""

import pytest

from minxin.demo.seed import seed_demo
from minxin.exemptions.models import Exemption, ExemptionEvent
from minxin.exemptions.workflow import ExemptionStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_a_refused_and_a_waiting_request():
    seed_demo(appeals=120, seed=3)
    statuses = sorted(Exemption.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [ExemptionStatus.APPROVED, ExemptionStatus.REFUSED, ExemptionStatus.SUBMITTED]
    )
    assert ExemptionEvent.objects.count() == 5  # three requests, two decisions
    for x in Exemption.objects.all():
        assert x.requested_by.unit_id == x.appeal.lead_unit_id == x.unit_id
        assert x.requested_at <= (x.decided_at or x.requested_at)
    seed_demo(appeals=0)
    assert Exemption.objects.count() == 3
