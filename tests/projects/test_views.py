"""The staff's project screens, role by role: who sees which page, what a refused post
answers (its 4xx and message, nothing written), and the forms that drive the services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases.services import appeal_merge
from minxin.projects.models import ProgressReport, Project, ProjectAppeal
from minxin.projects.services import project_act
from tests.builders import appeal_new
from tests.projects.builders import day, programme_new, project_new


def _login(client, district, key):
    client.force_login(district.user(key))
    return client


@pytest.fixture
def project(district):
    return project_new(district)


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("supervisor", 200),
        ("leader", 200),
        ("dispatcher", 200),
        ("handler", 200),  # the lead unit
        ("handler_dept", 200),  # an assisting unit
        ("handler_other", 404),  # another street: as good as missing
    ],
)
def test_who_sees_a_project(client, district, project, key, status):
    _login(client, district, key)
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert response.status_code == status
    if status == 200:
        assert project.name in response.content.decode()


def test_the_programme_page_lists_behind_plan_first(client, district, project):
    second = project_new(district, project.programme, name="桂花坪早餐网点", kind="breakfast")
    project_act(
        project_id=project.pk,
        action="start",
        actor=district.user("supervisor"),
        expected_version=None,
    )
    _login(client, district, "supervisor")
    response = client.get(reverse("projects:programme_detail", args=[project.programme_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(project.name) < html.index(second.name)  # started, 0 % at half time
    assert "落后于计划" in html and "加装电梯" in html


def test_a_unit_reports_progress_from_its_phone_page(client, district, project):
    project_act(
        project_id=project.pk, action="start", actor=district.user("handler"), expected_version=None
    )
    lifts = project.targets.order_by("position").first()
    _login(client, district, "handler")
    page = client.get(reverse("projects:unit_projects"))
    assert lifts.name in page.content.decode()
    url = reverse("projects:progress_report", args=[project.pk])
    response = client.post(url, {"target": lifts.pk, "value": "4", "back": "mine"})
    assert response.status_code == 302
    lifts.refresh_from_db()
    assert lifts.achieved == Decimal(4)
    # A lower value without a reason: the page says why, nothing is written.
    response = client.post(url, {"target": lifts.pk, "value": "1"})
    assert response.status_code == 400
    assert "更正原因" in response.content.decode()
    assert ProgressReport.objects.count() == 1


def test_another_unit_cannot_post_to_a_project(client, district, project):
    project_act(
        project_id=project.pk, action="start", actor=district.user("handler"), expected_version=None
    )
    lifts = project.targets.first()
    _login(client, district, "handler_other")
    response = client.post(
        reverse("projects:progress_report", args=[project.pk]), {"target": lifts.pk, "value": "4"}
    )
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


def test_a_stale_step_is_refused(client, district, project):
    _login(client, district, "supervisor")
    url = reverse("projects:project_act", args=[project.pk])
    response = client.post(url, {"action": "start", "version": project.version - 1})
    assert response.status_code == 409
    project.refresh_from_db()
    assert project.status == "planned"


def test_a_new_project_from_the_form(client, district):
    programme = programme_new()
    _login(client, district, "supervisor")
    data = {
        "programme": programme.pk,
        "name": "银杉社区养老服务站",
        "kind": "elderly",
        "lead_unit": district.street_units[1].pk,
        "start_date": day(-10).isoformat(),
        "end_date": day(200).isoformat(),
        "is_public": "on",
        "planned": "on",
        "target_name_0": "养老服务站",
        "target_value_0": "2",
        "target_measure_0": "个",
        "milestone_name_0": "选址",
        "milestone_days_0": "30",
        "milestone_name_1": "装修",
        "milestone_days_1": "90",
    }
    response = client.post(reverse("projects:project_new"), data)
    assert response.status_code == 302
    project = Project.objects.get(name="银杉社区养老服务站")
    assert project.status == "planned" and project.milestones.count() == 2
    # The same form with a bad value: 400, the message, what was typed, nothing new.
    response = client.post(reverse("projects:project_new"), {**data, "target_value_0": "-2"})
    assert response.status_code == 400
    assert "不能为负数" in response.content.decode()
    assert "银杉社区养老服务站" in response.content.decode()
    assert Project.objects.count() == 1


def test_handlers_cannot_enter_projects(client, district):
    _login(client, district, "handler")
    assert client.get(reverse("projects:project_new")).status_code == 404


def test_a_dispatcher_links_a_suggested_appeal(client, district, project):
    appeal = appeal_new(
        district,
        title="景蓉社区加装电梯什么时候开工",
        content="景蓉小区的加装电梯项目说了很久，什么时候开工？",
        region_id=district.communities[0].pk,
    )
    _login(client, district, "dispatcher")
    page = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert appeal.tracking_number in page.content.decode()  # suggested
    response = client.post(
        reverse("projects:appeal_link", args=[project.pk]), {"appeals": [appeal.pk]}
    )
    assert response.status_code == 302
    assert ProjectAppeal.objects.filter(project=project, appeal=appeal).exists()


def test_escaping_on_the_project_page(client, district):
    project = project_new(district, name="<script>alert(1)</script>电梯")
    _login(client, district, "supervisor")
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;电梯" in html


def test_the_dashboard_turns_a_hotspot_into_a_candidate(client, district):
    first = appeal_new(district, title="望月湖小区停车位捆绑销售")
    again = appeal_new(district, title="望月湖小区强制买车位", appellant_phone="13912345678")
    appeal_merge(
        appeal_id=again.pk,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=None,
        into_tracking_number=first.tracking_number,
    )
    _login(client, district, "supervisor")
    html = client.get(reverse("metrics:dashboard")).content.decode()
    link = reverse("projects:project_new") + f"?hotspot={first.pk}"
    assert link in html.replace("&amp;", "&")
    page = client.get(link)
    assert page.status_code == 200
    assert first.tracking_number in page.content.decode()
    _login(client, district, "dispatcher")  # may not enter projects
    assert client.get(link).status_code == 404


def test_the_appeal_page_links_an_appeal_to_its_places_project(client, district, project):
    appeal = appeal_new(district, region_id=district.communities[0].pk)
    _login(client, district, "dispatcher")
    panel = client.get(reverse("projects:appeal_panel", args=[appeal.pk])).content.decode()
    assert project.name in panel and "关联到该项目" in panel
    response = client.post(
        reverse("projects:appeal_link", args=[project.pk]),
        {"appeals": [appeal.pk], "back": "appeal"},
    )
    assert response.url == reverse("cases:appeal_detail", args=[appeal.pk])
    panel = client.get(reverse("projects:appeal_panel", args=[appeal.pk])).content.decode()
    assert "本诉求关联" in panel and "关联到该项目" not in panel
    # A handler of another street does not learn the appeal exists.
    _login(client, district, "handler_other")
    assert client.get(reverse("projects:appeal_panel", args=[appeal.pk])).status_code == 404
