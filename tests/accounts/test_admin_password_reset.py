"""An admin resets a member of staff's password (issue 14): Django's admin password form on the
user, the new password works, the old one no longer does; a non-admin cannot open it."""

from django.urls import reverse

from tests.builders import District

NEW = "Gui-hua-ping-2026-qiu"


def test_an_admin_resets_a_handlers_password(client, district: District):
    handler = district.user("handler")
    url = reverse("admin:auth_user_password_change", args=[handler.pk])
    client.force_login(district.user("admin"))
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    handler.refresh_from_db()
    assert handler.check_password(NEW) and not handler.check_password("pw-handler")


def test_a_handler_cannot_open_the_reset(client, district: District):
    handler = district.user("handler")
    client.force_login(handler)
    url = reverse("admin:auth_user_password_change", args=[district.user("dispatcher").pk])
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert district.user("dispatcher").check_password("pw-dispatcher")
