"""Two-factor login: required of admins, supervisors and leaders, offered to everyone; the
enrolment, the code at each login, the recovery codes, and the admins' reset."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minxin.audit.models import AuditEvent, AuditKind

LOGIN = reverse("accounts:login")
SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")
SECURITY = reverse("accounts:security")


def sign_in(client: Client, username: str, ip: str = "10.1.0.1"):
    return client.post(LOGIN, {"username": username, "password": "pw-" + username}, REMOTE_ADDR=ip)


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + later)
    totp.time = time.time()
    return f"{totp.token():06d}"


def enrol(client: Client) -> list[str]:
    client.get(SETUP)
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(SETUP, {"code": code_of(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


@pytest.mark.parametrize("who", ["admin", "supervisor", "leader"])
def test_the_roles_that_require_it_must_enrol_before_anything_else(client, district, who):
    response = sign_in(client, who)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 302 and page["Location"].startswith(SETUP)
    for url in ("/console/", "/admin/", reverse("audit:list"), SECURITY):
        assert client.get(url)["Location"].startswith(SETUP), url
    setup = client.get(SETUP).content.decode()
    assert "启用二次验证" in setup and "您的角色需要使用二次验证登录" in setup
    codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(SECURITY).status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.OTP_ENROLLED, username=who).exists()


def test_the_qr_code_is_an_svg_of_the_pending_secret(client, district):
    sign_in(client, "supervisor")
    client.get(SETUP)
    response = client.get(reverse("accounts:otp_qr"))
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b'xmlns="http://www.w3.org/2000/svg"' in response.content
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_wrong_enrolment_code_is_refused_in_chinese(client, district):
    sign_in(client, "leader")
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_an_enrolled_user_gives_a_code_at_every_login(client, settings, district):
    # django-otp makes each wrong code wait longer (1 s, 2 s, ...): not here.
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    sign_in(client, "supervisor")
    recovery = enrol(client)
    client.post(reverse("accounts:logout"))

    sign_in(client, "supervisor")
    assert client.get("/console/")["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "123456"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    device = TOTPDevice.objects.get(user__username="supervisor")
    done = client.post(VERIFY, {"code": code_of(device, later=1), "next": "/console/"})
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert client.get(SECURITY).status_code == 200

    # A recovery code instead, once only.
    client.post(reverse("accounts:logout"))
    sign_in(client, "supervisor")
    assert client.post(VERIFY, {"code": recovery[0]}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in(client, "supervisor")
    assert client.post(VERIFY, {"code": recovery[0]}).status_code == 400
    assert StaticToken.objects.count() == 9
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditKind.OTP_VERIFIED, AuditKind.OTP_FAILED} <= kinds


def test_other_roles_go_straight_in_and_may_enrol(client, district):
    response = sign_in(client, "handler")
    assert client.get(response["Location"]).status_code in (200, 302)
    assert client.get(SECURITY).status_code == 200
    assert "启用二次验证" in client.get(SECURITY).content.decode()
    enrol(client)
    client.post(reverse("accounts:logout"))
    sign_in(client, "handler")
    assert client.get(SECURITY)["Location"].startswith(VERIFY)


def test_an_optional_second_factor_may_be_switched_off_a_required_one_not(client, district):
    sign_in(client, "handler")
    enrol(client)
    client.post(reverse("accounts:otp_disable"))
    assert not TOTPDevice.objects.filter(user__username="handler").exists()

    other = Client()
    sign_in(other, "leader", ip="10.1.0.2")
    enrol(other)
    refused = other.post(reverse("accounts:otp_disable"), follow=True)
    assert "不能停用" in refused.content.decode()
    assert TOTPDevice.objects.filter(user__username="leader").exists()


def test_new_recovery_codes_replace_the_old(client, district):
    sign_in(client, "supervisor")
    old = enrol(client)
    response = client.post(reverse("accounts:recovery_codes"))
    new = list(response.context["codes"])
    assert len(new) == 10 and not set(old) & set(new)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_an_admin_resets_a_lost_phone(client, district):
    user_client = Client()
    sign_in(user_client, "leader", ip="10.1.0.3")
    enrol(user_client)
    client.force_login(district.user("admin"))
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [district.user("leader").pk]},
    )
    assert not TOTPDevice.objects.filter(user__username="leader").exists()
    assert AuditEvent.objects.filter(kind=AuditKind.OTP_DISABLED, username="admin").exists()
    again = Client()
    sign_in(again, "leader", ip="10.1.0.4")
    assert again.get("/console/")["Location"].startswith(SETUP)


def test_not_required_when_switched_off(client, settings, district):
    settings.MINXIN_2FA_REQUIRED = False
    sign_in(client, "supervisor")
    assert client.get(SECURITY).status_code == 200


def test_the_pages_of_the_second_factor_need_a_login(client, db):
    for url in (SETUP, VERIFY, SECURITY):
        assert client.get(url)["Location"].startswith(LOGIN)


@pytest.mark.parametrize("required", [True, False])
def test_the_demo_logins_say_whether_the_second_factor_is_required(settings, district, required):
    from minxin.demo.logins import demo_logins_table

    settings.MINXIN_2FA_REQUIRED = required
    note = demo_logins_table().splitlines()[-1]
    assert note.startswith("二次验证：")
    assert ("首次登录时须用手机身份验证器扫码绑定" in note) is required
