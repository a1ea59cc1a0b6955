import pytest

from minxin.cases.models import AppealEvent
from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in


@pytest.mark.parametrize("status", list(AppealStatus))
def test_every_status_is_reachable_through_the_services(district, status):
    appeal = appeal_in(district, status)
    events = AppealEvent.objects.filter(appeal=appeal).order_by("created_at", "id")
    assert events.last().to_status == status
    # Each event starts where the previous one ended: no gap, no silent change.
    previous = ""
    for event in events:
        assert event.from_status == previous
        previous = event.to_status
