"""四不两直: a supervisor's unannounced check of a dissatisfied appeal — findings, photos stored
without their metadata, and a correction deadline given to the lead unit as a 督办单."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.core.errors import PermissionDenied, ValidationFailed
from minxin.supervision.models import OnSiteCheck, SupervisionOrder
from minxin.supervision.onsite import CheckDraft, onsite_check_record
from tests.builders import appeal_in
from tests.cases.test_photos import GPS_IFD, _jpeg_with_exif, _upload

FINDINGS = "未打招呼直达现场：东门垃圾桶已满，路边堆放生活垃圾。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _record(district, appeal, key="supervisor", **draft):
    values = {
        "findings": FINDINGS,
        "checked_at": None,
        "correction_due": timezone.now() + timedelta(days=5),
    } | draft
    return onsite_check_record(
        appeal_id=appeal.pk,
        actor=district.user(key),
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
        draft=CheckDraft(**values),
    )


def test_a_check_records_findings_photos_and_a_correction_order(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    check = _record(district, appeal, photos=[_upload(_jpeg_with_exif())])
    assert (check.findings, check.unit_id) == (FINDINGS, district.street_units[0].pk)
    order = SupervisionOrder.objects.get(pk=check.order_id)
    assert order.appeal_id == appeal.pk and order.due_at == check.correction_due
    assert FINDINGS in order.content and order.unit_id == district.street_units[0].pk
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert (event.action, event.reason) == (Action.ONSITE_CHECK, FINDINGS)
    assert event.payload["order_id"] == order.pk and event.payload["photos"] == 1
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.FOLLOW_UP  # recorded only
    [photo] = check.photos.all()
    with photo.image.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert GPS_IFD not in stored.getexif() and not stored.getexif()


def test_only_a_dissatisfied_appeal_is_checked(district):
    satisfied = appeal_in(district, AppealStatus.RATED)
    with pytest.raises(ValidationFailed, match="不满意"):
        _record(district, satisfied)
    # A revisit that finds it unsolved makes it one.
    in_progress = appeal_in(district, AppealStatus.IN_PROGRESS)
    with pytest.raises(ValidationFailed, match="不满意"):
        _record(district, in_progress)
    assert not OnSiteCheck.objects.exists() and not SupervisionOrder.objects.exists()


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ({"findings": "  "}, "请填写督查发现"),
        ({"correction_due": None}, "请填写整改期限"),
        ({"correction_due": timezone.now() - timedelta(hours=1)}, "整改期限应晚于当前时间"),
        ({"correction_due": timezone.now() + timedelta(days=120)}, "不能超过90天"),
        ({"checked_at": timezone.now() + timedelta(days=1)}, "督查时间不能晚于当前时间"),
        ({"photos": [_upload(b"not an image")]}, "只能上传"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(district, draft, message):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    before = Appeal.objects.get(pk=appeal.pk).version
    with pytest.raises(ValidationFailed, match=message):
        _record(district, appeal, **draft)
    assert Appeal.objects.get(pk=appeal.pk).version == before
    assert not OnSiteCheck.objects.exists() and not SupervisionOrder.objects.exists()


def test_only_supervisors_check(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    for key in ("dispatcher", "handler", "call_taker"):
        with pytest.raises(PermissionDenied):
            _record(district, appeal, key=key)


def test_the_panel_form_and_photos_through_the_pages(client, district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    client.force_login(district.user("supervisor"))
    panel = client.get(reverse("supervision:onsite_panel", args=[appeal.pk])).content.decode()
    assert "记录督查并下达整改" in panel
    url = reverse("supervision:onsite_record", args=[appeal.pk])
    version = Appeal.objects.get(pk=appeal.pk).version
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(url, {"version": version, "findings": "", "correction_due": due})
    assert refused.status_code == 400 and "请填写督查发现" in refused.content.decode()
    done = client.post(
        url,
        {
            "version": version,
            "findings": FINDINGS,
            "correction_due": due,
            "photos": _upload(_jpeg_with_exif()),
        },
    )
    assert done.status_code == 302
    check = OnSiteCheck.objects.get(appeal=appeal)
    photo = check.photos.get()
    photo_url = reverse("supervision:onsite_photo", args=[appeal.pk, photo.pk])
    assert client.get(photo_url).status_code == 200
    client.force_login(district.user("handler_other"))  # another unit: not its appeal
    assert client.get(photo_url).status_code == 404
    assert client.get(reverse("supervision:onsite_panel", args=[appeal.pk])).status_code == 404


def test_a_revisit_that_finds_it_unsolved_allows_a_check(district, settings):
    settings.MINXIN = {**settings.MINXIN, "REVISIT_SAMPLE_PERCENT": 100}
    appeal = appeal_in(district, AppealStatus.RATED)
    services.revisit_record(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("call_taker")),
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
        reached=True,
        solved=False,
        satisfaction=Satisfaction.BASICALLY_SATISFIED,
    )
    assert _record(district, appeal).order_id is not None
