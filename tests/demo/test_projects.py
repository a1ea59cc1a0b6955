"""The demo's 民心工程: a programme in every status, made through the projects' services and
back-dated, whose timelines are paths through the projects' table."""

import random
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.demo.projects import PROGRAMME, PROJECTS, projects_seed
from minxin.demo.seed import seed_demo
from minxin.projects.models import (
    Programme,
    ProgressReport,
    Project,
    ProjectAppeal,
    ProjectEvent,
    ProjectRating,
    ProjectWarning,
    RatingRound,
    ResponsibilityLetter,
    WarningKind,
)
from minxin.projects.schedule import project_progress
from minxin.projects.selectors import programme_overview
from minxin.projects.workflow import TRANSITIONS, ProjectAction, ProjectStatus
from minxin.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db

S = ProjectStatus


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeded district for the module, rolled back at its end. The block is marked as a
    test case's (as Django's TestCase does) so the durable services may run inside it."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block._from_testcase = True
        block.__enter__()
        try:
            yield seed_demo(appeals=200, seed=5)
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def programme(seeded):
    return Programme.objects.get(name=PROGRAMME, year=timezone.localdate().year)


def test_a_programme_of_twelve_projects_in_every_status(seeded, programme):
    assert seeded.projects == len(PROJECTS) == 12
    counts = Counter(programme.projects.values_list("status", flat=True))
    assert set(counts) == set(S.values)
    assert counts[S.IN_PROGRESS] >= 3
    kinds = set(programme.projects.values_list("kind", flat=True))
    assert {"old_area", "elevator", "breakfast", "elderly", "estate", "sports"} <= kinds


def test_some_are_behind_plan_warned_and_one_under_a_supervision_order(programme):
    supervisor = User.objects.get(username="supervisor")
    overview = programme_overview(supervisor, programme.pk)
    behind = [r for r in overview.rows if r.behind]
    assert len(behind) >= 2
    assert overview.rows[: len(behind)] == behind  # behind plan first
    for row in behind:
        kinds = set(ProjectWarning.objects.filter(project_id=row.pk).values_list("kind", flat=True))
        assert kinds == {WarningKind.BEHIND, WarningKind.MILESTONE}
        assert ProjectEvent.objects.filter(project_id=row.pk, action=ProjectAction.WARN).exists()
    on_plan = [r for r in overview.rows if r.status == S.IN_PROGRESS and not r.behind]
    assert on_plan
    assert not ProjectWarning.objects.filter(
        project_id__in=[r.pk for r in on_plan], kind=WarningKind.BEHIND
    ).exists()
    orders = SupervisionOrder.objects.filter(about__startswith="民心工程：")
    assert orders.count() == 1
    order = orders.get()
    assert order.about.removeprefix("民心工程：") in {r.name for r in behind}
    assert order.unit_id == Project.objects.get(name=order.about[5:]).lead_unit_id


def test_targets_letters_and_progress_reported_over_the_year(programme):
    projects = programme.projects.prefetch_related("targets__years", "targets__reports")
    measures = set()
    multi_year = 0
    for project in projects:
        targets = list(project.targets.all())
        assert targets, project
        for target in targets:
            measures.add(target.measure)
            years = list(target.years.all())
            if years:
                multi_year += 1
                assert len(years) >= 3
                assert sum(y.value for y in years) <= target.value
            reports = sorted(target.reports.all(), key=lambda r: (r.reported_at, r.pk))
            if project.status in (S.CANDIDATE, S.PLANNED):
                assert not reports
                continue
            assert reports, target
            if target.value >= 20:  # a few centres are opened, not reported in parts
                assert len(reports) >= 3, target
                assert reports[-1].reported_at - reports[0].reported_at > timedelta(days=60)
            assert target.achieved == reports[-1].value
            for before, after in pairwise(reports):
                assert after.previous == before.value
                assert after.is_correction == (after.value < before.value)
        if project.status != S.CANDIDATE:
            assert ResponsibilityLetter.objects.filter(project=project).exists()
        expected = project_progress([(t.achieved, t.value) for t in targets])
        assert project.progress == expected
    assert {"平方米", "户", "台", "个"} <= measures
    assert multi_year >= 2
    correction = ProgressReport.objects.get(is_correction=True, project__programme=programme)
    event = ProjectEvent.objects.get(action=ProjectAction.CORRECT, project=correction.project)
    assert event.reason and event.payload["report"] == correction.pk
    # Overshoot is kept as reported: over 100 % of a target.
    completed = programme.projects.filter(status__in=[S.COMPLETED, S.ACCEPTED])
    assert any(t.achieved > t.value for p in completed for t in p.targets.all())


