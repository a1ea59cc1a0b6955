"""Citizen SMS: the appeal events that send one, the record of each, the worker sending through
Alibaba Cloud's SendSms to a fake provider on loopback that checks the signature as the
provider does, retries with backoff, opt-out, and templates checked when edited."""

import logging
import socket

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.notices import CITIZEN_SMS
from minxin.cases.tasks import appeal_sms_waiting_task
from minxin.cases.workflow import AppealStatus
from minxin.notify import aliyun
from minxin.notify.models import SmsMessage, SmsPreference, SmsStatus, SmsTemplate
from minxin.notify.services import sms_message_deliver, sms_preference_set
from minxin.notify.texts import SmsTemplateKey, template_text_problems
from tests.builders import appeal_in, appeal_new

from .fake_aliyun import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SIGN_NAME, FakeAliyun, expected_signature

PHONE = "13812345678"  # the builders' appellant
CODES = {
    SmsTemplateKey.APPEAL_RECEIVED: ("SMS_100001", {"tracking_number", "query_code"}),
    SmsTemplateKey.APPEAL_REPLIED: ("SMS_100002", {"tracking_number", "unit"}),
    SmsTemplateKey.APPEAL_REOPENED: ("SMS_100003", {"tracking_number", "unit"}),
    SmsTemplateKey.APPEAL_CLOSED: ("SMS_100004", {"tracking_number"}),
}


