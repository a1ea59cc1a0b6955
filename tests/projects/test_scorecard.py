"""The projects' component of the units' scorecards: a unit leading a project behind plan
scores lower than one leading a project on plan, and the page shows the figure."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from minxin.metrics.scorecards import scorecard_for
from minxin.projects.selectors import on_plan_by_unit
from minxin.projects.services import ProgressDraft, progress_report, project_act
from minxin.projects.tasks import raise_project_warnings_task
from tests.projects.builders import programme_new, project_new


def _start(d, project):
    project_act(
        project_id=project.pk, action="start", actor=d.user("supervisor"), expected_version=None
    )


def test_projects_on_plan_count_on_the_lead_units_scorecard(client, district):
    programme = programme_new()
    behind = project_new(district, programme)  # street 0 leads, half the time gone, nothing done
    on_plan = project_new(district, programme, lead_unit_id=district.street_units[1].pk)
    for project in (behind, on_plan):
        _start(district, project)
    for target in on_plan.targets.all():
        progress_report(
            actor=district.user("supervisor"),
            draft=ProgressDraft(target_id=target.pk, value=target.value * Decimal("0.6")),
        )
    today = timezone.localdate()
    figures = on_plan_by_unit(on=today)
    assert figures[district.street_units[0].pk] == (0, 1)
    assert figures[district.street_units[1].pk] == (1, 1)
    rows = {r.unit_id: r for r in scorecard_for(start=today - timedelta(days=6), end=today)}
    assert rows[district.street_units[0].pk].score == 0.0
    assert rows[district.street_units[1].pk].score == 100.0
    assert rows[district.street_units[1].pk].rank == 1
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("metrics:scorecards")).content.decode()
    assert "民心工程按计划" in html


def test_the_warning_task_warns_once(district):
    project = project_new(district)
    _start(district, project)
    # Behind plan, and its first milestone (意见征询) past its planned end.
    assert raise_project_warnings_task.call(reschedule=False) == 2
    assert raise_project_warnings_task.call(reschedule=False) == 0
    assert sorted(project.warnings.values_list("kind", flat=True)) == ["behind", "milestone"]
