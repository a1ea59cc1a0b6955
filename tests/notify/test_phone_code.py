"""Confirming a phone by a one-time SMS code: what is stored (hashes only), what is sent and
logged, expiry, the count of wrong tries and the lock, the per-phone limits, and the
confirmed phone kept in the session for a while."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django.utils import timezone

from minxin.core.errors import ValidationFailed
from minxin.notify.models import PhoneCode
from minxin.notify.phone import (
    mobile_clean,
    phone_confirmed,
    phone_confirmed_forget,
    phone_confirmed_keep,
    phone_hash,
)
from minxin.notify.services import (
    CODE_MAX_ATTEMPTS,
    TooManyCodes,
    phone_code_confirm,
    phone_code_send,
)
from minxin.notify.sms import LoggingSmsBackend, MemorySmsBackend

PHONE = "13912345678"
PURPOSE = "project_rating"
MEMORY = override_settings(MINXIN_SMS_BACKEND="minxin.notify.sms.MemorySmsBackend")


@pytest.fixture(autouse=True)
def _outbox():
    MemorySmsBackend.outbox = []
    with MEMORY:
        yield


def sent_code(django_capture_on_commit_callbacks, phone: str = PHONE) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_send(phone=phone, purpose=PURPOSE)
    number, text = MemorySmsBackend.outbox[-1]
    assert number == mobile_clean(phone)
    return "".join(ch for ch in text.split("，")[0] if ch.isdigit())


def test_the_code_is_sent_after_commit_and_stored_only_as_hashes(
    db, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    code = sent_code(django_capture_on_commit_callbacks, phone="139 1234 5678")
    assert len(code) == 6
    row = PhoneCode.objects.get()
    assert row.phone_hash == phone_hash(PHONE) and len(row.phone_hash) == 64
    stored = " ".join(str(v) for v in PhoneCode.objects.values().get().values())
    assert PHONE not in stored and code not in stored
    assert PHONE not in caplog.text and code not in caplog.text
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_nothing_is_sent_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        phone_code_send(phone=PHONE, purpose=PURPOSE)
    assert len(callbacks) == 1 and MemorySmsBackend.outbox == []


def test_the_logging_backend_masks_the_number_and_the_code(caplog):
    caplog.set_level(logging.INFO)
    LoggingSmsBackend().send(phone=PHONE, text="您的验证码为123456，5分钟内有效。")
    assert "139****5678" in caplog.text and "验证码为******" in caplog.text
    assert "123456" not in caplog.text and PHONE not in caplog.text


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "请填写手机号"), ("12345", "正确的11位手机号"), ("021-12345678", "正确的11位手机号")],
)
def test_bad_numbers_are_refused(db, raw, message):
    with pytest.raises(ValidationFailed, match=message):
        phone_code_send(phone=raw, purpose=PURPOSE)
    assert not PhoneCode.objects.exists()


def test_the_right_code_confirms_the_phone_once(db, django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    assert phone_code_confirm(phone="+86 139-1234-5678", code=code, purpose=PURPOSE) == (
        phone_hash(PHONE)
    )
    assert PhoneCode.objects.get().confirmed_at is not None
    with pytest.raises(ValidationFailed, match="请先获取短信验证码"):
        phone_code_confirm(phone=PHONE, code=code, purpose=PURPOSE)


def test_a_code_serves_only_its_phone_and_purpose(db, django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    with pytest.raises(ValidationFailed, match="请先获取短信验证码"):
        phone_code_confirm(phone=PHONE, code=code, purpose="ballot")
    with pytest.raises(ValidationFailed, match="请先获取短信验证码"):
        phone_code_confirm(phone="13800000000", code=code, purpose=PURPOSE)


def test_wrong_codes_are_counted_and_the_fifth_locks(db, django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for left in range(CODE_MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(ValidationFailed, match=f"还可以再试{left}次"):
            phone_code_confirm(phone=PHONE, code=wrong, purpose=PURPOSE)
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        phone_code_confirm(phone=PHONE, code=wrong, purpose=PURPOSE)
    assert PhoneCode.objects.get().attempts == CODE_MAX_ATTEMPTS
    # Locked: even the right code is refused now.
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        phone_code_confirm(phone=PHONE, code=code, purpose=PURPOSE)
    assert PhoneCode.objects.get().confirmed_at is None


def test_an_expired_code_is_refused(db, django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)),
        pytest.raises(ValidationFailed, match="验证码已过期"),
    ):
        phone_code_confirm(phone=PHONE, code=code, purpose=PURPOSE)


def test_an_empty_code_is_refused(db):
    with pytest.raises(ValidationFailed, match="请填写短信验证码"):
        phone_code_confirm(phone=PHONE, code=" ", purpose=PURPOSE)


def test_codes_are_limited_per_phone(db, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sent_code(django_capture_on_commit_callbacks)
        with pytest.raises(TooManyCodes, match="秒后再重新获取") as refused:
            phone_code_send(phone=PHONE, purpose=PURPOSE)
        assert refused.value.status_code == 429
    # One a minute: the fifth of the hour is the last.
    for minute in range(1, 5):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            sent_code(django_capture_on_commit_callbacks)
    with (
        time_machine.travel(start + timedelta(minutes=6), tick=False),
        pytest.raises(TooManyCodes, match="一小时后再试"),
    ):
        phone_code_send(phone=PHONE, purpose=PURPOSE)
    # Another phone is not held back by this one.
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        sent_code(django_capture_on_commit_callbacks, phone="13800000000")
    # Ten a day.
    for hour in range(2, 4):
        for minute in range(5):
            moment = start + timedelta(hours=hour, minutes=minute)
            with time_machine.travel(moment, tick=False):
                if PhoneCode.objects.filter(phone_hash=phone_hash(PHONE)).count() < 10:
                    sent_code(django_capture_on_commit_callbacks)
    with (
        time_machine.travel(start + timedelta(hours=5), tick=False),
        pytest.raises(TooManyCodes, match="今日"),
    ):
        phone_code_send(phone=PHONE, purpose=PURPOSE)
    assert PhoneCode.objects.filter(phone_hash=phone_hash(PHONE)).count() == 10


def test_a_new_code_replaces_the_previous_one(db, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = sent_code(django_capture_on_commit_callbacks)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        second = sent_code(django_capture_on_commit_callbacks)
        if first != second:
            with pytest.raises(ValidationFailed, match="验证码不正确"):
                phone_code_confirm(phone=PHONE, code=first, purpose=PURPOSE)
        assert phone_code_confirm(phone=PHONE, code=second, purpose=PURPOSE) == phone_hash(PHONE)


def test_the_confirmed_phone_is_kept_in_the_session_for_a_while(db):
    session = SessionStore()
    now = timezone.now()
    assert phone_confirmed(session, purpose=PURPOSE) == ""
    phone_confirmed_keep(session, purpose=PURPOSE, phone_hash=phone_hash(PHONE), now=now)
    assert phone_confirmed(session, purpose=PURPOSE, now=now) == phone_hash(PHONE)
    assert PHONE not in str(dict(session))
    assert phone_confirmed(session, purpose="ballot", now=now) == ""
    assert phone_confirmed(session, purpose=PURPOSE, now=now + timedelta(minutes=31)) == ""
    phone_confirmed_forget(session, purpose=PURPOSE)
    assert phone_confirmed(session, purpose=PURPOSE, now=now) == ""


def test_the_hash_is_keyed(settings):
    before = phone_hash(PHONE)
    settings.MINXIN_PHONE_HASH_KEY = "another key"
    assert phone_hash(PHONE) != before
