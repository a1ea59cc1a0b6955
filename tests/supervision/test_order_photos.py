"""Photos with a unit's answer to a supervision order (issue 14): checked like the citizens'
photos (decoded, re-encoded, size and count limits, Chinese refusals), shown on the order's page
and served only to those who may see the order."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.supervision.models import SupervisionOrder, SupervisionOrderPhoto
from minxin.supervision.services import supervision_order_issue
from minxin.supervision.workflow import OrderStatus
from tests.builders import District, appeal_in
from tests.uploads import big_png_upload, fake_jpg_upload, png_upload

ANSWER = "已于周三完成垃圾清运，并安排专人每日巡查，现场照片附后。"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def order_on_appeal(d: District) -> SupervisionOrder:
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    return supervision_order_issue(
        actor=d.user("supervisor"),
        appeal_id=appeal.pk,
        content="请三日内完成清运并反馈",
        due_at=timezone.now() + timedelta(days=2),
    )


def answer(client: Client, order: SupervisionOrder, photos: list[Any]) -> Any:
    return client.post(
        reverse("supervision:order_answer", args=[order.pk]),
        {"answer": ANSWER, "photos": photos},
    )


def test_an_answer_keeps_its_photos_and_the_order_page_shows_them(district: District):
    order = order_on_appeal(district)
    detail = reverse("supervision:order_detail", args=[order.pk])
    handler = client_for(district, "handler")
    form = handler.get(detail).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="photos"' in form

    response = answer(handler, order, [png_upload("现场.png"), png_upload("b.png")])
    assert response.status_code == 302, response.content.decode()[:500]
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED
    photos = list(SupervisionOrderPhoto.objects.filter(order=order).order_by("id"))
    assert len(photos) == 2 and {p.content_type for p in photos} == {"image/png"}

    url = reverse("supervision:order_photo", args=[order.pk, photos[0].pk])
    for key in ("handler", "supervisor", "leader"):
        assert url in client_for(district, key).get(detail).content.decode(), key
        served = client_for(district, key).get(url)
        assert served.status_code == 200 and served["Content-Type"] == "image/png", key
    # Another unit's handler may see neither the order nor its photos.
    assert client_for(district, "handler_other").get(url).status_code == 404
    # A photo id of another order is not found through this one.
    other = order_on_appeal(district)
    answer(handler, other, [png_upload()])
    theirs = SupervisionOrderPhoto.objects.get(order=other)
    wrong = reverse("supervision:order_photo", args=[order.pk, theirs.pk])
    assert client_for(district, "supervisor").get(wrong).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (fake_jpg_upload, "只能上传 JPG、PNG、WEBP 或 GIF 格式的照片"),
        (big_png_upload, "照片不能超过5MB"),
    ],
)
def test_a_bad_photo_refuses_the_answer_and_keeps_what_was_typed(
    district: District, upload: Any, message: str
):
    order = order_on_appeal(district)
    response = answer(client_for(district, "handler"), order, [png_upload(), upload()])
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and ANSWER in html
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and order.answer == ""
    assert not SupervisionOrderPhoto.objects.exists()


def test_at_most_the_photo_count(district: District, settings: Any):
    order = order_on_appeal(district)
    photos = [png_upload(f"{n}.png") for n in range(settings.MINXIN_PHOTO_MAX_COUNT + 1)]
    response = answer(client_for(district, "handler"), order, photos)
    assert response.status_code == 400
    assert f"照片最多{settings.MINXIN_PHOTO_MAX_COUNT}张" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
