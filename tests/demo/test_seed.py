from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import STAFF_ROLES, Role
from minxin.cases.models import Appeal, AppealEvent, Assignment, Reply
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus
from minxin.deadlines.services import deadlines_for
from minxin.demo import district
from minxin.demo.seed import seed_demo
from minxin.directory.models import Category, Region, RegionLevel, Unit, UnitKind
from minxin.dispatch.selectors import units_suggested_for
from minxin.feedback.models import Rating

pytestmark = pytest.mark.django_db

ANSWERED = {AppealStatus.RESOLVED, AppealStatus.RATED, AppealStatus.FOLLOW_UP}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeded district for the module, rolled back at its end; each test runs in a
    savepoint inside it, so tests that add data leave it as it was."""
    with django_db_blocker.unblock(), transaction.atomic():
        # The channel records go through durable services, which cannot run inside this
        # module-wide block: test_channels.py covers them.
        call_command(
            "seed_demo", appeals=300, seed=1, no_channels=True, verbosity=0, stdout=StringIO()
        )
        yield
        transaction.set_rollback(True)


def test_the_district_has_streets_departments_and_a_user_for_every_role(seeded):
    assert Region.objects.filter(level=RegionLevel.SUBDISTRICT).count() >= 10
    for subdistrict in Region.objects.filter(level=RegionLevel.SUBDISTRICT):
        communities = subdistrict.children.all()
        assert 2 <= len(communities) <= 4
        for community in communities:
            assert 1 <= community.children.count() <= 2
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() >= 15
    assert Unit.objects.filter(kind=UnitKind.HOTLINE).exists()
    assert Unit.objects.filter(kind=UnitKind.SUPERVISION).exists()
    for office in Unit.objects.filter(kind=UnitKind.SUBDISTRICT):
        assert office.region is not None
        assert office.region.level == RegionLevel.SUBDISTRICT
    assert {u.role for u in User.objects.all()} >= set(STAFF_ROLES)
    # Every unit that can be dispatched to has someone to open its inbox.
    handled = set(User.objects.filter(role=Role.HANDLER).values_list("unit_id", flat=True))
    for unit in Unit.objects.filter(kind__in=[UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT]):
        assert unit.pk in handled, unit
    assert User.objects.get(username="admin").is_superuser
    assert Category.objects.filter(level=1).count() == 15
    assert Category.objects.filter(level=3).count() == 517


def test_every_status_occurs_and_the_main_handler_has_the_busiest_street(seeded):
    counts = Counter(Appeal.objects.values_list("status", flat=True))
    assert set(counts) == set(AppealStatus)
    assert counts[AppealStatus.ARCHIVED] == max(counts.values())
    # "handler" works at the street given the largest share of the appeals; 300 appeals are
    # too few for it to lead every sample, so check the share and that it is near the top.
    handler = User.objects.select_related("unit__region").get(username="handler")
    assert handler.unit is not None and handler.unit.region is not None
    largest_share = max(district.SUBDISTRICTS, key=lambda s: s[2])[1]
    assert handler.unit.region.name == largest_share
    per_street = Counter(Appeal.objects.values_list("region__parent_id", flat=True))
    assert handler.unit.region_id in [street for street, _ in per_street.most_common(3)]


def test_every_history_is_a_path_through_the_transition_table(seeded):
    events = defaultdict(list)
    for event in AppealEvent.objects.order_by("appeal_id", "created_at", "id"):
        events[event.appeal_id].append(event)
    appeals = Appeal.objects.all()
    assert len(events) == appeals.count() == 300
    for appeal in appeals:
        history = events[appeal.pk]
        assert appeal.version == len(history)
        assert history[0].action == Action.RECEIVE
        assert history[0].created_at == appeal.received_at
        previous_status, previous_time = "", None
        for event in history:
            transition = TRANSITIONS[Action(event.action)]
            assert event.from_status == previous_status, (appeal.pk, event.action)
            if event.action == Action.RECEIVE:
                assert event.from_status == ""
            else:
                assert event.from_status in transition.source, (appeal.pk, event.action)
            assert event.to_status == (transition.target or event.from_status)
            assert event.actor_role in transition.roles
            assert event.reason or not transition.needs_reason
            if event.actor_role == Role.HANDLER:
                assert event.actor is not None
                assert event.actor.unit_id == event.actor_unit_id
            assert previous_time is None or event.created_at > previous_time
            previous_status, previous_time = event.to_status, event.created_at
        assert previous_status == appeal.status


def test_the_appeal_fields_are_what_the_services_would_have_written(seeded):
    for appeal in Appeal.objects.select_related("category"):
        status = AppealStatus(appeal.status)
        if status == AppealStatus.MERGED:
            assert appeal.merged_into is not None
            assert appeal.merged_into.received_at < appeal.received_at
        if appeal.lead_unit_id is not None:
            lead = Assignment.objects.get(appeal=appeal, is_active=True, role="lead")
            assert lead.unit_id == appeal.lead_unit_id
            # The first-contact limit is set only at dispatch, from the policy.
            assert appeal.dispatched_at is not None
            due = deadlines_for(
                category=appeal.category, urgency=appeal.urgency, start=appeal.dispatched_at
            )
            assert appeal.first_contact_due == due.first_contact_due
        if status in ANSWERED or (status == AppealStatus.ARCHIVED and appeal.satisfaction):
            assert appeal.replies.exists()
        if status in ANSWERED:
            assert appeal.resolved_at is not None
        if status == AppealStatus.RATED:
            assert appeal.satisfaction in ("satisfied", "basically_satisfied")
        if status == AppealStatus.SUSPENDED:
            assert appeal.paused_at is not None
        if status == AppealStatus.ARCHIVED:
            assert appeal.closed_at is not None
        assert appeal.reopen_count == appeal.events.filter(action=Action.REOPEN).count()
    resolves = AppealEvent.objects.filter(action=Action.RESOLVE).count()
    assert Reply.objects.count() == resolves > 0
    ratings = AppealEvent.objects.filter(action__in=[Action.RATE, Action.RATE_DISSATISFIED]).count()
    assert Rating.objects.count() == ratings > 0


def test_open_appeals_include_overdue_ones(seeded):
    open_appeals = Appeal.objects.filter(status__in=["dispatched", "accepted", "in_progress"])
    assert open_appeals.filter(resolve_due__lt=timezone.now()).exists()
    assert open_appeals.filter(resolve_due__gte=timezone.now()).exists()


def test_routing_matches_the_dispatch_selector(seeded):
    # The seeder ranks the rules in memory; it must pick what a dispatcher is offered first.
    first_dispatches = (
        AppealEvent.objects.filter(action=Action.DISPATCH, from_status="screened")
        .select_related("appeal__category", "appeal__region")
        .order_by("id")[:60]
    )
    for event in first_dispatches:
        appeal = event.appeal
        suggested = units_suggested_for(category=appeal.category, region=appeal.region)
        assert event.payload["lead_unit"] == suggested[0].name


def test_if_empty_keeps_existing_data(seeded):
    before = (Appeal.objects.count(), AppealEvent.objects.count(), Unit.objects.count())
    out = StringIO()
    call_command("seed_demo", appeals=50, if_empty=True, verbosity=0, stdout=out)
    assert (Appeal.objects.count(), AppealEvent.objects.count(), Unit.objects.count()) == before
    assert "kept the data" in out.getvalue()


def test_a_second_run_adds_appeals_but_not_the_directory_again(seeded):
    units, users, categories = Unit.objects.count(), User.objects.count(), Category.objects.count()
    call_command("seed_demo", appeals=20, seed=2, no_channels=True, verbosity=0, stdout=StringIO())
    assert Appeal.objects.count() == 320
    assert (Unit.objects.count(), User.objects.count(), Category.objects.count()) == (
        units,
        users,
        categories,
    )
    assert Appeal.objects.values("tracking_number").distinct().count() == 320


def test_demo_logins_lists_every_role():
    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    table = out.getvalue()
    for username in ("calltaker", "dispatcher", "handler", "supervisor", "leader", "admin"):
        assert username in table
    assert "h_jingrong" in table and "社区承办人" in table  # 二级派单
    community = User.objects.get(username="h_jingrong")
    assert community.unit.parent.name == "桂花坪街道办事处"
    assert "minxin-demo-2026" in table
    assert User.objects.get(username="handler").check_password("minxin-demo-2026")


def test_the_same_seed_gives_the_same_appeals():
    now = timezone.now()

    def seeded_once() -> list[tuple[object, ...]]:
        with transaction.atomic():
            seed_demo(appeals=60, seed=7, now=now, channels=False)
            rows: list[tuple[object, ...]] = [
                (a.title, a.status, a.category_id, a.region_id, a.received_at, a.appellant_phone)
                for a in Appeal.objects.order_by("received_at", "id")
            ]
            rows += list(AppealEvent.objects.order_by("id").values_list("action", "created_at"))
            transaction.set_rollback(True)
        return rows

    assert seeded_once() == seeded_once()
