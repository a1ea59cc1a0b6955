"""The demo's neighbouring district (A2区) and the city's centre above both: built through the
services, once, each appeal A2's and handled by A2's units only; A3's staff see none of it, the
city's see both; the logins name the city's and the neighbour's accounts."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from minxin.accounts.models import User
from minxin.cases.models import Appeal, AppealEvent, Assignment
from minxin.cases.selectors import appeal_scope_for
from minxin.cases.workflow import AppealStatus
from minxin.demo import neighbour
from minxin.directory.models import Jurisdiction, Unit

pytestmark = pytest.mark.django_db


def test_the_neighbour_and_the_city_above_both() -> None:
    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    a3 = Jurisdiction.objects.get()

    assert neighbour.neighbour_seed() == neighbour.APPEALS
    assert neighbour.neighbour_seed() == 0  # seeded twice: nothing more

    a2 = Jurisdiction.objects.get(code=neighbour.CODE)
    assert (a2.host, a2.region.code) == (neighbour.HOST, neighbour.CODE)
    assert Jurisdiction.objects.order_by("pk").first() == a3  # still the install's first
    appeals = Appeal.objects.filter(jurisdiction=a2)
    assert appeals.count() == neighbour.APPEALS == Appeal.objects.count()
    statuses = Counter(appeals.values_list("status", flat=True))
    assert {AppealStatus.RECEIVED, AppealStatus.DISPATCHED, AppealStatus.IN_PROGRESS} <= set(
        statuses
    )
    assert statuses[AppealStatus.RATED] >= 8
    # Every step by the services, each unit of A2's.
    assert AppealEvent.objects.filter(appeal__in=appeals).count() > 3 * neighbour.APPEALS
    leads = Unit.objects.filter(
        pk__in=Assignment.objects.filter(appeal__in=appeals).values("unit_id")
    )
    assert leads.exists() and {u.jurisdiction_id for u in leads} == {a2.pk}
    assert all(a.region.path.startswith(a2.region.path) for a in appeals.exclude(region=None))

    def seen_by(username: str) -> int:
        return appeal_scope_for(user=User.objects.get(username=username)).count()

    assert seen_by("supervisor") == 0  # A3's
    assert seen_by("a2_supervisor") == seen_by("city_leader") == neighbour.APPEALS
    assert User.objects.get(username="city_leader").unit.jurisdiction_id is None

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert all(name in out.getvalue() for name in ("city_leader", "a2_dispatcher"))
