"""Two-factor login in a browser: a supervisor enrols at the first login (QR code, secret,
first code, recovery codes), then gives a code at the next login; a recovery code when the
phone is away; the lockout page after wrong passwords. Screenshots at 1366 and 390 px."""

import pytest
from playwright.sync_api import expect

from tests.builders import District

from .conftest import second_factor_code, snap, totp_now


def _password(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("phone", [False, True], ids=["1366", "390"])
def test_enrolment_then_a_code_at_the_next_login(new_page, live_district: District, phone):
    size = "390" if phone else "1366"
    page = new_page(phone=phone)
    _password(page, "supervisor", "pw-supervisor")
    assert "/accounts/2fa/setup/" in page.url
    expect(page.locator("h1")).to_have_text("启用二次验证")
    expect(page.get_by_text("您的角色需要使用二次验证登录")).to_be_visible()
    qr = page.locator("img.otp-qr")
    expect(qr).to_be_visible()
    page.wait_for_function("document.querySelector('img.otp-qr').complete")
    assert page.evaluate("document.querySelector('img.otp-qr').naturalWidth") > 0
    snap(page, f"twofactor_setup_{size}")

    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("验证码不正确")
    page.wait_for_timeout(1100)  # django-otp makes the next try after a wrong code wait 1 s

    secret = (page.locator("[data-secret]").text_content() or "").replace(" ", "")
    page.fill("input[name=code]", totp_now(secret))
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("二次验证已启用")
    expect(page.locator(".otp-codes li")).to_have_count(10)
    snap(page, f"twofactor_recovery_codes_{size}")
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.locator(".topbar")).to_be_visible()

    page.locator(".who button").click()  # 退出
    page.wait_for_load_state("networkidle")
    _password(page, "supervisor", "pw-supervisor")
    assert "/accounts/2fa/" in page.url
    expect(page.locator("h1")).to_have_text("二次验证")
    page.get_by_text("手机不在身边？").click()
    snap(page, f"twofactor_verify_{size}")
    page.fill("input[name=code]", second_factor_code("supervisor"))
    page.click("button[type=submit]")
    expect(page.locator(".topbar")).to_be_visible()

    page.goto("/accounts/security/")
    expect(page.get_by_text("已启用：登录时需输入")).to_be_visible()
    snap(page, f"account_security_{size}")


def test_the_lockout_page(new_page, live_district: District, settings):
    page = new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password(page, "dispatcher", "wrong-password")
    _password(page, "dispatcher", "pw-dispatcher")
    expect(page.locator("h1")).to_have_text("登录已锁定")
    expect(page.get_by_role("alert")).to_contain_text("分钟后再试")
    snap(page, "login_locked_1366")
