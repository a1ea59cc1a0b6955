"""The dispatch slip (交办单) to print: what the unit must do and by when, masked like every page,
for those who may see the appeal."""

from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in


def test_the_slip_has_the_appeal_its_units_and_its_deadlines(client, district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    client.force_login(district.user("handler"))

    detail = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    response = client.get(reverse("cases:appeal_print", args=[appeal.pk]))

    assert reverse("cases:appeal_print", args=[appeal.pk]) in detail
    page = response.content.decode()
    assert response.status_code == 200
    assert "12345 诉求交办单" in page and appeal.tracking_number in page
    assert "主办：桂花坪街道办事处" in page and "协办：A3区城市管理局" in page
    assert appeal.resolve_due is not None and appeal.first_contact_due is not None
    for due in (appeal.resolve_due, appeal.first_contact_due):
        assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in page
    assert "138****5678" in page and "13812345678" not in page


def test_the_slip_is_404_out_of_scope(client, district):
    appeal = appeal_in(district, AppealStatus.ACCEPTED)
    client.force_login(district.user("handler_other"))
    assert client.get(reverse("cases:appeal_print", args=[appeal.pk])).status_code == 404
