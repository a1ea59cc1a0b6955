import pytest
from django.urls import reverse

from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in


@pytest.mark.parametrize("status", list(AppealStatus))
@pytest.mark.parametrize(
    "who", ["call_taker", "dispatcher", "handler", "supervisor", "leader", "admin"]
)
def test_staff_pages_render_for_every_status(client, district, status, who):
    appeal = appeal_in(district, status)
    client.force_login(district.user(who))
    home = client.get(reverse("cases:home"), follow=True)
    assert home.status_code == 200
    detail = client.get(reverse("cases:appeal_detail", args=[appeal.pk]))
    visible = who != "handler" or status not in (
        AppealStatus.RECEIVED,
        AppealStatus.SCREENED,
        AppealStatus.INVALID,
        AppealStatus.MERGED,
        AppealStatus.RETURNED,
    )
    assert detail.status_code == (200 if visible else 404)
    if who == "dispatcher":
        assert client.get(reverse("dispatch:panel", args=[appeal.pk])).status_code == 200
        for tab in ("received", "screened", "returned", "extensions"):
            assert client.get(reverse("dispatch:screening"), {"tab": tab}).status_code == 200
    if who in ("supervisor", "call_taker"):
        assert client.get(reverse("feedback:panel", args=[appeal.pk])).status_code == 200
        assert client.get(reverse("cases:follow_up_queue")).status_code == 200
    if who in ("supervisor", "leader", "dispatcher", "admin"):
        assert client.get(reverse("cases:appeal_list"), {"overdue": "on"}).status_code == 200
    if who == "handler":
        assert client.get(reverse("cases:unit_queue"), {"tab": "all"}).status_code == 200
    if who == "call_taker":
        assert client.get(reverse("intake:hotline")).status_code == 200
