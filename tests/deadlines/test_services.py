from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from minxin.deadlines.models import DeadlinePolicy, Urgency
from minxin.deadlines.services import DEFAULT_LIMITS, Deadlines, deadlines_for, policy_for
from minxin.directory.models import Category

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tree():
    root = Category.objects.create(name="城市管理")
    child = Category.objects.create(name="市容环境", parent=root)
    leaf = Category.objects.create(name="占道经营", parent=child)
    other = Category.objects.create(name="住房保障")
    return root, child, leaf, other


def policy(category, urgency, hours, days):
    return DeadlinePolicy.objects.create(
        category=category, urgency=urgency, first_contact_hours=Decimal(hours), resolve_days=days
    )


def test_built_in_defaults_without_any_rows(tree):
    _, _, leaf, _ = tree
    assert policy_for(category=leaf, urgency=Urgency.NORMAL) == (Decimal("8"), 10)
    assert policy_for(category=None, urgency=Urgency.URGENT) == (Decimal("2"), 3)
    assert policy_for(category=leaf, urgency="critical") == (Decimal("0.5"), 1)
    assert set(DEFAULT_LIMITS) == set(Urgency)


def test_most_specific_policy_wins(tree):
    root, child, leaf, other = tree
    policy(None, Urgency.NORMAL, "6", 8)
    policy(root, Urgency.NORMAL, "4", 5)
    assert policy_for(category=None, urgency=Urgency.NORMAL) == (Decimal("6"), 8)
    assert policy_for(category=other, urgency=Urgency.NORMAL) == (Decimal("6"), 8)
    assert policy_for(category=leaf, urgency=Urgency.NORMAL) == (Decimal("4"), 5)  # from root
    policy(child, Urgency.NORMAL, "3", 4)
    assert policy_for(category=leaf, urgency=Urgency.NORMAL) == (Decimal("3"), 4)
    policy(leaf, Urgency.NORMAL, "1", 2)
    assert policy_for(category=leaf, urgency=Urgency.NORMAL) == (Decimal("1"), 2)
    assert policy_for(category=root, urgency=Urgency.NORMAL) == (Decimal("4"), 5)


def test_urgency_without_rows_uses_built_in_default(tree):
    root, _, leaf, _ = tree
    policy(root, Urgency.NORMAL, "4", 5)
    assert policy_for(category=leaf, urgency=Urgency.URGENT) == DEFAULT_LIMITS[Urgency.URGENT]


def test_unknown_urgency_is_an_error():
    with pytest.raises(ValueError):
        policy_for(category=None, urgency="whenever")


def test_policies_are_cached_and_refreshed_on_save(tree, django_assert_num_queries):
    _, _, leaf, _ = tree
    row = policy(leaf, Urgency.URGENT, "1.5", 2)
    policy_for(category=leaf, urgency=Urgency.URGENT)
    with django_assert_num_queries(0):
        for _ in range(100):
            assert policy_for(category=leaf, urgency=Urgency.URGENT) == (Decimal("1.5"), 2)
    row.resolve_days = 4
    row.save()
    assert policy_for(category=leaf, urgency=Urgency.URGENT) == (Decimal("1.5"), 4)
    row.delete()
    assert policy_for(category=leaf, urgency=Urgency.URGENT) == DEFAULT_LIMITS[Urgency.URGENT]


def test_one_policy_per_category_and_urgency(tree):
    root, *_ = tree
    policy(root, Urgency.NORMAL, "4", 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        policy(root, Urgency.NORMAL, "2", 3)


def test_one_default_per_urgency():
    policy(None, Urgency.NORMAL, "6", 8)
    policy(None, Urgency.URGENT, "2", 2)  # another urgency is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        policy(None, Urgency.NORMAL, "5", 7)


def test_duplicate_default_is_reported_by_validation():
    policy(None, Urgency.NORMAL, "6", 8)
    duplicate = DeadlinePolicy(
        category=None, urgency=Urgency.NORMAL, first_contact_hours=Decimal("5"), resolve_days=7
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_deadlines_for_over_the_spring_festival(tree):
    _, _, leaf, _ = tree
    start = datetime(2026, 2, 13, 17, 50, tzinfo=SH)
    # Built-in CRITICAL 0.5 h / 1 d: 10 min on Friday, 20 min on the worked Saturday 02-14.
    assert deadlines_for(category=leaf, urgency=Urgency.CRITICAL, start=start) == Deadlines(
        first_contact_due=datetime(2026, 2, 14, 9, 20, tzinfo=SH),
        resolve_due=datetime(2026, 2, 14, 18, tzinfo=SH),
    )
    policy(leaf, Urgency.NORMAL, "8", 3)
    # 3 days: 02-14, 02-24, 02-25 (see test_calendar). 8 h: 10 min on Friday,
    # 7 h 30 min on Saturday 02-14, the last 20 min on Tue 02-24.
    assert deadlines_for(category=leaf, urgency=Urgency.NORMAL, start=start) == Deadlines(
        first_contact_due=datetime(2026, 2, 24, 9, 20, tzinfo=SH),
        resolve_due=datetime(2026, 2, 25, 18, tzinfo=SH),
    )
