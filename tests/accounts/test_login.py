"""One login for staff, the admin's included, with its lockout per account and per address
(django-axes) and the admins' unlock (issue 16, item 2)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from minxin.accounts.lockout import locks_current, login_unlock
from minxin.audit.models import AuditEvent, AuditKind

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = "/admin/login/"


def post_login(client, username, password, *, ip="10.0.0.1", url=LOGIN, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data, REMOTE_ADDR=ip)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_login_page_sends_to_the_staff_login(client, district):
    response = client.get(ADMIN_LOGIN + "?next=/admin/dispatch/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2Fdispatch%2F"
    # An unauthenticated admin page goes the same way.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(LOGIN)


def test_forty_wrong_passwords_on_the_admin_login_then_the_right_one_do_not_sign_in(
    client, district
):
    """The probe's finding: 40 wrong passwords for a superuser on /admin/login/, then the right
    one worked. The admin's login now signs nobody in, and the staff login it sends to locks
    the account after AXES_FAILURE_LIMIT failures."""
    for _ in range(40):
        post_login(client, "admin", "wrong-password", url=ADMIN_LOGIN)
        post_login(client, "admin", "wrong-password")
    assert post_login(client, "admin", "pw-admin", url=ADMIN_LOGIN).status_code == 302
    assert not is_signed_in(client)
    # The address's rate limit (20 a minute) answered first; past it, the account's lock.
    assert post_login(client, "admin", "pw-admin").status_code == 429
    cache.clear()
    locked = post_login(client, "admin", "pw-admin", ip="10.7.7.7")
    assert locked.status_code == 429
    assert "登录已锁定" in locked.content.decode()
    assert not is_signed_in(client)


def test_an_account_is_locked_from_every_address(client, settings, district):
    for n in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "supervisor", "nope", ip=f"10.0.1.{n}")
    response = post_login(client, "supervisor", "pw-supervisor", ip="10.9.9.9")
    assert response.status_code == 429
    assert not is_signed_in(client)
    # Another account from another address is not affected.
    assert post_login(client, "dispatcher", "pw-dispatcher", ip="10.9.9.8").status_code == 302
    assert is_signed_in(client)


def test_an_address_is_locked_for_every_account(client, settings, district):
    for n in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, f"nobody{n}", "nope", ip="10.0.2.1")
    assert post_login(client, "dispatcher", "pw-dispatcher", ip="10.0.2.1").status_code == 429
    assert post_login(client, "dispatcher", "pw-dispatcher", ip="10.0.2.2").status_code == 302


def test_fewer_failures_than_the_limit_still_sign_in_and_the_count_starts_again(
    client, settings, district
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "handler", "nope").status_code == 200
    assert post_login(client, "handler", "pw-handler").status_code == 302


def test_the_lock_is_listed_and_an_admin_lifts_it_with_a_trace(client, settings, district):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "leader", "nope", ip="10.0.3.1")
    assert "leader" in {lock.username for lock in locks_current()}

    # The admin sees the locked account above the user list and unlocks it there.
    admin = district.user("admin")
    client.force_login(admin)
    changelist = client.get(reverse("admin:accounts_user_changelist"))
    assert "以下账号因登录失败次数过多已锁定：leader" in changelist.content.decode()
    done = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [district.user("leader").pk]},
        follow=True,
    )
    assert "已解除 1 个账号的登录锁定" in done.content.decode()
    client.logout()

    assert post_login(client, "leader", "pw-leader", ip="10.0.3.2").status_code == 302
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds.count(AuditKind.LOGIN_FAILED) == settings.AXES_FAILURE_LIMIT
    assert AuditKind.LOCKED_OUT in kinds
    unlock = AuditEvent.objects.get(kind=AuditKind.UNLOCK)
    assert unlock.actor == admin and unlock.username == "leader"


def test_login_unlock_by_address(settings, district):
    from django.test import Client

    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, f"x{n}", "nope", ip="10.0.4.1")
    assert login_unlock(actor=district.user("admin"), ip_address="10.0.4.1") >= 1
    assert post_login(client, "handler", "pw-handler", ip="10.0.4.1").status_code == 302


def test_a_non_staff_account_signed_in_is_told_it_may_not_enter_the_admin(client, district):
    client.force_login(district.user("handler"))
    response = client.get(ADMIN_LOGIN)
    assert response.status_code == 403
    assert "没有进入管理后台的权限" in response.content.decode()


def test_an_admin_signed_in_goes_back_to_the_admin(client, district):
    client.force_login(district.user("admin"))
    response = client.get(ADMIN_LOGIN + "?next=/admin/accounts/user/")
    assert response.status_code == 302 and response["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("evil", ["https://e.vil/", "//e.vil/x"])
def test_the_admin_login_never_sends_elsewhere(client, district, evil):
    client.force_login(district.user("admin"))
    assert client.get(ADMIN_LOGIN, {"next": evil})["Location"] == "/admin/"
