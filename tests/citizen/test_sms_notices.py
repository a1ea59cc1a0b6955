"""The tracking page's 短信通知: the appellant's phone opts out of notification SMS and back in
(CSRF, the grant); a landline or no number shows nothing."""

from django.test import Client
from django.urls import reverse

from minxin.cases.tasks import appeal_sms_waiting_task
from minxin.cases.workflow import AppealStatus
from minxin.notify.models import SmsMessage, SmsPreference, SmsStatus
from tests.builders import appeal_in, appeal_new

from .test_track import detail_url, prove


def _toggle(client, appeal, notices):
    return client.post(
        reverse("citizen:sms_notices", args=[appeal.tracking_number]), {"notices": notices}
    )


def test_opt_out_and_back_in_from_the_tracking_page(client, district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    prove(client, appeal)
    page = client.get(detail_url(appeal)).content.decode()
    assert 'id="sms-notices"' in page and "不再接收短信通知" in page and "138****5678" in page

    response = _toggle(client, appeal, "off")
    assert response.status_code == 302
    page = client.get(detail_url(appeal)).content.decode()
    assert "已退订短信通知" in page and "恢复短信通知" in page
    assert list(SmsPreference.objects.values_list("opted_out", "source")) == [
        (True, "tracking_page")
    ]
    assert "13812345678" not in SmsPreference.objects.get().phone_hash
    later = appeal_new(district, title="又一件事")
    appeal_sms_waiting_task.call()  # the choice is read when the message is to be sent
    assert SmsMessage.objects.get(subject_id=later.pk).status == SmsStatus.SKIPPED

    _toggle(client, appeal, "off")  # said twice: one row
    assert SmsPreference.objects.count() == 1
    _toggle(client, appeal, "on")
    assert "不再接收短信通知" in client.get(detail_url(appeal)).content.decode()
    assert SmsPreference.objects.count() == 2


def test_nothing_to_choose_without_a_mobile(client, district):
    appeal = appeal_new(district, appellant_phone="028-86123456")
    prove(client, appeal)
    assert 'id="sms-notices"' not in client.get(detail_url(appeal)).content.decode()


def test_the_grant_and_csrf_are_required(district):
    appeal = appeal_new(district)
    stranger = Client()
    assert _toggle(stranger, appeal, "off").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    prove(strict, appeal)
    assert _toggle(strict, appeal, "off").status_code == 403
    assert not SmsPreference.objects.exists()
