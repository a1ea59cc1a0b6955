"""The login and second-factor forms refuse hostile input with a 4xx, never a 500 (NUL and
control characters are refused by PostgreSQL in text; very long values; odd encodings)."""

import pytest
from django.urls import reverse

LOGIN = reverse("accounts:login")
HOSTILE = [
    "adm\x00in",
    "\x00",
    "a" * 100_000,
    "admin\u202e",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "<script>alert(1)</script>",
    "𠀀𠀁",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_login_form_never_fails_with_a_500(client, district, value):
    response = client.post(LOGIN, {"username": value, "password": value}, REMOTE_ADDR="10.5.0.1")
    assert response.status_code < 500
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("value", HOSTILE)
def test_the_second_factor_form_never_fails_with_a_500(client, district, value):
    client.post(LOGIN, {"username": "supervisor", "password": "pw-supervisor"})
    client.get(reverse("accounts:otp_setup"))
    assert client.post(reverse("accounts:otp_setup"), {"code": value}).status_code == 400
