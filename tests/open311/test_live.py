"""A real Open311 client against a live server: the `georeport` library (GETs) in JSON and
XML, and `requests` for POSTs, as an integrator's code would do it."""

from typing import Any

import pytest
import requests
from georeport import GeoReport

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, Channel
from minxin.cases.selectors import screening_queue
from minxin.cases.workflow import Action
from minxin.deadlines.models import Urgency
from minxin.open311.selectors import jurisdiction_id
from minxin.open311.services import api_key_create
from tests.builders import District, district_build


@pytest.fixture
def live_district(transactional_db: None) -> District:
    return district_build()


def _as_list(value: Any) -> list[Any]:  # xmltodict gives a dict for one element, a list for several
    return value if isinstance(value, list) else [value]


def _finish(district: District, appeal_id: int) -> None:
    dispatcher = Actor.of(district.user("dispatcher"))
    handler = Actor.of(district.user("handler"))

    def v() -> int:
        return Appeal.objects.get(pk=appeal_id).version

    appeal = Appeal.objects.get(pk=appeal_id)
    if appeal.status == "received":
        services.appeal_screen(
            appeal_id=appeal_id,
            actor=dispatcher,
            expected_version=v(),
            category_id=district.category.pk,
            region_id=district.communities[0].pk,
            urgency=Urgency.NORMAL,
        )
    services.appeal_dispatch(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=v(),
        lead_unit_id=district.street_units[0].pk,
    )
    services.appeal_act(
        appeal_id=appeal_id, action=Action.ACCEPT, actor=handler, expected_version=v()
    )
    services.appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal_id,
        actor=handler,
        expected_version=v(),
        reason="已电话联系",
    )
    services.reply_submit(
        appeal_id=appeal_id, actor=handler, expected_version=v(), reason="路灯已修复。"
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_against_a_live_server(
    live_server, live_district: District, fmt: str
) -> None:
    root = f"{live_server.url}/open311/v2"
    secret = api_key_create(name=f"live-{fmt}")[1]
    client = GeoReport(root, jurisdiction=jurisdiction_id(), output_format=fmt)

    services_ = _as_list(client.get_service_list())
    codes = [s["service_code"] for s in services_]
    code = str(live_district.category.pk)
    assert code in codes
    definition = client.get_service_definition(code)
    assert definition["service_code"] == code
    attribute = _as_list(
        definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    )[0]
    assert attribute["code"] == "kind"

    response = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": secret,
            "jurisdiction_id": jurisdiction_id(),
            "service_code": code,
            "lat": "28.2280",
            "long": "112.9388",
            "address_string": "桂花路12号",
            "description": "路灯不亮<script>alert(1)</script>",
            "attribute[kind]": "help",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    if fmt == "json":
        number = response.json()[0]["service_request_id"]
    else:
        import xmltodict

        number = xmltodict.parse(response.content)["service_requests"]["request"][
            "service_request_id"
        ]
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.channel == Channel.API and appeal.kind == "help"
    dispatcher = live_district.user("dispatcher")
    # triage may have screened it already
    assert appeal in screening_queue(user=dispatcher) or appeal.status != "received"

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert one["description"] == "路灯不亮<script>alert(1)</script>"
    listed = _as_list(client.get_service_requests(status="open"))
    assert [r["service_request_id"] for r in listed] == [number]
    # A house number is personal data in a public feed (issue 16 item 8).
    assert _as_list(client.get_service_requests(service_request_id=number))[0]["address"] == (
        "桂花路**号"
    )

    _finish(live_district, appeal.pk)
    done = client.get_service_request(number)
    assert done["status"] == "closed"
    assert done["status_notes"] == "路灯已修复。"
    assert done["agency_responsible"] == "桂花坪街道办事处"
    assert done["expected_datetime"]
    closed = _as_list(client.get_service_requests(status="closed", service_code=code))
    assert [r["service_request_id"] for r in closed] == [number]

    # The standard's errors, as a client sees them.
    bad = requests.post(
        f"{root}/requests.{fmt}", data={"api_key": "nope", "service_code": code}, timeout=30
    )
    assert bad.status_code == 403
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition("999999")
    assert error.value.response is not None
    assert error.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_requests(start_date="not-a-date")
    assert error.value.response is not None
    assert error.value.response.status_code == 400
    assert Appeal.objects.count() == 1
