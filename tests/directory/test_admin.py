import io

import pytest
from django.urls import reverse

from minxin.directory.models import RegionBoundary
from tests.directory.geo import BOW_TIE, collection, feature, square

pytestmark = pytest.mark.django_db

URL = "admin:directory_regionboundary_import"


def _upload(data: bytes, name: str = "streets.geojson") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_the_list_offers_the_import_and_its_form_opens(client, district):
    client.force_login(district.user("admin"))
    listing = client.get(reverse("admin:directory_regionboundary_changelist"))
    assert listing.status_code == 200
    assert reverse(URL) in listing.content.decode()
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert "GeoJSON 文件" in page.content.decode()


def test_a_valid_upload_imports_and_redirects(client, district):
    client.force_login(district.user("admin"))
    data = collection(feature(square(112.9, 28.2), code="A3-01"))
    response = client.post(reverse(URL), {"file": _upload(data)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:directory_regionboundary_changelist")
    assert "已导入 1 个区划的边界" in response.content.decode()
    assert RegionBoundary.objects.get().region == district.streets[0]


def test_a_bad_upload_answers_400_with_the_reason(client, district):
    client.force_login(district.user("admin"))
    response = client.post(
        reverse(URL), {"file": _upload(collection(feature(BOW_TIE, code="A3-01")))}
    )
    assert response.status_code == 400
    assert "边界自相交" in response.content.decode()
    assert not RegionBoundary.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, district, settings):
    settings.MINXIN_GEOJSON_MAX_BYTES = 2000
    client.force_login(district.user("admin"))
    data = collection(*[feature(square(112.9, 28.2), code="A3-01") for _ in range(30)])
    response = client.post(reverse(URL), {"file": _upload(data)})
    assert response.status_code == 413
    assert "文件过大" in response.content.decode()
    assert not RegionBoundary.objects.exists()


class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body of a request over the limit was read")

    readline = read


def test_a_50_mb_request_is_refused_from_its_length_without_reading_it(client, district):
    client.force_login(district.user("admin"))
    response = client.generic(
        "POST",
        reverse(URL),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "文件过大（50.0 MB），上限为 20.0 MB" in response.content.decode()


def test_the_import_checks_csrf(district):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(district.user("admin"))
    data = collection(feature(square(112.9, 28.2), code="A3-01"))
    assert strict.post(reverse(URL), {"file": _upload(data)}).status_code == 403
    assert not RegionBoundary.objects.exists()


def test_staff_without_the_permission_cannot_import(client, district):
    user = district.user("supervisor")
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get(reverse(URL))
    assert response.status_code == 403
