from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal, AppealEvent, Attachment
from minxin.cases.workflow import Action, AppealStatus
from tests.uploads import big_png_upload, bomb_png_upload, fake_jpg_upload, png_upload

SUBMIT = reverse("citizen:submit")
PHONE = "13812345678"


def form(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "kind": "complaint",
        "title": "小区垃圾无人清运",
        "content": "景蓉华苑小区门口垃圾堆放三天无人清运。",
        "place_text": "景蓉华苑",
        "appellant_name": "张三丰",
        "appellant_phone": PHONE,
    }
    values.update(overrides)
    return values


def fresh_key(client: Client) -> str:
    return client.get(SUBMIT).context["submission_key"]


def test_form_renders_with_a_one_time_key(client, db):
    response = client.get(SUBMIT)
    assert response.status_code == 200
    key = response.context["submission_key"]
    assert len(key) == 32
    assert f'value="{key}"' in response.content.decode()
    assert client.get(SUBMIT).context["submission_key"] != key


def test_submit_creates_one_appeal_and_shows_the_receipt(client, db):
    response = client.post(SUBMIT, form(submission_key=fresh_key(client), photos=[png_upload()]))

    assert response.status_code == 302
    location = response["Location"]
    assert location == reverse("citizen:receipt")
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
    assert reverse("citizen:track_detail", args=[appeal.tracking_number]) in page
    assert PHONE not in page


def test_submitter_can_open_the_tracking_page_without_the_code(client, db):
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    appeal = Appeal.objects.get()

    page = client.get(reverse("citizen:track_detail", args=[appeal.tracking_number]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "小区垃圾无人清运" in text
    assert PHONE not in text and "138****5678" in text
    assert "张三丰" not in text and "张**" in text


def test_anonymous_appeal_needs_no_phone(client, db):
    response = client.post(
        SUBMIT,
        form(
            appellant_phone="",
            appellant_name="",
            is_anonymous="on",
            submission_key=fresh_key(client),
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.is_anonymous and appeal.appellant_phone == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "请填写诉求标题"),
        ({"content": "  \n\t  "}, "请填写诉求内容"),
        ({"content": "字" * 5001}, "诉求内容不能超过5000字"),
        ({"appellant_phone": "1381234"}, "联系电话格式不正确"),
        ({"appellant_phone": ""}, "请填写联系电话，或选择匿名反映"),
        ({"kind": ""}, "请选择诉求类型"),
    ],
    ids=["empty-title", "blank-content", "content-5001", "bad-phone", "no-phone", "no-kind"],
)
def test_invalid_form_is_refused_and_kept(client, db, overrides, message):
    key = fresh_key(client)
    values = form(submission_key=key, place_text="望月湖路12号", **overrides)

    response = client.post(SUBMIT, values)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "请重新选择" in page  # photos are not kept
    assert "望月湖路12号" in page  # what was typed is kept
    assert f'value="{key}"' in page  # the same key: nothing was written under it
    assert Appeal.objects.count() == 0
    assert AppealEvent.objects.count() == 0


def test_anonymous_choice_is_kept_on_error(client, db):
    response = client.post(
        SUBMIT, form(title="", is_anonymous="on", submission_key=fresh_key(client))
    )
    assert response.status_code == 400
    assert 'value="on" checked' in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (fake_jpg_upload, "只能上传"),
        (big_png_upload, "照片不能超过5MB"),
        (bomb_png_upload, "照片尺寸过大"),
    ],
    ids=["text-named-jpg", "over-5mb", "decompression-bomb"],
)
def test_bad_photo_is_refused_and_nothing_written(client, db, upload, message):
    response = client.post(
        SUBMIT, form(submission_key=fresh_key(client), photos=[png_upload(), upload()])
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Appeal.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_same_submission_key_twice_gives_one_appeal_and_the_same_receipt(client, db):
    values = form(submission_key=fresh_key(client))

    first = client.post(SUBMIT, values)
    receipt_first = client.get(reverse("citizen:receipt")).context["receipt"]
    second = client.post(SUBMIT, values)
    receipt_second = client.get(reverse("citizen:receipt")).context["receipt"]

    assert first.status_code == second.status_code == 302
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.count() == 1
    appeal = Appeal.objects.get()
    assert receipt_first == receipt_second
    assert receipt_first == {
        "tracking_number": appeal.tracking_number,
        "query_code": appeal.query_code,
    }


def test_resubmitted_form_from_another_session_gets_its_receipt(client, db):
    # e.g. the network dropped the first answer and the browser lost its cookie
    values = form(submission_key=fresh_key(client))
    client.post(SUBMIT, values)
    client.cookies.clear()
    client.post(SUBMIT, values)
    appeal = Appeal.objects.get()
    assert appeal.tracking_number in client.get(reverse("citizen:receipt")).content.decode()


def test_receipt_without_a_submission_goes_to_the_form(client, db):
    response = client.get(reverse("citizen:receipt"))
    assert response.status_code == 302
    assert response["Location"] == SUBMIT


def test_title_is_escaped_on_the_tracking_page(client, db):
    client.post(SUBMIT, form(title="<script>alert(1)</script>", submission_key=fresh_key(client)))
    appeal = Appeal.objects.get()

    page = client.get(reverse("citizen:track_detail", args=[appeal.tracking_number]))

    text = page.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_eleventh_submit_in_an_hour_is_refused(client, db, settings, rate_limits):
    for n in range(10):
        response = client.post(SUBMIT, form(title=f"第{n}件", submission_key=fresh_key(client)))
        assert response.status_code == 302

    response = client.post(SUBMIT, form(title="第11件", submission_key=fresh_key(client)))

    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Appeal.objects.count() == 10


def test_the_form_sent_again_after_back_gives_the_first_appeal(client, db):
    # Back to the form (a fresh page, a fresh one-time key) and 提交 again, minutes later.
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    first = client.get(reverse("citizen:receipt")).context["receipt"]

    again = client.post(SUBMIT, form(submission_key=fresh_key(client)), follow=True)

    assert Appeal.objects.count() == 1
    assert again.context["receipt"] == first
    assert "已提交过内容相同的诉求" in again.content.decode()


def test_the_same_phone_from_another_browser_gets_the_first_appeal(client, db):
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    other = Client()

    other.post(
        SUBMIT,
        form(content="  景蓉华苑小区门口垃圾堆放三天无人清运。\n", submission_key=fresh_key(other)),
    )

    assert Appeal.objects.count() == 1
    receipt = other.get(reverse("citizen:receipt")).context["receipt"]
    assert receipt["tracking_number"] == Appeal.objects.get().tracking_number


def test_different_content_or_an_hour_later_is_a_new_appeal(client, db):
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    client.post(SUBMIT, form(content="垃圾又堆起来了。", submission_key=fresh_key(client)))
    assert Appeal.objects.count() == 2

    Appeal.objects.update(received_at=timezone.now() - timedelta(hours=1))
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    assert Appeal.objects.count() == 3


def test_another_citizen_with_the_same_words_is_a_new_appeal(client, db):
    client.post(SUBMIT, form(submission_key=fresh_key(client)))
    other = Client()
    other.post(SUBMIT, form(appellant_phone="13900001111", submission_key=fresh_key(other)))
    assert Appeal.objects.count() == 2
