"""The public pages of 民心工程 (/projects/), held to the board's tests: only public projects of
public programmes, past the candidates' stage, on every URL (else 404); user text escaped;
posts need their CSRF token; code sending rate-limited; the rating flow on the phone (phone →
code → verdict → receipt), a rating refused without a confirmed phone or a second time (4xx,
nothing written), and no personal data on any page."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from minxin.notify.models import PhoneCode
from minxin.notify.sms import MemorySmsBackend
from minxin.projects.models import (
    ProgressPhoto,
    Project,
    ProjectPoint,
    ProjectRating,
    RatingRound,
)
from minxin.projects.services import ProgressDraft, progress_report
from tests.projects.builders import programme_new, project_new
from tests.uploads import png_upload

from .ratings import PHONES, act, project_at

LIST = reverse("public_projects:project_list")
PHONE = PHONES[0]


@pytest.fixture(autouse=True)
def _public(public_pages):
    """The public pages' settings (tests/conftest.py), and SMS kept in memory."""
    MemorySmsBackend.outbox = []
    with override_settings(MINXIN_SMS_BACKEND="minxin.notify.sms.MemorySmsBackend"):
        yield


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Post the phone for a code; the SMS goes out once the transaction commits."""

    def post(client: Client, project: Project, phone: str = PHONE):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url("code_send", project), {"phone": phone})

    return post


def url(name: str, project: Project, *args: int) -> str:
    return reverse(f"public_projects:{name}", args=[project.pk, *args])


def photo_of(d, project: Project) -> ProgressPhoto:
    target = project.targets.order_by("position").first()
    draft = ProgressDraft(target_id=target.pk, value=Decimal(3), photos=[png_upload()])
    report = progress_report(actor=d.user("handler"), draft=draft)
    return report.photos.get()


def last_code() -> str:
    _, text = MemorySmsBackend.outbox[-1]
    return "".join(ch for ch in text.split("，")[0] if ch.isdigit())


def rate_form(client: Client, project: Project, **values: str) -> dict[str, str]:
    page = client.get(url("rate", project))
    return {"submission_key": page.context["submission_key"], "verdict": "satisfied", **values}


def confirmed_rating(ask, client: Client, project: Project, phone: str = PHONE, **values: str):
    """The whole flow on the phone: the code asked for, then typed with the verdict."""
    assert ask(client, project, phone).status_code == 200
    form = rate_form(client, project, phone=phone, code=last_code(), **values)
    return client.post(url("rate", project), form)


# --- what is shown, and to whom -------------------------------------------------------------


def test_the_list_shows_only_public_projects_of_public_programmes(client, district):
    programme = programme_new()
    shown = project_new(district, programme, name="公开的电梯项目")
    project_new(district, programme, name="候选的项目", planned=False)
    hidden = project_new(district, programme, name="不公开的项目")
    Project.objects.filter(pk=hidden.pk).update(is_public=False)
    project_new(district, programme_new(name="内部计划", is_public=False), name="内部计划的项目")

    page = client.get(LIST).content.decode()

    assert "公开的电梯项目" in page and url("project_detail", shown) in page
    assert "候选的项目" not in page and "不公开的项目" not in page
    assert "内部计划" not in page


def test_hidden_candidate_and_missing_projects_are_404_on_every_public_url(client, district):
    candidate = project_new(district, name="候选的项目", planned=False)
    hidden = project_at(district, "completed", name="不公开的项目")
    photo = photo_of(district, hidden)
    Project.objects.filter(pk=hidden.pk).update(is_public=False)
    in_private = project_at(district, "completed", programme=programme_new(is_public=False))
    for project in (candidate, hidden, in_private):
        for name in ("project_detail", "rate", "rate_receipt"):
            response = client.get(url(name, project))
            assert response.status_code == 404, name
            assert project.name not in response.content.decode()
        assert client.get(url("project_photo", project, photo.pk)).status_code == 404
        assert client.post(url("code_send", project), {"phone": PHONE}).status_code == 404
        assert client.post(url("rate", project), {"verdict": "satisfied"}).status_code == 404
    missing = reverse("public_projects:project_detail", args=[999999])
    assert client.get(missing).status_code == 404
    assert not PhoneCode.objects.exists() and not ProjectRating.objects.exists()
    assert MemorySmsBackend.outbox == []


def test_a_photo_of_another_project_is_404(client, district):
    project = project_at(district, "in_progress")
    other = project_at(district, "in_progress", name="另一个项目")
    photo = photo_of(district, other)
    assert client.get(url("project_photo", project, photo.pk)).status_code == 404
    assert client.get(url("project_photo", other, photo.pk)).status_code == 200


def test_the_project_page_shows_targets_milestones_and_photos_without_media_urls(client, district):
    project = project_at(district, "in_progress")
    photo = photo_of(district, project)

    response = client.get(url("project_detail", project))
    page = response.content.decode()

    assert response.status_code == 200
    assert "加装电梯：完成 3 / 目标 12 台" in page and "25.0%" in page
    assert "意见征询" in page and "施工安装" in page
    assert url("project_photo", project, photo.pk) in page
    assert photo.image.name not in page and "/media/" not in page
    image = client.get(url("project_photo", project, photo.pk))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    # Not completed: no rating form, no code to ask for.
    assert 'data-step="phone"' not in page and "项目完工后" in page
    assert client.get(url("rate", project)).status_code == 400
    assert client.post(url("code_send", project), {"phone": PHONE}).status_code == 400
    assert MemorySmsBackend.outbox == []


def points_at(project: Project, *names: str) -> None:
    for n, name in enumerate(names):
        ProjectPoint.objects.create(
            project=project,
            latitude=Decimal("28.205100") + n,
            longitude=Decimal("112.901200"),
            name=name,
            position=n,
        )


def test_the_project_page_names_its_points_without_coordinates_or_personal_data(client, district):
    """Issue 12: the project's points (ProjectPoint) by their place names, as on the staff
    page, but masked by the public rule for places (a building kept, a home, a name and a phone
    not) and without coordinates; a point without a name counted; text escaped."""
    project = project_at(district, "in_progress")
    points_at(
        project,
        "景蓉小区3栋",
        "景蓉小区7栋2单元",
        "王建国先生家（3栋501室），电话13912345678",
        "<script>alert(1)</script>东门",
        "",
    )
    response = client.get(url("project_detail", project))
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index("<dd data-points>")
    places = page[start : page.index("</dd>", start)]
    assert places == (
        "<dd data-points>景蓉小区3栋、景蓉小区7栋2单元、王**先生家（*栋***室），电话139******78、"
        "&lt;script&gt;alert(1)&lt;/script&gt;东门，另有 1 处"
    )
    for leak in ("13912345678", "王建国", "501", "<script>alert(1)", "28.2051", "112.9012"):
        assert leak not in page, leak


def test_a_page_without_points_has_no_place_line_and_hidden_points_stay_hidden(client, district):
    plain = project_at(district, "in_progress")
    assert "data-points" not in client.get(url("project_detail", plain)).content.decode()
    nameless = project_at(district, "in_progress", name="无名点位的项目")
    points_at(nameless, "", "")
    page = client.get(url("project_detail", nameless)).content.decode()
    assert "<dd data-points>，" not in page and "共 2 处" in page
    hidden = project_at(district, "in_progress", name="不公开的项目")
    points_at(hidden, "保密的地点")
    Project.objects.filter(pk=hidden.pk).update(is_public=False)
    candidate = project_new(district, name="候选的项目", planned=False)
    points_at(candidate, "候选的地点")
    for project in (hidden, candidate):
        response = client.get(url("project_detail", project))
        assert response.status_code == 404
        assert "的地点" not in response.content.decode()
    assert "的地点" not in client.get(LIST).content.decode()


def test_no_personal_data_in_the_summary(client, district):
    project = project_at(district, "planned", summary="联系人：王建国，电话13912345678")
    page = client.get(url("project_detail", project)).content.decode()
    assert "13912345678" not in page and "王建国" not in page and "王**" in page


def test_user_text_is_escaped(client, district):
    script = "<script>alert(1)</script>"
    project = project_at(
        district,
        "completed",
        name=f"电梯{script}",
        summary=f'内容<img src=x onerror="alert(2)">{script}',
    )
    for page_url in (LIST, url("project_detail", project), url("rate", project)):
        page = client.get(page_url).content.decode()
        assert script not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    # What was typed comes back escaped when the form is refused.
    response = client.post(
        url("rate", project), {"verdict": "satisfied", "comment": script, "phone": script}
    )
    page = response.content.decode()
    assert response.status_code == 400 and script not in page and "&lt;script&gt;" in page


def test_the_list_filters_and_paginates(client, district):
    programme = programme_new()
    for n in range(12):
        project_new(district, programme, name=f"项目{n:02d}")
    breakfast = project_new(district, programme, name="早餐网点", kind="breakfast")
    act(district, breakfast, "start")

    first = client.get(LIST)
    assert len(first.context["rows"]) == 10 and first.context["page"].has_next()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 3
    by_kind = client.get(LIST, {"kind": "breakfast"}).context["rows"]
    assert [r.project.name for r in by_kind] == ["早餐网点"]
    by_status = client.get(LIST, {"status": "in_progress"}).context["rows"]
    assert [r.project.name for r in by_status] == ["早餐网点"]
    # Unknown filters are ignored; a candidate is not a status one may ask for.
    odd = {"status": "candidate", "kind": "x", "programme": "y"}
    assert client.get(LIST, odd).status_code == 200
    assert len(client.get(LIST, {"status": "candidate"}).context["rows"]) == 10


# --- posts: CSRF and rate limits ------------------------------------------------------------


def test_posts_need_their_csrf_token(district):
    project = project_at(district, "completed")
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("code_send", project), {"phone": PHONE}).status_code == 403
    assert client.post(url("rate", project), {"verdict": "satisfied"}).status_code == 403
    assert not PhoneCode.objects.exists() and not ProjectRating.objects.exists()


def test_code_sending_is_rate_limited_per_address(client, district, settings, rate_limits):
    project = project_at(district, "completed")
    statuses = [
        client.post(url("code_send", project), {"phone": PHONES[n]}).status_code for n in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    blocked = client.post(url("code_send", project), {"phone": PHONE})
    assert "提交过于频繁" in blocked.content.decode()
    assert PhoneCode.objects.count() == 10


def test_code_sending_is_limited_per_phone(client, district, ask):
    project = project_at(district, "completed")
    assert ask(client, project).status_code == 200
    again = ask(client, project)
    assert again.status_code == 429 and "秒后再重新获取" in again.content.decode()
    # The form to type the code in is still there.
    assert 'name="code"' in again.content.decode()
    assert len(MemorySmsBackend.outbox) == 1


def test_a_bad_phone_is_refused_with_its_message(client, district):
    project = project_at(district, "completed")
    response = client.post(url("code_send", project), {"phone": "12345"})
    assert response.status_code == 400 and "正确的11位手机号" in response.content.decode()
    assert not PhoneCode.objects.exists()


# --- the rating flow ------------------------------------------------------------------------


def test_a_resident_rates_on_the_phone_and_gets_a_receipt(client, district, ask):
    project = project_at(district, "completed")
    detail = client.get(url("project_detail", project)).content.decode()
    assert 'data-step="phone"' in detail

    sent = ask(client, project)
    page = sent.content.decode()
    assert sent.status_code == 200 and "139****0000" in page and 'name="code"' in page
    assert MemorySmsBackend.outbox[-1][0] == PHONE
    form = rate_form(client, project, phone=PHONE, code=last_code(), comment="很好")
    response = client.post(url("rate", project), form)

    assert response.status_code == 302 and response["Location"] == url("rate_receipt", project)
    rating = ProjectRating.objects.get()
    assert rating.round == RatingRound.COMPLETION and rating.verdict == "satisfied"
    assert PHONE not in rating.phone_hash
    receipt = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in receipt and "完工评价" in receipt and "满意" in receipt
    after = client.get(url("project_detail", project)).content.decode()
    assert PHONE not in receipt and PHONE not in after and "139****0000" not in after
    assert "1 人评价" in after and "满意率 <strong data-rate>100.0%" in after
    assert "您已评价过该项目" in after


def test_a_resubmitted_rating_finds_its_receipt(client, district, ask):
    project = project_at(district, "completed")
    ask(client, project)
    form = rate_form(client, project, phone=PHONE, code=last_code())
    first = client.post(url("rate", project), form)
    again = client.post(url("rate", project), form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == url("rate_receipt", project)
    assert ProjectRating.objects.count() == 1


def test_a_second_rating_from_the_same_phone_is_refused(client, district, ask):
    project = project_at(district, "completed")
    assert confirmed_rating(ask, client, project).status_code == 302
    # The same browser, a new form: the phone is still confirmed in the session.
    response = client.post(url("rate", project), rate_form(client, project, verdict="dissatisfied"))
    assert response.status_code == 409 and "您已评价过该项目" in response.content.decode()
    # Another browser, the same phone, a new code.
    other = Client()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        refused = confirmed_rating(ask, other, project)
    assert refused.status_code == 409
    assert list(ProjectRating.objects.values_list("verdict", flat=True)) == ["satisfied"]


def test_rating_without_a_confirmed_phone_is_refused(client, district, ask):
    project = project_at(district, "completed")
    response = client.post(url("rate", project), rate_form(client, project))
    assert response.status_code == 400 and "请先获取短信验证码" in response.content.decode()
    ask(client, project)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(url("rate", project), rate_form(client, project, phone=PHONE, code=wrong))
    assert refused.status_code == 400 and "验证码不正确" in refused.content.decode()
    # A code for another phone confirms nothing.
    form = rate_form(client, project, phone=PHONES[1], code=code)
    other = client.post(url("rate", project), form)
    assert other.status_code == 400
    assert not ProjectRating.objects.exists()


def test_a_refused_rating_keeps_what_was_typed(client, district, ask):
    project = project_at(district, "completed")
    ask(client, project)
    form = rate_form(client, project, phone=PHONE, code=last_code(), comment="电梯很好")
    form["verdict"] = ""
    response = client.post(url("rate", project), form)
    page = response.content.decode()
    assert response.status_code == 400 and "请选择满意" in page and "电梯很好" in page
    # The code was right: the phone is confirmed, no new code is needed.
    assert 'name="code"' not in page
    form = rate_form(client, project, comment="电梯很好")
    assert client.post(url("rate", project), form).status_code == 302
    assert ProjectRating.objects.get().comment == "电梯很好"


def test_the_revisit_round_on_the_page(client, district, ask):
    project = project_at(district, "accepted")
    assert confirmed_rating(ask, client, project).status_code == 302
    act(district, project, "revisit")
    page = client.get(url("project_detail", project)).content.decode()
    assert "回头看" in page and 'data-round="revisit"' in page
    # The phone confirmed a moment ago rates again in the new round.
    response = client.post(url("rate", project), rate_form(client, project, verdict="dissatisfied"))
    assert response.status_code == 302
    assert sorted(ProjectRating.objects.values_list("round", flat=True)) == [
        RatingRound.COMPLETION,
        RatingRound.REVISIT,
    ]


def test_the_citizen_home_links_to_the_projects(client, district):
    assert LIST in client.get(reverse("citizen:home")).content.decode()


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(client, district, ask):
    programme = programme_new()
    for n in range(3):
        project_new(district, programme, name=f"项目{n}")
    project = project_at(district, "completed", programme=programme)
    assert confirmed_rating(ask, client, project).status_code == 302
    client.get(LIST)  # the session is loaded and saved once
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(3, 10):
        project_new(district, programme, name=f"项目{n}")
    with CaptureQueriesContext(connection) as more:
        page = client.get(LIST)
    assert len(more) == len(few) and len(page.context["rows"]) == 10
    assert "完工评价：1 人评价，满意率 100.0%" in page.content.decode()


def test_a_rated_phone_without_milestones_to_rate_sees_no_form(client, district, ask):
    project = project_at(district, "completed")
    assert confirmed_rating(ask, client, project).status_code == 302
    page = client.get(url("rate", project)).content.decode()
    assert "您已评价过该项目" in page and 'name="verdict"' not in page
