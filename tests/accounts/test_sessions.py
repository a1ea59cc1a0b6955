"""Staff sessions: idle timeout, absolute lifetime, every other session ended by a password
change; the password policy."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minxin.audit.models import AuditEvent, AuditKind

HOME = reverse("accounts:security")  # a page every member of staff opens
LOGIN = reverse("accounts:login")


def test_a_session_idle_longer_than_the_limit_is_ended(client, settings, district):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(district.user("dispatcher"))
        assert client.get(HOME).status_code == 200
        clock.move_to(start + timedelta(minutes=settings.MINXIN_SESSION_IDLE_MINUTES - 1))
        assert client.get(HOME).status_code == 200  # still in use
        clock.move_to(start + timedelta(minutes=2 * settings.MINXIN_SESSION_IDLE_MINUTES))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")
    assert "_auth_user_id" not in client.session
    logout = AuditEvent.objects.get(kind=AuditKind.LOGOUT)
    assert "未操作" in logout.summary and logout.username == "dispatcher"
    page = client.get(response["Location"]).content.decode()
    assert "未操作，已自动退出" in page


def test_a_session_in_use_ends_after_its_absolute_lifetime(client, settings, district):
    start = timezone.now()
    step = timedelta(minutes=settings.MINXIN_SESSION_IDLE_MINUTES - 5)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(district.user("handler"))
        now = start
        while now - start < timedelta(hours=settings.MINXIN_SESSION_MAX_HOURS):
            assert client.get(HOME, follow=True).status_code == 200
            assert "_auth_user_id" in client.session
            now += step
            clock.move_to(now)
        response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "小时" in AuditEvent.objects.get(kind=AuditKind.LOGOUT).summary


def test_an_htmx_request_of_an_expired_session_is_sent_to_the_login_page(
    client, settings, district
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(district.user("dispatcher"))
        clock.move_to(start + timedelta(hours=1))
        response = client.get(HOME, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == LOGIN


def test_a_password_change_ends_every_other_session(district):
    user = district.user("dispatcher")
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    assert elsewhere.get(HOME).status_code == 200

    response = here.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-dispatcher",
            "new_password1": "Qiu-hua-2026-tian",
            "new_password2": "Qiu-hua-2026-tian",
        },
    )
    assert response.status_code == 302
    assert here.get(HOME).status_code == 200  # this one stays
    assert elsewhere.get(HOME).status_code == 302  # the other is out
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_CHANGE, actor=user).exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "太短"),
        ("20261205123456", "只包含数字"),
        ("dispatcher2026!", "用户名"),
        ("password123", "太常见"),
    ],
)
def test_the_password_policy_refuses(district, password, message):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user=district.user("dispatcher"))
        said = [str(m) for m in refused.value.messages]
    assert any(message in m for m in said), said


def test_the_password_page_shows_the_policy_errors_in_chinese(client, district):
    client.force_login(district.user("dispatcher"))
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-dispatcher",
            "new_password1": "12345678901",
            "new_password2": "12345678901",
        },
    )
    assert response.status_code == 200
    assert "只包含数字" in response.content.decode()


def test_a_good_password_passes(district):
    validate_password("Qiu-hua-2026-tian", user=district.user("dispatcher"))
