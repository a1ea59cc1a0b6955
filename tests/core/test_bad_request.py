"""Django's own 400s — a form body it cannot parse, more fields or files than it accepts, a
host it does not serve — refuse before any view could in its words: config.urls.handler400
(core.views.bad_request) says so in Chinese on the project's error page, never Django's
English "Bad Request (400)"."""

import pytest
from django.test import Client
from django.urls import reverse

MESSAGE = "提交的内容无法处理"


def _chinese_400(response) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert MESSAGE in html and "Bad Request" not in html


@pytest.mark.django_db
def test_a_broken_multipart_body(client: Client) -> None:
    response = client.post(
        reverse("citizen:submit"), b"--x\r\n\r\n", content_type="multipart/form-data; boundary="
    )
    _chinese_400(response)


@pytest.mark.django_db
def test_too_many_fields(client: Client, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=1" for n in range(11))
    response = client.post(
        reverse("citizen:submit"), body, content_type="application/x-www-form-urlencoded"
    )
    _chinese_400(response)


@pytest.mark.django_db
def test_a_host_not_served(settings) -> None:
    settings.ALLOWED_HOSTS = ["minxin.example.gov.cn"]
    response = Client(HTTP_HOST="evil.example").get(reverse("citizen:home"))
    _chinese_400(response)
