"""The progress reports' evidence on the staff's project page: every report with its unit,
reporter, values, note, place and photos, for whoever sees the project, public or not; the
photos served only to them (another project's photo, or another unit's project, is 404).
A report's place: one of the project's places (or below), and/or the phone's position;
anything else refused with its reason, nothing written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from minxin.projects.models import ProgressReport, Project
from minxin.projects.selectors import REPORTS_SHOWN
from minxin.projects.services import ProgressDraft, progress_report, project_act
from tests.builders import District
from tests.projects.builders import project_new
from tests.uploads import png_upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def started(d: District, **overrides: object) -> Project:
    project = project_new(d, **overrides)
    return project_act(
        project_id=project.pk, action="start", actor=d.user("handler"), expected_version=None
    )


def report(d: District, project: Project, value: int, who: str = "handler", **extra: object):
    target = project.targets.order_by("position").first()
    draft = ProgressDraft(target_id=target.pk, value=Decimal(value), **extra)  # type: ignore[arg-type]
    return progress_report(actor=d.user(who), draft=draft)


def page_of(client, d: District, who: str, project: Project):
    client.force_login(d.user(who))
    return client.get(reverse("projects:project_detail", args=[project.pk]))


def test_the_office_sees_a_hidden_projects_reports_with_their_photos(client, district):
    project = started(district, is_public=False)
    first = report(district, project, 3, note="3栋电梯已安装", photos=[png_upload()])
    report(district, project, 2, correction_reason="重复统计了一台")
    photo = first.photos.get()

    response = page_of(client, district, "supervisor", project)
    html = response.content.decode()

    assert response.status_code == 200
    assert f'data-report="{first.pk}"' in html and "3栋电梯已安装" in html
    assert "3 → <strong>2</strong> 台" in html and "更正" in html
    photo_url = reverse("projects:report_photo", args=[project.pk, photo.pk])
    assert photo_url in html and photo.image.name not in html and "/media/" not in html
    image = client.get(photo_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_a_photo_is_served_only_with_its_own_project_to_those_who_see_it(client, district):
    project = started(district)
    other = started(district, name="另一个项目")
    photo = report(district, other, 1, photos=[png_upload()]).photos.get()

    client.force_login(district.user("supervisor"))
    wrong = reverse("projects:report_photo", args=[project.pk, photo.pk])
    assert client.get(wrong).status_code == 404
    right = reverse("projects:report_photo", args=[other.pk, photo.pk])
    assert client.get(right).status_code == 200
    client.force_login(district.user("handler_other"))  # another street: not its project
    assert client.get(right).status_code == 404
    client.logout()
    assert client.get(right).status_code == 302  # to the login


def test_the_page_shows_the_latest_reports_and_links_to_all_of_them(client, district):
    project = started(district)
    reports = [report(district, project, value) for value in range(1, REPORTS_SHOWN + 3)]

    html = page_of(client, district, "handler", project).content.decode()
    assert html.count("data-report=") == REPORTS_SHOWN
    assert f'data-report="{reports[-1].pk}"' in html  # newest first
    assert f'data-report="{reports[1].pk}"' not in html
    every = reverse("projects:progress_reports", args=[project.pk])
    assert every in html

    listing = client.get(every)
    assert listing.status_code == 200
    assert listing.content.decode().count("data-report=") == REPORTS_SHOWN + 2
    client.force_login(district.user("handler_other"))
    assert client.get(every).status_code == 404


def test_a_note_is_escaped(client, district):
    project = started(district)
    report(district, project, 1, note="<script>alert(1)</script>")
    html = page_of(client, district, "supervisor", project).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_reports_take_a_fixed_number_of_queries(
    client, district, django_assert_max_num_queries
):
    project = started(district)
    report(district, project, 1, photos=[png_upload()])
    client.force_login(district.user("supervisor"))
    url = reverse("projects:project_detail", args=[project.pk])
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for value in range(2, 8):
        report(district, project, value, photos=[png_upload()], who="supervisor")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- a report's place --------------------------------------------------------------------


def post_report(client, d: District, project: Project, **fields: str):
    client.force_login(d.user("handler"))
    target = project.targets.order_by("position").first()
    url = reverse("projects:progress_report", args=[project.pk])
    return client.post(url, {"target": target.pk, "value": "3", **fields})


def test_a_report_is_placed_in_a_community_of_the_project_and_by_the_phone(client, district):
    street, community = district.streets[0], district.communities[0]
    project = started(district, region_ids=(street.pk,))

    form = page_of(client, district, "handler", project).content.decode()
    # The project's street and the communities under it; not the other street's.
    assert f'<option value="{community.pk}">' in form and f'<option value="{street.pk}">' in form
    assert f'<option value="{district.communities[1].pk}">' not in form
    response = post_report(
        client, district, project, region=str(community.pk), latitude="28.2051", longitude=" 112.9 "
    )

    assert response.status_code == 302
    saved = ProgressReport.objects.get()
    assert saved.region == community
    assert (saved.latitude, saved.longitude) == (Decimal("28.205100"), Decimal("112.900000"))
    html = page_of(client, district, "supervisor", project).content.decode()
    assert "地点：景蓉社区（28.20510, 112.90000）" in html


def test_the_unit_page_offers_each_projects_places(client, district):
    project = started(district, region_ids=(district.communities[0].pk,))
    started(district, name="银杉社区加装电梯", region_ids=(district.communities[1].pk,))
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:unit_projects")).content.decode()
    mine = html[html.index(f'data-project="{project.pk}"') :]
    mine = mine[: mine.index("</section>")]
    assert "景蓉社区" in mine and "银杉社区" not in mine


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"region": "other"}, "所选地点不在项目的实施区域内"),
        ({"region": "999999"}, "所选地点不存在"),
        ({"latitude": "28.2"}, "经度和纬度须同时填写"),
        ({"latitude": "128.2", "longitude": "112.9"}, "纬度超出范围"),
        ({"latitude": "28.2", "longitude": "东经112"}, "经度应为数字"),
        ({"latitude": "NaN", "longitude": "112.9"}, "纬度超出范围"),
    ],
)
def test_a_bad_place_is_refused_with_its_reason_and_nothing_written(
    client, district, fields, message
):
    project = started(district, region_ids=(district.communities[0].pk,))
    if fields.get("region") == "other":
        fields = {"region": str(district.communities[1].pk)}
    response = post_report(client, district, project, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()
    target = project.targets.order_by("position").first()
    target.refresh_from_db()
    assert target.achieved == 0