def test_appeals_linked_and_the_peoples_verdict(programme):
    links = ProjectAppeal.objects.filter(project__programme=programme)
    assert links.values("project").distinct().count() >= 4
    for link in links.select_related("appeal"):
        assert link.appeal.received_at <= link.linked_at
    ratings = ProjectRating.objects.filter(project__programme=programme)
    rated = set(ratings.values_list("project__status", flat=True))
    assert rated == {S.COMPLETED, S.ACCEPTED}
    for project in programme.projects.filter(status__in=[S.COMPLETED, S.ACCEPTED]):
        mine = ratings.filter(project=project, milestone__isnull=True)
        assert mine.filter(round=RatingRound.COMPLETION).count() >= 10
        assert len(set(mine.values_list("verdict", flat=True))) >= 2  # a spread, not one voice
        for rating in mine.filter(round=RatingRound.COMPLETION):
            assert project.completed_at <= rating.created_at
            assert project.revisit_at is None or rating.created_at < project.revisit_at
    revisited = programme.projects.filter(revisit_at__isnull=False)
    assert revisited.exists()
    for project in revisited:
        assert ratings.filter(project=project, round=RatingRound.REVISIT).exists()
    assert ratings.filter(milestone__isnull=False).exists()


def test_every_timeline_is_a_path_through_the_table(programme):
    events = defaultdict(list)
    for event in ProjectEvent.objects.filter(project__programme=programme).order_by(
        "created_at", "id"
    ):
        events[event.project_id].append(event)
    now = timezone.now()
    for project in programme.projects.all():
        history = events[project.pk]
        assert history[0].action == ProjectAction.CREATE and history[0].from_status == ""
        assert history[0].created_at == project.created_at
        assert project.version == len(history)
        previous = ""
        for event in history:
            transition = TRANSITIONS[ProjectAction(event.action)]
            if event.action != ProjectAction.CREATE:
                assert event.from_status == previous, (project.name, event.action)
                assert event.from_status in transition.source, (project.name, event.action)
            assert event.to_status == (transition.target or event.from_status)
            assert event.actor_role in transition.roles
            assert event.reason or not transition.needs_reason
            if event.actor_role == Role.HANDLER:
                assert event.actor_unit_id == event.actor.unit_id
            assert event.created_at <= now
            previous = event.to_status
        assert previous == project.status
        # Back-dated: a started project's history spans months, not the seconds of seeding.
        if project.started_at is not None:
            assert history[-1].created_at - history[0].created_at > timedelta(days=60)


def test_events_cannot_be_changed_or_deleted(programme):
    event = ProjectEvent.objects.filter(project__programme=programme).first()
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProjectEvent.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProjectEvent.objects.filter(pk=event.pk).delete()


def test_seeding_again_adds_no_second_programme(programme):
    assert projects_seed(rng=random.Random(5)).projects == 0
    # This year's, once (the deputies' vote adds next year's programme beside it).
    year = timezone.localdate().year
    assert Programme.objects.filter(name=PROGRAMME, year=year).count() == 1


def test_a_project_in_several_communities_has_a_point_in_each(programme):
    several = [spec for spec in PROJECTS if len(spec.regions) > 1]
    assert len(several) >= 8
    for spec in several:
        project = programme.projects.get(name=spec.name)
        names = set(project.points.values_list("name", flat=True))
        assert names == set(spec.regions), spec.name
    single = next(spec for spec in PROJECTS if len(spec.regions) == 1)
    assert not programme.projects.get(name=single.name).points.exists()