def test_the_adapter_signs_the_documented_example():
    """Alibaba Cloud's own worked example of the RPC signature (SendSms, secret testSecret)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    documented = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert aliyun.signature("testSecret", "GET", params) == documented
    assert expected_signature("GET", params, "testSecret") == documented  # the fake agrees
    assert aliyun.string_to_sign("GET", params).startswith(
        "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123"
    )


@pytest.fixture
def provider(settings):
    with FakeAliyun(dict(CODES.values())) as fake:
        settings.MINXIN_SMS_BACKEND = "minxin.notify.aliyun.AliyunSmsBackend"
        settings.MINXIN_SMS_ALIYUN = {
            "ACCESS_KEY_ID": ACCESS_KEY_ID,
            "ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
            "SIGN_NAME": SIGN_NAME,
            "ENDPOINT": fake.url,
            "TIMEOUT": 2,
        }
        settings.MINXIN_SMS = {"ATTEMPTS": 3, "BACKOFF_SECONDS": 0.01}
        for key, (code, _) in CODES.items():
            SmsTemplate.objects.filter(key=key).update(provider_code=code)
        yield fake


def _messages(appeal: Appeal) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(subject_id=appeal.pk).order_by("pk"))


def test_receipt_reply_and_closure_reach_the_provider(
    district, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_in(district, AppealStatus.ARCHIVED)
    sent = _messages(appeal)
    assert [m.template_key for m in sent] == ["appeal_received", "appeal_replied", "appeal_closed"]
    assert all(m.status == SmsStatus.SENT and m.attempts == 1 for m in sent)
    assert [m.provider_message_id for m in sent] == ["900000^0", "900001^0", "900002^0"]
    assert {m.phone_masked for m in sent} == {"138****5678"}
    assert all(m.provider == "AliyunSmsBackend" and m.sent_at for m in sent)
    received, replied, closed = provider.accepted
    assert received == {
        "phone": PHONE,
        "template": "SMS_100001",
        "tracking_number": appeal.tracking_number,
        "query_code": appeal.query_code,
    }
    assert replied["unit"] == district.street_units[0].name and closed["template"] == "SMS_100004"


def test_a_reopen_tells_the_citizen(district, provider, django_capture_on_commit_callbacks):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_reopen(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=appeal.version,
            reason="请重新核实",
        )
    assert _messages(appeal)[-1].template_key == "appeal_reopened"
    assert _messages(appeal)[-1].status == SmsStatus.SENT
    assert provider.accepted[-1]["template"] == "SMS_100003"


def test_transient_failures_are_retried_with_backoff(district, provider):
    appeal = appeal_new(district)  # recorded, not sent: the commit never comes in a test
    message = _messages(appeal)[0]
    assert message.status == SmsStatus.QUEUED and message.attempts == 0
    provider.fail_next = [(503, "ServiceUnavailable"), (200, "isv.BUSINESS_LIMIT_CONTROL")]
    waits: list[float] = []
    done = sms_message_deliver(
        message_id=message.pk, phone=PHONE, params=_params(appeal), sleep=waits.append
    )
    assert (done.status, done.attempts, done.error) == (SmsStatus.SENT, 3, "")
    assert waits == [0.01, 0.02]
    assert provider.requests == 3 and len(provider.accepted) == 1
    # Sent once: a run of the outbox after it finds nothing to send.
    assert appeal_sms_waiting_task.call() == 0
    assert provider.requests == 3


def test_given_up_after_the_last_attempt(district, provider):
    appeal = appeal_new(district)
    message = _messages(appeal)[0]
    provider.fail_next = [(503, "ServiceUnavailable")] * 3
    done = sms_message_deliver(
        message_id=message.pk, phone=PHONE, params=_params(appeal), sleep=lambda s: None
    )
    assert (done.status, done.attempts) == (SmsStatus.FAILED, 3)
    assert "重试3次仍失败" in done.error and "503" in done.error
    assert provider.accepted == []


def test_a_wrong_signature_is_not_retried(district, provider, settings):
    settings.MINXIN_SMS_ALIYUN = {**settings.MINXIN_SMS_ALIYUN, "ACCESS_KEY_SECRET": "wrong"}
    appeal = appeal_new(district)
    assert appeal_sms_waiting_task.call() == 1
    message = _messages(appeal)[0]
    assert message.status == SmsStatus.FAILED
    assert (message.attempts, message.error) == (1, "HTTP 400 SignatureDoesNotMatch")
    assert provider.requests == 1 and provider.accepted == []


def test_the_provider_down_is_a_transient_failure(district, provider, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MINXIN_SMS_ALIYUN = {
        **settings.MINXIN_SMS_ALIYUN,
        "ENDPOINT": f"http://127.0.0.1:{port}/",
    }
    appeal = appeal_new(district)
    assert appeal_sms_waiting_task.call() == 1
    message = _messages(appeal)[0]
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 3)
    assert "网络错误" in message.error


def test_a_template_without_its_provider_code_is_refused(district, provider):
    SmsTemplate.objects.filter(key="appeal_received").update(provider_code="")
    appeal = appeal_new(district)
    assert appeal_sms_waiting_task.call() == 1
    message = _messages(appeal)[0]
    assert message.status == SmsStatus.FAILED and "服务商模板编号" in message.error
    assert provider.requests == 0


def test_opted_out_phones_get_a_record_and_no_message(district, provider):
    sms_preference_set(phone=PHONE, opted_out=True, source="test")
    appeal = appeal_new(district)
    assert _messages(appeal)[0].status == SmsStatus.QUEUED  # asked when it is to be sent
    assert appeal_sms_waiting_task.call() == 1
    message = _messages(appeal)[0]
    assert (message.status, message.error) == (SmsStatus.SKIPPED, "已退订短信通知")
    assert provider.requests == 0
    sms_preference_set(phone=PHONE, opted_out=False, source="test")
    assert _messages(appeal_new(district, title="另一件"))[0].status == SmsStatus.QUEUED
    assert SmsPreference.objects.count() == 2  # append-only: the latest wins


def test_no_record_for_a_landline_or_an_event_that_sends_nothing(district):
    appeal = appeal_new(district, appellant_phone="028-86123456")
    assert _messages(appeal) == []
    assert set(CITIZEN_SMS) == {"receive", "approve_reply", "reopen", "close", "archive"}


def test_the_logging_backend_never_logs_the_number_or_the_query_code(
    district, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_new(district)
    message = _messages(appeal)[0]
    assert message.status == SmsStatus.SENT and message.provider == "LoggingSmsBackend"
    assert "138****5678" in caplog.text and appeal.tracking_number in caplog.text
    assert PHONE not in caplog.text and appeal.query_code not in caplog.text
    assert "查询码******" in caplog.text


def _params(appeal: Appeal) -> dict[str, str]:
    from minxin.cases.notices import sms_params

    return sms_params(Appeal.objects.select_related("lead_unit").get(pk=appeal.pk))


# --- templates, edited in the admin -------------------------------------------------------


def test_the_seeded_templates_pass_their_own_check(db):
    templates = list(SmsTemplate.objects.all())
    assert {t.key for t in templates} == set(SmsTemplateKey.values)
    for t in templates:
        assert template_text_problems(t.key, t.text) == [], t.key


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("您的诉求${tracking_number}已受理", "缺少占位符 ${query_code}（查询码）"),
        ("编号${tracking_number}查询码${query_code}，电话${phone}", "不能使用占位符 ${phone}"),
        ("编号${tracking_number}查询码${query_code}，$5元", "占位符格式不正确：$"),
        ("编号${tracking_number}查询码${query_code}${}", "占位符格式不正确：${}"),
        ("编号${tracking_number}查询码${query_code}" + "长" * 300, "不能超过300字"),
        ("   ", "请填写短信内容"),
    ],
)
def test_a_template_text_is_checked(text, problem):
    problems = template_text_problems("appeal_received", text)
    assert any(problem in p for p in problems), problems


def test_the_admin_refuses_a_template_missing_a_placeholder(admin_client, db):
    template = SmsTemplate.objects.get(key="appeal_received")
    url = reverse("admin:notify_smstemplate_change", args=[template.pk])
    page = admin_client.get(url).content.decode()
    assert "${query_code} 查询码（必填）" in page
    form = {"text": "您的诉求${tracking_number}已受理", "provider_code": "", "is_active": "on"}
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "缺少占位符 ${query_code}" in refused.content.decode()
    assert SmsTemplate.objects.get(pk=template.pk).text == template.text
    form["text"] = "【A3区】诉求${tracking_number}已受理，查询码${query_code}"
    assert admin_client.post(url, form).status_code == 302
    assert SmsTemplate.objects.get(pk=template.pk).text == form["text"]
