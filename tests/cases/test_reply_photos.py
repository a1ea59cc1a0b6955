"""Photos with a reply (办结答复, issue 14): checked like the citizens' photos (decoded, re-encoded,
size and count limits, Chinese refusals), kept with the reply, shown on the appeal page and
served only to those who may see the appeal."""

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, Attachment, Reply
from minxin.cases.selectors import appeal_photos
from minxin.cases.workflow import AppealStatus
from minxin.review.models import ReviewRule
from tests.builders import District, appeal_in
from tests.uploads import big_png_upload, fake_jpg_upload, png_upload

ANSWER = "经现场核查，已于本周三完成路灯维修，恢复正常照明，感谢您的反映。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def resolve(client: Client, appeal: Appeal, photos: list[Any]) -> Any:
    return client.post(
        reverse("cases:appeal_act", args=[appeal.pk, "resolve"]),
        {"version": appeal.version, "reason": ANSWER, "photos": photos},
    )


def test_a_reply_keeps_its_photos_and_the_page_shows_them(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    handler = client_for(district, "handler")
    page = handler.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page

    response = resolve(handler, appeal, [png_upload("修好了.png"), png_upload("b.png")])
    assert response.status_code == 302, response.content.decode()[:500]
    reply = Reply.objects.get(appeal=appeal)
    photos = list(reply.photos.order_by("id"))
    assert len(photos) == 2
    assert {p.content_type for p in photos} == {"image/png"}
    assert all(p.appeal_id == appeal.pk and p.supplement_id is None for p in photos)
    assert appeal_photos(appeal=appeal) == []  # not among the citizen's own photos

    url = reverse("cases:attachment", args=[appeal.pk, photos[0].pk])
    for key in ("handler", "dispatcher", "supervisor"):
        content = client_for(district, key).get(reverse("cases:appeal_detail", args=[appeal.pk]))
        assert url in content.content.decode(), key
        served = client_for(district, key).get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/png", key
    assert client_for(district, "handler_other").get(url).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (fake_jpg_upload, "只能上传 JPG、PNG、WEBP 或 GIF 格式的照片"),
        (big_png_upload, "照片不能超过5MB"),
    ],
)
def test_a_bad_photo_refuses_the_reply_and_keeps_what_was_typed(
    district: District, upload: Any, message: str
):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    response = resolve(client_for(district, "handler"), appeal, [png_upload(), upload()])
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert ANSWER in html  # the reply's text comes back in the form
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.IN_PROGRESS
    assert not Reply.objects.filter(appeal=appeal).exists()
    assert not Attachment.objects.filter(appeal=appeal).exists()


def test_at_most_the_photo_count(district: District, settings: Any):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    photos = [png_upload(f"{n}.png") for n in range(settings.MINXIN_PHOTO_MAX_COUNT + 1)]
    response = resolve(client_for(district, "handler"), appeal, photos)
    assert response.status_code == 400
    assert f"照片最多{settings.MINXIN_PHOTO_MAX_COUNT}张" in response.content.decode()
    assert not Reply.objects.filter(appeal=appeal).exists()


def test_a_reply_without_photos_is_as_before(district: District):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    assert resolve(client_for(district, "handler"), appeal, []).status_code == 302
    assert not Reply.objects.get(appeal=appeal).photos.exists()


def test_the_citizen_sees_a_replys_photos_once_it_is_released(district: District):
    """A reply waiting for the centre's review (办结审核) is not the citizen's yet: neither its
    text nor its photos, even by guessing the photo's address."""
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    ReviewRule.objects.create(
        name="全部审核", unit_id=district.street_units[0].pk, sample_percent=100
    )
    reply = services.reply_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("handler")),
        expected_version=appeal.version,
        reason=ANSWER,
        photos=[png_upload()],
    )
    assert reply.released_at is None
    photo = reply.photos.get()

    citizen = Client()
    citizen.post(
        reverse("citizen:track"),
        {"tracking_number": appeal.tracking_number, "query_code": appeal.query_code},
    )
    track = reverse("citizen:track_detail", args=[appeal.tracking_number])
    url = reverse("citizen:photo", args=[appeal.tracking_number, photo.pk])
    assert url not in citizen.get(track).content.decode()
    assert citizen.get(url).status_code == 404

    appeal.refresh_from_db()
    services.reply_approve(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=appeal.version,
    )
    page = citizen.get(track).content.decode()
    assert url in page and "答复照片1" in page
    served = citizen.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
