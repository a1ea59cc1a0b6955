"""Uploaded files in an S3-compatible bucket (MINXIN_MEDIA_STORAGE=s3, django-storages), against
a real S3 endpoint on the loopback: moto's server, spoken to over HTTP by boto3 exactly as an
object store would be. A citizen's photo goes into the bucket, a handler's page streams it back
from there, and the bucket keeps it private."""

from collections.abc import Iterator

import boto3
import pytest
import requests
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer

from config.settings.base import media_storage
from minxin.accounts.actor import Actor
from minxin.cases.models import Attachment
from minxin.cases.services import AppealDraft, appeal_create
from tests.ports import free_port
from tests.uploads import png

pytestmark = pytest.mark.django_db
BUCKET = "minxin-media"
KEYS = {"MINXIN_S3_ACCESS_KEY_ID": "minxin-test", "MINXIN_S3_SECRET_ACCESS_KEY": "minxin-test"}


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="minxin-test",
        aws_secret_access_key="minxin-test",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(
            {
                "MINXIN_MEDIA_STORAGE": "s3",
                "MINXIN_S3_BUCKET": BUCKET,
                "MINXIN_S3_ENDPOINT_URL": s3_endpoint,
                "MINXIN_S3_REGION": "us-east-1",
                "MINXIN_S3_PREFIX": "district-a3",
                **KEYS,
            }
        ),
    }
    return client


def test_local_disk_is_the_default() -> None:
    assert media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_a_photo_goes_to_the_bucket_and_comes_back_through_the_checked_view(
    client, district, bucket, s3_endpoint
) -> None:
    from minxin.cases.services import appeal_dispatch, appeal_screen
    from minxin.deadlines.models import Urgency

    image = png((16, 16))
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = appeal_create(
        actor=Actor.citizen(),
        draft=AppealDraft(
            channel="web",
            kind="complaint",
            title="路灯不亮",
            content="桂花路路灯连续一周不亮，夜里出行不便。",
            place_text="桂花路",
            appellant_name="李四",
            appellant_phone="13900001111",
        ),
        photos=[SimpleUploadedFile("lamp.png", image, content_type="image/png")],
    )
    appeal = created.appeal
    dispatcher = Actor.of(district.user("dispatcher"))
    appeal_screen(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=1,
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    appeal_dispatch(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=2,
        lead_unit_id=district.street_units[0].pk,
        assist_unit_ids=[],
    )
    photo = Attachment.objects.get(appeal=appeal)

    # In the bucket, under the install's prefix; nothing on the local disk.
    (key,) = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert key == f"district-a3/{photo.file.name}" and key.endswith(".png")
    assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == image
    assert not storages["default"].__class__.__name__.startswith("FileSystem")

    # The assigned unit's handler reads it through the page that checks who asks.
    client.force_login(district.user("handler"))
    served = client.get(reverse("cases:attachment", args=[appeal.pk, photo.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == image
    # A unit not assigned does not; nor does anyone without the keys, at the bucket itself.
    client.force_login(district.user("handler_dept"))
    assert client.get(reverse("cases:attachment", args=[appeal.pk, photo.pk])).status_code == 404
    assert requests.get(f"{s3_endpoint}/{BUCKET}/{key}", timeout=10).status_code == 403
