"""Notifications: in-app rows at once, email and SMS from the task after commit; the inbox
shows only one's own, marks them read, and the nav counts the unread in one query."""

import logging

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from minxin.notify.models import Notification
from minxin.notify.services import notifications_send
from minxin.notify.sms import LoggingSmsBackend, Sms, SmsBackend, sms_backend


class RecordingSmsBackend(SmsBackend):
    sent: list[tuple[str, str]] = []

    def deliver(self, sms: Sms) -> str:
        self.sent.append((sms.phone, sms.text))
        return ""


def send(users, **kwargs):
    values = {"title": "测试消息", "body": "诉求 20250306000001 需处理", "link": "/console/"}
    values.update(kwargs)
    return notifications_send(recipients=users, kind="test", **values)


def test_notify_records_one_row_per_distinct_active_recipient(district):
    handler, supervisor = district.user("handler"), district.user("supervisor")
    gone = district.user("handler_other")
    gone.is_active = False
    gone.save()
    rows = send([handler, supervisor, handler, gone])
    assert len(rows) == 2
    assert set(Notification.objects.values_list("recipient__username", "read_at")) == {
        ("handler", None),
        ("supervisor", None),
    }
    assert send([]) == []


def test_email_and_sms_wait_for_the_commit_and_go_to_who_has_an_address(
    district, django_capture_on_commit_callbacks, caplog
):
    handler, supervisor = district.user("handler"), district.user("supervisor")
    handler.email, handler.phone = "h@example.org", "13812345678"
    handler.save()
    supervisor.phone = "0731-88886666"
    supervisor.save()
    mail.outbox.clear()
    with (
        caplog.at_level(logging.INFO, logger="minxin.notify.sms"),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        send([handler, supervisor])
    assert mail.outbox == [] and "SMS to" not in caplog.text  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["h@example.org"], "测试消息")]
    assert "/console/" in mail.outbox[0].body
    lines = sorted(r.getMessage() for r in caplog.records if r.name == "minxin.notify.sms")
    assert lines == [
        "SMS to 073******6666: 测试消息 诉求 20250306000001 需处理",
        "SMS to 138****5678: 测试消息 诉求 20250306000001 需处理",
    ]
    assert "13812345678" not in caplog.text


def test_a_rolled_back_notification_sends_nothing(district, django_capture_on_commit_callbacks):
    handler = district.user("handler")
    handler.email = "h@example.org"
    handler.save()
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send([handler])
        raise RuntimeError
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_the_sms_backend_comes_from_settings(district, django_capture_on_commit_callbacks):
    assert isinstance(sms_backend(), LoggingSmsBackend)
    handler = district.user("handler")
    handler.phone = "13812345678"
    handler.save()
    RecordingSmsBackend.sent = []
    path = f"{__name__}.RecordingSmsBackend"
    with (
        override_settings(MINXIN_SMS_BACKEND=path),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send([handler])
    assert RecordingSmsBackend.sent == [("13812345678", "测试消息 诉求 20250306000001 需处理")]


def test_links_must_be_paths_inside_the_site(district):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        send([district.user("handler")], link="//evil.example/")


# --- the inbox ------------------------------------------------------------------------------


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_inbox_shows_only_ones_own_notifications(client, district):
    send([district.user("handler")], title="给承办人的消息")
    send([district.user("handler_other")], title="给其他街道的消息")
    client.force_login(district.user("handler"))
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "给承办人的消息" in page
    assert "给其他街道的消息" not in page
    assert "消息（1）" in page  # the unread count in the nav


def test_the_inbox_is_paginated(client, district):
    handler = district.user("handler")
    for i in range(30):
        send([handler], title=f"消息{i:02d}")
    client.force_login(handler)
    first = client.get(reverse("notify:inbox")).content.decode()
    second = client.get(reverse("notify:inbox") + "?page=2").content.decode()
    assert "消息29" in first and "消息00" not in first
    assert "消息00" in second and "消息29" not in second


def test_mark_all_read_marks_only_ones_own(client, district):
    handler, other = district.user("handler"), district.user("handler_other")
    send([handler, other])
    send([handler])
    client.force_login(handler)
    assert client.get(reverse("notify:mark_read")).status_code == 405
    response = client.post(reverse("notify:mark_read"))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    assert not Notification.objects.filter(recipient=handler, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=other).read_at is None
    page = client.get(reverse("notify:inbox")).content.decode()
    assert "消息（" not in page


@pytest.mark.parametrize(
    "key", ["call_taker", "dispatcher", "handler", "supervisor", "leader", "admin"]
)
def test_every_staff_role_has_the_inbox_in_the_nav_counted_in_one_query(
    rf, district, key, django_assert_num_queries
):
    from minxin.accounts.context_processors import staff_nav

    user = district.user(key)
    send([user])
    send([user])
    request = rf.get("/")
    request.user = user
    staff_nav(request)  # the first page of the process reads the unit tree (cached after)
    with django_assert_num_queries(1):
        nav = staff_nav(request)
    assert ("notify:inbox", "消息（2）") in nav["nav_items"]
    assert nav["notify_unread"] == 2


def test_a_backend_is_given_the_whole_message_as_one_value():
    given: list[Sms] = []

    class Keeping(SmsBackend):
        def deliver(self, sms: Sms) -> str:
            given.append(sms)
            return "id-1"

    sent = Keeping().send(
        phone="13812345678",
        text="验证码 123456",
        template_code="SMS_1",
        params={"code": "123456"},
        secrets=("123456",),
    )
    assert sent == "id-1"
    assert given == [Sms("13812345678", "验证码 123456", "SMS_1", {"code": "123456"}, ("123456",))]
    assert Keeping().send(phone="1", text="t") and given[-1].params == {}
