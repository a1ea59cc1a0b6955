"""The citizen's 补充 form on the tracking page: shown while the appeal waits on them or is in
progress, posted with CSRF, a one-time key and the version; refused with the typed text kept."""

from django.test import Client
from django.urls import reverse

from minxin.cases.models import Appeal, Supplement
from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in
from tests.uploads import fake_jpg_upload, png_upload

from .test_track import detail_url, prove

KEY = "fedcba9876543210fedcba9876543210"


def post(client, appeal: Appeal, *, key=KEY, version=None, content="是3栋2单元门口", **files):
    return client.post(
        reverse("citizen:supplement", args=[appeal.tracking_number]),
        {
            "content": content,
            "submission_key": key,
            "version": appeal.version if version is None else version,
            **files,
        },
    )


def test_the_form_is_on_the_page_with_what_was_asked(client, district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    prove(client, appeal)
    page = client.get(detail_url(appeal)).content.decode()
    assert 'id="supplement"' in page and 'name="submission_key"' in page
    assert "承办单位请您补充：" in page and "请诉求人补充具体楼栋" in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page


def test_no_form_when_the_appeal_does_not_wait_on_the_citizen(client, district):
    for status in (AppealStatus.DISPATCHED, AppealStatus.RESOLVED, AppealStatus.ARCHIVED):
        appeal = appeal_in(district, status)
        prove(client, appeal)
        page = client.get(detail_url(appeal)).content.decode()
        assert 'id="supplement"' not in page, status
        assert post(client, appeal).status_code == 409  # IllegalTransition
    assert not Supplement.objects.exists()


def test_a_supplement_with_photos_resumes_and_shows_on_both_pages(client, district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    prove(client, appeal)
    response = post(client, appeal, photos=[png_upload(), png_upload("b.png")])
    assert response.status_code == 302 and response["Location"] == detail_url(appeal)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.IN_PROGRESS
    page = client.get(detail_url(appeal)).content.decode()
    assert "已收到您补充的情况" in page and "您补充的情况" in page
    assert "是3栋2单元门口" in page and page.count('alt="补充照片') == 2
    assert "诉求人补充 <span" in page  # the timeline's entry, by the citizen
    photo = Supplement.objects.get().photos.first()
    assert (
        client.get(reverse("citizen:photo", args=[appeal.tracking_number, photo.pk])).status_code
        == 200
    )

    staff = Client()
    staff.force_login(district.user("handler"))
    desk = staff.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert 'id="supplements"' in desk and "是3栋2单元门口" in desk
    assert desk.count('alt="补充照片') == 2


def test_sent_twice_it_is_one_supplement(client, district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    prove(client, appeal)
    post(client, appeal)
    again = post(client, appeal)  # the same page's form: same key, the old version
    assert again.status_code == 302
    assert "这次补充已经提交过了" in client.get(detail_url(appeal)).content.decode()
    assert Supplement.objects.count() == 1


def test_refusals_keep_the_text_and_change_nothing(client, district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    prove(client, appeal)
    bad = post(client, appeal, content="照片在这里", photos=[fake_jpg_upload()])
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "只能上传" in page and "照片在这里" in page and KEY in page
    stale = post(client, appeal, version=appeal.version - 1, content="旧页面")
    assert stale.status_code == 409 and "您填写的内容已保留" in stale.content.decode()
    assert "旧页面" in stale.content.decode()
    expired = post(client, appeal, key="not-a-key")
    assert expired.status_code == 400 and "页面已过期" in expired.content.decode()
    assert not Supplement.objects.exists()
    assert Appeal.objects.get(pk=appeal.pk).version == appeal.version


def test_without_the_grant_it_is_not_found(client, district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    assert post(client, appeal).status_code == 404
    assert not Supplement.objects.exists()


def test_csrf_is_required(district):
    appeal = appeal_in(district, AppealStatus.SUSPENDED)
    client = Client(enforce_csrf_checks=True)
    prove(client, appeal)
    assert post(client, appeal).status_code == 403
    assert not Supplement.objects.exists()


def test_rate_limited_per_address(client, district, settings, rate_limits):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    prove(client, appeal)
    codes = [
        post(
            client, appeal, key=f"{n:032x}", version=Appeal.objects.get(pk=appeal.pk).version
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [302] * 20 and codes[20] == 429
    assert Supplement.objects.count() == 20
