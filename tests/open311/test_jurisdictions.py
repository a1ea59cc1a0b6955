"""Open311 on a city's install: each district answers to its own jurisdiction_id (or host),
and sees only its own appeals."""

import pytest
from django.test import Client

from minxin.cases.models import Appeal
from tests.builders import District, other_district_build
from tests.open311.conftest import BASE, post_form

pytestmark = pytest.mark.django_db


def _post(client: Client, data: dict[str, str], **headers: str):
    return client.post(f"{BASE}/requests.json", data, **headers)


def test_a_post_is_received_for_the_district_it_names(
    client: Client, district: District, api_key: str
) -> None:
    b = other_district_build(district)
    named = _post(client, {**post_form(district), "api_key": api_key, "jurisdiction_id": "B1"})
    assert named.status_code == 200, named.content
    number = named.json()[0]["service_request_id"]
    assert Appeal.objects.get(tracking_number=number).jurisdiction_id == b.pk

    by_host = _post(client, {**post_form(district), "api_key": api_key}, HTTP_HOST=b.host)
    number = by_host.json()[0]["service_request_id"]
    assert Appeal.objects.get(tracking_number=number).jurisdiction_id == b.pk

    first = _post(client, {**post_form(district), "api_key": api_key})
    number = first.json()[0]["service_request_id"]
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.jurisdiction.region_id == district.district.pk


def test_each_district_lists_and_shows_only_its_own(
    client: Client, district: District, api_key: str
) -> None:
    other_district_build(district)
    ours = _post(client, {**post_form(district), "api_key": api_key}).json()[0]
    theirs = _post(
        client, {**post_form(district), "api_key": api_key, "jurisdiction_id": "B1"}
    ).json()[0]
    listed_b = client.get(f"{BASE}/requests.json?jurisdiction_id=B1").json()
    assert [r["service_request_id"] for r in listed_b] == [theirs["service_request_id"]]
    listed_a = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed_a] == [ours["service_request_id"]]
    hidden = client.get(f"{BASE}/requests/{ours['service_request_id']}.json?jurisdiction_id=B1")
    assert hidden.status_code == 404
    shown = client.get(f"{BASE}/requests/{theirs['service_request_id']}.json?jurisdiction_id=B1")
    assert shown.status_code == 200


@pytest.mark.parametrize("value", ["C9", "b1", "x%00", "A" * 61])
def test_an_unknown_jurisdiction_is_404(
    client: Client, district: District, api_key: str, value: str
) -> None:
    other_district_build(district)
    assert client.get(f"{BASE}/services.json?jurisdiction_id={value}").status_code == 404
    posted = _post(client, {**post_form(district), "api_key": api_key, "jurisdiction_id": value})
    assert posted.status_code == 404
    assert not Appeal.objects.exists()
