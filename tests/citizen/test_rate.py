from django.urls import reverse

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.feedback.models import Rating
from tests.builders import appeal_in

from .test_track import detail_url, prove


def rate(client, appeal: Appeal, satisfaction: str, version: int | None = None, comment=""):
    return client.post(
        reverse("citizen:rate", args=[appeal.tracking_number]),
        {
            "satisfaction": satisfaction,
            "comment": comment,
            "version": appeal.version if version is None else version,
        },
    )


def test_satisfied_rating_closes_the_loop(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)

    response = rate(client, appeal, "satisfied", comment="处理很及时")

    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RATED
    assert Rating.objects.get(appeal=appeal).comment == "处理很及时"
    page = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page
    assert 'name="satisfaction"' not in page


def test_dissatisfied_rating_goes_to_follow_up(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)

    response = rate(client, appeal, "dissatisfied")

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FOLLOW_UP
    page = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page and "我们将安排回访并重新办理" in page


def test_rating_twice_says_it_was_rated_and_changes_nothing(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)
    rate(client, appeal, "satisfied")
    appeal.refresh_from_db()

    again = rate(client, appeal, "dissatisfied")  # with the current version

    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "您已评价过这件诉求（满意）" in page
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RATED
    assert appeal.satisfaction == "satisfied"
    assert Rating.objects.filter(appeal=appeal).count() == 1


def test_stale_version_is_a_409_asking_to_look_again(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)

    response = rate(client, appeal, "satisfied", version=appeal.version - 1, comment="我的意见")

    assert response.status_code == 409
    text = response.content.decode()
    assert "刷新" not in text and "已被他人更新" not in text  # the citizen's words
    assert "诉求的办理情况刚有更新，请查看最新进度后再评价" in text
    assert "我的意见" in text  # what was typed is kept
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED
    assert not Rating.objects.filter(appeal=appeal).exists()


def test_missing_choice_is_a_400(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)
    response = rate(client, appeal, "")
    assert response.status_code == 400
    assert "请选择满意、基本满意或不满意" in response.content.decode()


def test_rating_without_a_grant_is_a_404(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)

    response = rate(client, appeal, "dissatisfied")

    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RESOLVED


def test_rating_needs_post(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)
    assert client.get(reverse("citizen:rate", args=[appeal.tracking_number])).status_code == 405


def test_rating_in_a_second_tab_is_told_it_was_rated_not_updated_by_others(client, district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    prove(client, appeal)
    rate(client, appeal, "satisfied")  # the first tab

    second = rate(client, appeal, "basically_satisfied")  # the second tab: the old version

    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert "已被他人更新" not in page
    assert "您已评价过这件诉求（满意）" in page
    appeal.refresh_from_db()
    assert appeal.satisfaction == "satisfied"
    assert Rating.objects.filter(appeal=appeal).count() == 1
