"""The scorecards' components from other apps, by district: a district's scorecard counts the
projects of its own programmes and its own panel evaluations; the city's every district's.
A bureau of the city that leads a project and is graded in both districts shows, on each
district's card, that district's figures only."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from minxin.directory.models import Jurisdiction, Unit, UnitKind
from minxin.metrics.scorecards import components_for, scorecard_for
from minxin.panels.services import (
    EvaluationDraft,
    evaluation_act,
    evaluation_create,
    panellist_invite,
    sheet_submit,
)
from minxin.panels.workflow import EvaluationAction
from minxin.projects.models import Programme
from minxin.projects.selectors import on_plan_by_unit
from minxin.projects.services import ProgressDraft, TargetDraft, progress_report, project_act
from minxin.projects.services import project_create as project_made
from tests.builders import District, other_district_build
from tests.projects.builders import draft_new

B1_UNIT = "东风街道办事处"


def _graded(d: District, actor: str, grades: dict[int, int]) -> None:
    """An evaluation by `actor`'s office, closed, in which one panellist gave each unit its
    grade out of 10 (some weeks ago, so that it closed in the period)."""
    user = d.user(actor)
    opens = timezone.now() - timedelta(days=20)
    evaluation = evaluation_create(
        actor=user,
        draft=EvaluationDraft(
            title="背对背测评",
            opens_at=opens,
            closes_at=opens + timedelta(days=10),
            unit_ids=tuple(grades),
            items=(("办理结果", 10),),
        ),
        at=opens,
    )
    _, token = panellist_invite(
        actor=user, evaluation_id=evaluation.pk, name="李大妈", group="resident"
    )
    evaluation_act(actor=user, evaluation_id=evaluation.pk, action=EvaluationAction.OPEN, at=opens)
    (item,) = evaluation.items.all()
    for unit, grade in grades.items():
        sheet_submit(
            token=token, unit_id=unit, values={item.pk: grade}, at=opens + timedelta(days=1)
        )
    evaluation_act(
        actor=user,
        evaluation_id=evaluation.pk,
        action=EvaluationAction.CLOSE,
        at=opens + timedelta(days=11),
    )


def _led(d: District, actor: str, programme: Programme, unit: Unit, *, on_plan: bool) -> None:
    """A project of the programme led by `unit`, started (half its time gone), on plan or
    behind (nothing done)."""
    user = d.user(actor)
    draft = draft_new(
        d,
        programme,
        lead_unit_id=unit.pk,
        assisting_unit_ids=(),
        region_ids=(),
        targets=(TargetDraft(name="加装电梯", value=Decimal(10), measure="台", unit_id=None),),
    )
    project = project_made(actor=user, draft=draft, planned=True)
    project_act(project_id=project.pk, action="start", actor=user, expected_version=None)
    if on_plan:
        (target,) = project.targets.all()
        progress_report(actor=user, draft=ProgressDraft(target_id=target.pk, value=Decimal(6)))


def test_a_districts_card_counts_its_own_projects_and_evaluations(district: District) -> None:
    d = district
    b = other_district_build(d)
    a3 = Jurisdiction.objects.order_by("pk")[0].pk
    bureau = Unit.objects.create(name="市住房和城乡建设局", kind=UnitKind.DEPARTMENT)
    b_unit = Unit.objects.get(name=B1_UNIT)
    today = timezone.localdate()
    year = today.year
    _led(
        d, "supervisor", Programme.objects.create(name="民心工程", year=year), bureau, on_plan=True
    )
    b_programme = Programme.objects.create(name="B1区民心工程", year=year, jurisdiction=b)
    _led(d, "b_supervisor", b_programme, bureau, on_plan=False)
    _graded(d, "supervisor", {bureau.pk: 8, d.departments[0].pk: 9})
    _graded(d, "b_supervisor", {bureau.pk: 4, b_unit.pk: 5})

    assert on_plan_by_unit(on=today, district=a3) == {bureau.pk: (1, 1)}
    assert on_plan_by_unit(on=today, district=b.pk) == {bureau.pk: (0, 1)}
    assert on_plan_by_unit(on=today) == {bureau.pk: (1, 2)}
    period = {"start": today - timedelta(days=29), "end": today}
    shares = {who: components_for(**period, district=who)[0].shares for who in (a3, b.pk, None)}
    assert shares[a3] == {bureau.pk: 0.8, d.departments[0].pk: 0.9}
    assert shares[b.pk] == {bureau.pk: 0.4, b_unit.pk: 0.5}
    assert shares[None] == {bureau.pk: 0.6, d.departments[0].pk: 0.9, b_unit.pk: 0.5}

    cards = {
        who: {r.unit_id: r for r in scorecard_for(**period, district=who)}
        for who in (a3, b.pk, None)
    }
    # Each district's card: the bureau on that district's project and grade only.
    assert (cards[a3][bureau.pk].projects, cards[a3][bureau.pk].extras) == ((1, 1), {"panels": 0.8})
    assert (cards[b.pk][bureau.pk].projects, cards[b.pk][bureau.pk].extras) == (
        (0, 1),
        {"panels": 0.4},
    )
    assert b_unit.pk not in cards[a3] and d.departments[0].pk not in cards[b.pk]
    assert cards[b.pk][b_unit.pk].extras == {"panels": 0.5}
    # The city's: every district's.
    assert (cards[None][bureau.pk].projects, cards[None][bureau.pk].extras) == (
        (1, 2),
        {"panels": 0.6},
    )
