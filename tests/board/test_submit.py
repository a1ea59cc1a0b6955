from django.core.cache import cache
from django.urls import reverse

from minxin.cases.models import Appeal, AppealEvent, Attachment
from minxin.cases.workflow import Action, AppealStatus

from .uploads import big_png_upload, fake_jpg_upload, png_upload

SUBMIT = reverse("board:submit")
PHONE = "13812345678"


def form(**overrides):
    values = {
        "kind": "complaint",
        "title": "小区垃圾无人清运",
        "content": "景蓉华苑小区门口垃圾堆放三天无人清运。",
        "place_text": "景蓉华苑",
        "appellant_name": "张三丰",
        "appellant_phone": PHONE,
    }
    values.update(overrides)
    return values


def fresh_key(client):
    return client.get(SUBMIT).context["submission_key"]


def test_form_renders_with_a_one_time_key(client, db):
    response = client.get(SUBMIT)
    assert response.status_code == 200
    key = response.context["submission_key"]
    assert len(key) == 32
    assert f'value="{key}"' in response.content.decode()
    assert client.get(SUBMIT).context["submission_key"] != key


def test_submit_creates_one_appeal_and_shows_the_receipt(client, db):
    response = client.post(
        SUBMIT, form(submission_key=fresh_key(client), photos=[png_upload()])
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location == reverse("board:receipt")
    appeal = Appeal.objects.get()
    assert appeal.channel == "web"
    assert appeal.status == AppealStatus.RECEIVED
    assert [e.action for e in AppealEvent.objects.filter(appeal=appeal)] == [Action.RECEIVE]
    assert Attachment.objects.filter(appeal=appeal, content_type="image/png").count() == 1
    assert PHONE not in location and appeal.query_code not in location

    receipt = client.get(location)
    page = receipt.content.decode()
    assert receipt.status_code == 200
    assert appeal.tracking_number in page
    assert appeal.query_code in page
    assert reverse("board:track_detail", args=[appeal.tracking_number]) in page
    assert PHONE not in page


def test_submitter_can_open_the_tracking_page_without_the_code(client, db):
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    appeal = Appeal.objects.get()

    page = client.get(reverse("board:track_detail", args=[appeal.tracking_number]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "小区垃圾无人清运" in text
    assert PHONE not in text and "138****5678" in text
    assert "张三丰" not in text and "张**" in text


def test_anonymous_appeal_needs_no_phone(client, db):
    response = client.post(
        SUBMIT,
        form(appellant_phone="", appellant_name="", is_anonymous="on", submission_key=fresh_key(client)),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.is_anonymous and appeal.appellant_phone == ""


@pytest_params := None  # placeholder replaced below
