"""Each member of staff chooses how notifications reach them beyond the inbox (issue 14): by
email, by SMS, both or neither; the inbox always has every one."""

import logging

from django.core import mail
from django.urls import reverse

from minxin.notify.models import NoticePreference, Notification
from minxin.notify.services import notifications_send


def _send(users):
    return notifications_send(
        recipients=users,
        title="新派单：20250306000001",
        body="小区垃圾无人清运",
        link="/console/",
        kind="test",
    )


def test_mail_and_sms_follow_each_persons_choice(
    district, django_capture_on_commit_callbacks, caplog
):
    handler, other = district.user("handler"), district.user("handler_other")
    for user, phone in ((handler, "13812345678"), (other, "13900001111")):
        user.email, user.phone = f"{user.username}@example.org", phone
        user.save()
    NoticePreference.objects.create(user=handler, by_email=False, by_sms=True)
    NoticePreference.objects.create(user=other, by_email=True, by_sms=False)
    mail.outbox.clear()
    with (
        caplog.at_level(logging.INFO, logger="minxin.notify.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _send([handler, other])
    assert [m.to for m in mail.outbox] == [["handler_other@example.org"]]
    sms = [r.getMessage() for r in caplog.records if r.name == "minxin.notify.sms"]
    assert sms == ["SMS to 138****5678: 新派单：20250306000001 小区垃圾无人清运"]
    assert Notification.objects.count() == 2  # both in the inbox whatever they chose


def test_the_inbox_saves_the_choice(client, district):
    handler = district.user("handler")
    client.force_login(handler)
    page = client.get(reverse("notify:inbox"))
    assert page.status_code == 200
    assert page.context["by_email"] and page.context["by_sms"]  # nobody chose: both
    response = client.post(reverse("notify:preference"), {"by_email": "1"}, follow=True)
    assert response.status_code == 200
    assert "已保存：消息同时以邮件通知" in response.content.decode()
    chosen = NoticePreference.objects.get(user=handler)
    assert (chosen.by_email, chosen.by_sms) == (True, False)
    response = client.post(reverse("notify:preference"), {}, follow=True)
    assert "已保存：消息只在本页查看" in response.content.decode()
    assert NoticePreference.objects.filter(user=handler).count() == 1
    assert not NoticePreference.objects.get(user=handler).by_email
    # Another person's choice is their own.
    assert not NoticePreference.objects.filter(user=district.user("handler_other")).exists()


def test_the_choice_needs_a_post_and_a_login(client, district):
    assert client.post(reverse("notify:preference"), {"by_email": "1"}).status_code == 302
    client.force_login(district.user("handler"))
    assert client.get(reverse("notify:preference")).status_code == 405
