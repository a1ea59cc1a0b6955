from django.urls import reverse

from minxin.cases.models import Appeal, Attachment
from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in, appeal_new
from tests.uploads import png_upload

TRACK = reverse("citizen:track")
WRONG = "受理编号或查询码不正确，请核对后重试"


def detail_url(appeal: Appeal) -> str:
    return reverse("citizen:track_detail", args=[appeal.tracking_number])


def prove(client, appeal: Appeal):
    return client.post(
        TRACK, {"tracking_number": appeal.tracking_number, "query_code": appeal.query_code}
    )


def test_home_offers_submit_and_track(client, db):
    page = client.get(reverse("citizen:home")).content.decode()
    assert reverse("citizen:submit") in page and reverse("citizen:track") in page
    assert "我要反映" in page and "查询进度" in page


def test_number_and_code_open_the_tracking_page(client, district):
    appeal = appeal_new(district)

    response = client.post(
        TRACK,
        {"tracking_number": f" {appeal.tracking_number} ", "query_code": appeal.query_code.lower()},
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    assert appeal.query_code not in response["Location"]
    assert client.get(detail_url(appeal)).status_code == 200


def test_unknown_number_and_wrong_code_get_the_same_404(client, district):
    appeal = appeal_new(district)

    unknown = client.post(TRACK, {"tracking_number": "2099010100001", "query_code": "ABCDEF"})
    wrong = client.post(TRACK, {"tracking_number": appeal.tracking_number, "query_code": "ZZZZZZ"})

    assert unknown.status_code == wrong.status_code == 404
    assert WRONG in unknown.content.decode()
    assert WRONG in wrong.content.decode()
    assert client.get(detail_url(appeal)).status_code == 302  # no grant was given


def test_tracking_page_without_a_grant_redirects_to_the_form(client, district):
    appeal = appeal_new(district)
    other = appeal_new(district, title="另一件")
    prove(client, other)

    for url in (detail_url(appeal), reverse("citizen:track_detail", args=["2099010100001"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == TRACK


def test_tracking_page_shows_the_public_loop_without_staff_names(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)

    page = client.get(detail_url(appeal))

    text = page.content.decode()
    assert page.status_code == 200
    assert "已办结待评价" in text
    assert "桂花坪街道办事处" in text  # the lead unit
    assert "12345热线中心" in text
    assert "已安排环卫清运，并加密清运频次。" in text  # the reply
    # The reply appears when the centre releases it (答复), not at the unit's submission.
    for label in ("受理", "派单", "接单", "先行联系", "答复"):
        assert label in text
    assert "甄别" not in text  # internal steps stay internal
    for user in district.users.values():
        assert user.display_name not in text
    assert "13812345678" not in text and "138****5678" in text
    assert 'name="satisfaction"' in text
    assert f'name="version" value="{appeal.version}"' in text


def test_deadline_is_shown_while_the_unit_works_on_it(client, district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    prove(client, appeal)
    text = client.get(detail_url(appeal)).content.decode()
    assert "办理时限" in text
    assert 'name="satisfaction"' not in text


def test_photo_is_served_only_with_a_grant(client, district):
    client.post(
        reverse("citizen:submit"),
        {
            "kind": "complaint",
            "title": "路灯不亮",
            "content": "望月湖路路灯不亮一周。",
            "appellant_phone": "13812345678",
            "submission_key": "a" * 32,
            "photos": [png_upload()],
        },
    )
    attachment = Attachment.objects.select_related("appeal").get()
    url = reverse("citizen:photo", args=[attachment.appeal.tracking_number, attachment.pk])

    granted = client.get(url)
    assert granted.status_code == 200
    assert granted["Content-Type"] == "image/png"
    assert b"".join(granted.streaming_content).startswith(b"\x89PNG")
    assert url in client.get(detail_url(attachment.appeal)).content.decode()

    client.cookies.clear()
    assert client.get(url).status_code == 404
    other = appeal_new(district)
    prove(client, other)  # a grant for another appeal opens nothing here
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("citizen:photo", args=[other.tracking_number, attachment.pk])
        ).status_code
        == 404
    )


def test_a_wrong_code_keeps_the_tracking_number_in_the_form(client, district):
    appeal = appeal_new(district)

    wrong = client.post(TRACK, {"tracking_number": appeal.tracking_number, "query_code": "ZZZZZZ"})

    assert wrong.status_code == 404
    assert f'value="{appeal.tracking_number}"' in wrong.content.decode()
    assert "ZZZZZZ" not in wrong.content.decode()  # the code is typed again, never echoed
