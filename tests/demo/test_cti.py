"""The demo's call log: a week of calls through the hook's service, answered and missed,
with recordings, and today's calls received as appeals."""

import pytest

from minxin.cti.models import Call
from minxin.cti.workflow import CallStatus
from minxin.demo.cti import cti_seed
from minxin.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_week_of_calls_some_missed_some_received_as_appeals():
    report = seed_demo(appeals=40, seed=3)
    assert report.calls == Call.objects.count() >= 30
    statuses = set(Call.objects.values_list("status", flat=True))
    assert statuses == {CallStatus.ENDED, CallStatus.MISSED}
    from_calls = Call.objects.filter(appeal__isnull=False).select_related("appeal")
    assert from_calls.count() == 3
    for call in from_calls:
        assert call.appeal.appellant_phone == call.phone
        assert call.events.filter(action="receive_appeal").exists()
    assert Call.objects.exclude(recording_url="").exists()
    ended = Call.objects.filter(status=CallStatus.ENDED)
    assert not ended.filter(talk_seconds__isnull=True).exists()
    assert cti_seed() == 0  # once
