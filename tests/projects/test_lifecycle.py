"""A project's life through its services: planned backwards, started, reported on (and
corrected, never silently), behind plan → warned → ordered, milestones done, completed,
accepted, re-visited; every step one event, bad input refused with nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.notify.models import Notification
from minxin.projects import services
from minxin.projects.models import (
    Milestone,
    ProgressReport,
    Project,
    ProjectEvent,
    ProjectWarning,
    ResponsibilityLetter,
    Target,
)
from minxin.projects.schedule import Step, backward_plan, project_progress, time_share
from minxin.projects.services import ProgressDraft, TargetDraft, progress_report, project_act
from minxin.projects.workflow import ProjectStatus
from minxin.supervision.models import SupervisionOrder
from tests.builders import appeal_new
from tests.projects.builders import day, draft_new, programme_new, project_new
from tests.uploads import png_upload


def _act(d, project, action, who="supervisor", reason="说明"):
    return project_act(
        project_id=project.pk,
        action=action,
        actor=d.user(who),
        expected_version=None,
        reason=reason,
    )


def _report(d, target, value, who="handler", **extra):
    draft = ProgressDraft(target_id=target.pk, value=Decimal(value), **extra)
    return progress_report(actor=d.user(who), draft=draft)


def _events(project):
    return list(
        ProjectEvent.objects.filter(project=project).order_by("pk").values_list("action", flat=True)
    )


def test_backward_plan_lays_milestones_from_the_end():
    end = day(100)
    plan = backward_plan(end, [Step(30), Step(40), Step(31)])
    assert plan[-1][1] == end
    assert plan[-1][0] == end - timedelta(days=30)
    assert plan[1][1] == plan[2][0] - timedelta(days=1)
    assert (plan[0][1] - plan[0][0]).days == 29


def test_progress_caps_each_target_so_overshoot_hides_nothing():
    assert project_progress([(Decimal(150), Decimal(100)), (Decimal(0), Decimal(10))]) == 50.0
    assert time_share(day(-10), day(10), day(0)) == 50.0


def test_a_project_is_planned_with_its_targets_and_milestones(district):
    project = project_new(district)
    assert project.status == ProjectStatus.PLANNED
    assert _events(project) == ["create", "adopt"]
    milestones = list(project.milestones.order_by("position"))
    assert milestones[-1].planned_end == project.end_date
    assert [m.duration_days for m in milestones] == [30, 40, 100]
    assert Target.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"name": "  "}, "请填写项目名称"),
        ({"end_date": day(-200)}, "计划完成日期不能早于计划开工日期"),
        (
            {"targets": (TargetDraft(name="电梯", value=Decimal(-1), measure="台", unit_id=None),)},
            "目标值应大于0",
        ),
        (
            {"targets": (TargetDraft(name="电梯", value=Decimal(5), measure="", unit_id=None),)},
            "计量单位",
        ),
        ({"lead_unit_id": 99999}, "所选单位不存在"),
    ],
)
def test_a_bad_project_is_refused_and_nothing_is_written(district, override, message):
    programme = programme_new()
    with pytest.raises(ValidationFailed, match=message):
        services.project_create(
            actor=district.user("supervisor"), draft=draft_new(district, programme, **override)
        )
    assert not Project.objects.exists()


def test_milestones_that_do_not_fit_before_the_end_are_refused(district):
    programme = programme_new()
    draft = draft_new(district, programme, start_date=day(-10), end_date=day(20))
    with pytest.raises(ValidationFailed, match="倒排工期"):
        services.project_create(actor=district.user("supervisor"), draft=draft)
    assert not Project.objects.exists() and not Milestone.objects.exists()


def test_only_the_office_enters_projects(district):
    programme = programme_new()
    with pytest.raises(PermissionDenied):
        services.project_create(
            actor=district.user("handler"), draft=draft_new(district, programme)
        )


def test_the_whole_life_of_a_project(district, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    project = project_new(district)
    lifts, homes = project.targets.order_by("position")
    _act(district, project, "start", who="handler")
    # The lead unit reports; the assisting department reports its own target.
    _report(district, lifts, 3, note="3台已完工", photos=[png_upload()])
    _report(district, homes, 60, who="handler_dept")
    project.refresh_from_db()
    assert project.progress == round((25.0 + 20.0) / 2, 1)
    # A lower cumulative value is a correction: refused without a reason...
    with pytest.raises(ValidationFailed, match="更正原因"):
        _report(district, lifts, 2)
    # ...recorded with one.
    report = _report(district, lifts, 2, correction_reason="重复统计了一台")
    assert report.is_correction and report.previous == 3
    lifts.refresh_from_db()
    assert lifts.achieved == 2
    # Another unit is not told the project exists.
    with pytest.raises(NotFound):
        _report(district, lifts, 5, who="handler_other")
    # The department may not report on the lead unit's target.
    with pytest.raises(PermissionDenied):
        _report(district, lifts, 5, who="handler_dept")
    # Behind plan (about 50 % of the time gone, 18 % done): warned once this week.
    assert services.project_warnings_raise() >= 1
    assert services.project_warnings_raise() == 0
    warning = ProjectWarning.objects.get(project=project, kind="behind")
    assert warning.time_share > 40
    assert Notification.objects.filter(
        kind="project_warning", recipient=district.user("handler")
    ).exists()
    assert Notification.objects.filter(
        kind="project_warning", recipient=district.user("supervisor")
    ).exists()
    # The office orders the lead unit.
    order = services.project_order_issue(
        actor=district.user("supervisor"),
        project_id=project.pk,
        content="请加快进度",
        due_at=timezone.now() + timedelta(days=3),
    )
    assert order.unit_id == project.lead_unit_id
    assert order.about_link == f"/console/projects/{project.pk}/"
    for milestone in project.milestones.all():
        services.milestone_done(
            actor=district.user("handler"),
            project_id=project.pk,
            milestone_id=milestone.pk,
            done_on=timezone.localdate(),
        )
    _report(district, lifts, 12)
    _report(district, homes, 320, who="handler_dept")  # over 100 % is allowed
    project.refresh_from_db()
    assert project.progress == 100.0
    _act(district, project, "complete", who="handler", reason="全部完工")
    with pytest.raises(PermissionDenied):
        _act(district, project, "accept", who="handler")
    _act(district, project, "send_back", reason="一台电梯未通过检测")
    _act(district, project, "complete", who="handler", reason="整改完成")
    _act(district, project, "accept", reason="验收合格")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and project.accepted_at
    with pytest.raises(IllegalTransition):
        _report(district, lifts, 13)
    _act(district, project, "revisit", reason="完工半年回头看")
    project.refresh_from_db()
    assert project.revisit_at is not None
    events = _events(project)
    assert events[:3] == ["create", "adopt", "start"]
    assert events.count("report") == 4 and events.count("correct") == 1
    assert "warn" in events and events.count("milestone_done") == 3
    assert events[-4:] == ["send_back", "complete", "accept", "revisit"]
    assert SupervisionOrder.objects.filter(about_link=order.about_link).count() == 1
    assert ProgressReport.objects.filter(project=project).count() == 5


def test_a_negative_or_absurd_value_is_refused(district):
    with pytest.raises(ValidationFailed, match="不能为负数"):
        services.value_clean("-3")
    with pytest.raises(ValidationFailed, match="应为数字"):
        services.value_clean("三台")
    assert services.value_clean("1,200.5") == Decimal("1200.50")


def test_replanning_moves_the_open_milestones_and_keeps_the_old_plan(district):
    project = project_new(district)
    first = project.milestones.order_by("position").first()
    services.milestone_done(
        actor=district.user("supervisor"),
        project_id=project.pk,
        milestone_id=first.pk,
        done_on=day(0),
    ) if project.status == ProjectStatus.IN_PROGRESS else None
    old_end = project.end_date
    services.project_replan(
        actor=district.user("supervisor"),
        project_id=project.pk,
        end_date=old_end + timedelta(days=30),
        reason="施工许可延后",
        expected_version=project.version,
    )
    last = project.milestones.order_by("position").last()
    assert last.planned_end == old_end + timedelta(days=30)
    event = ProjectEvent.objects.filter(project=project, action="replan").get()
    assert event.payload["before"]["end_date"] == str(old_end)
    assert len(event.payload["before"]["milestones"]) == 3


def test_a_letter_is_signed_once_per_unit_with_a_real_scan(district, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    project = project_new(district)
    targets = list(project.targets.values_list("pk", flat=True))
    fake = SimpleUploadedFile("letter.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        services.letter_sign(
            actor=district.user("supervisor"),
            project_id=project.pk,
            unit_id=project.lead_unit_id,
            target_ids=targets,
            signatories="张三",
            signed_on=day(0),
            scan=fake,
        )
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    letter = services.letter_sign(
        actor=district.user("supervisor"),
        project_id=project.pk,
        unit_id=project.lead_unit_id,
        target_ids=targets,
        signatories="张三",
        signed_on=day(0),
        scan=pdf,
    )
    assert letter.scan_type == "application/pdf"
    with pytest.raises(ValidationFailed, match="已录入"):
        services.letter_sign(
            actor=district.user("supervisor"),
            project_id=project.pk,
            unit_id=project.lead_unit_id,
            target_ids=targets,
            signatories="张三",
            signed_on=day(0),
        )
    with pytest.raises(ValidationFailed, match="牵头或配合"):
        services.letter_sign(
            actor=district.user("supervisor"),
            project_id=project.pk,
            unit_id=district.street_units[1].pk,
            target_ids=targets,
            signatories="李四",
            signed_on=day(0),
        )
    assert ResponsibilityLetter.objects.count() == 1


def test_appeals_are_linked_once_and_a_hotspot_becomes_a_candidate(district):
    project = project_new(district)
    appeal = appeal_new(
        district, title="景蓉小区加装电梯进度太慢", region_id=district.communities[0].pk
    )
    assert (
        services.appeal_link(
            actor=district.user("dispatcher"), project_id=project.pk, appeal_ids=[appeal.pk]
        )
        == 1
    )
    assert (
        services.appeal_link(
            actor=district.user("dispatcher"), project_id=project.pk, appeal_ids=[appeal.pk]
        )
        == 0
    )
    with pytest.raises(PermissionDenied):
        services.appeal_link(
            actor=district.user("handler"), project_id=project.pk, appeal_ids=[appeal.pk]
        )
    candidate = services.project_from_hotspot(
        actor=district.user("supervisor"),
        draft=draft_new(district, project.programme, name="银杉社区停车难"),
        appeal_id=appeal.pk,
    )
    assert candidate.status == ProjectStatus.CANDIDATE
    assert candidate.origin == "hotspot" and appeal.tracking_number in candidate.origin_note
    assert candidate.appeal_links.get().appeal_id == appeal.pk
