"""The demo holds every status whatever the day it is seeded: the tracking numbers, and so the
review policy's draw, change with the date."""

from datetime import UTC, datetime

import pytest

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


# Days on which chance once passed every reply meant to wait for review (CI, 2026-12-06).
@pytest.mark.parametrize(
    "now", [datetime(2026, 12, 6, 11, tzinfo=UTC), datetime(2026, 12, 7, 8, tzinfo=UTC)]
)
def test_every_status_occurs_on_a_day_the_review_draw_passes_most_replies(now):
    seed_demo(appeals=300, seed=1, channels=False, now=now)
    assert set(Appeal.objects.values_list("status", flat=True)) == set(AppealStatus)
