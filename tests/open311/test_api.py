"""The GeoReport v2 endpoints through Django's client: documents, filters and bad input."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minxin.cases.models import Appeal, AppealEvent, Channel
from minxin.cases.selectors import screening_queue
from minxin.directory.models import Category, Jurisdiction
from minxin.open311.models import ApiKey, Open311Request
from minxin.open311.services import api_key_create, api_key_revoke
from tests.builders import District

from .conftest import BASE, post_form

pytestmark = pytest.mark.django_db


def _post(client: Client, fmt: str, data: dict[str, str]):
    return client.post(f"{BASE}/requests.{fmt}", data)


def _errors_json(response) -> list[dict[str, Any]]:
    body = response.json()
    assert isinstance(body, list) and body and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return body


def _xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own server's output)


# --- discovery and services ------------------------------------------------------------


def test_discovery_in_both_formats(client: Client, district: District) -> None:
    body = client.get(f"{BASE}/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2/")
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_services_are_the_leaf_categories(client: Client, district: District) -> None:
    other_top = Category.objects.create(name="社会保障")
    Category.objects.create(name="停用的小类", parent=other_top, is_active=False)
    services = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    leaf = by_code[str(district.category.pk)]
    assert leaf["service_name"] == "环境卫生"
    assert leaf["group"] == "城乡建设"
    assert leaf["metadata"] is True
    # Parents are groups, not services; a top level whose children are all inactive is a leaf.
    assert str(district.category_top.pk) not in by_code
    assert str(other_top.pk) in by_code
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in services]
    assert root.findtext("service/metadata") == "true"


def test_service_definition_and_unknown_code(client: Client, district: District) -> None:
    code = district.category.pk
    body = client.get(f"{BASE}/services/{code}.json").json()
    assert body["service_code"] == str(code)
    kind = body["attributes"][0]
    assert kind["code"] == "kind" and kind["datatype"] == "singlevaluelist"
    assert {"key": "help", "name": "求助"} in kind["values"]
    root = _xml(client.get(f"{BASE}/services/{code}.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/values/value/key") == "complaint"
    for bad in (district.category_top.pk, 999999, "abc"):
        response = client.get(f"{BASE}/services/{bad}.json")
        assert response.status_code == 404
        _errors_json(response)
    response = client.get(f"{BASE}/services/999999.xml")
    assert response.status_code == 404
    assert _xml(response).findtext("error/code") == "404"


def test_jurisdiction(client: Client, district: District) -> None:
    Jurisdiction.objects.filter(region=district.district).update(code="a3.example.gov.cn")
    assert client.get(f"{BASE}/services.json?jurisdiction_id=a3.example.gov.cn").status_code == 200
    response = client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere.gov")
    assert response.status_code == 404
    assert "jurisdiction_id" in _errors_json(response)[0]["description"]


def test_unknown_path_and_method_answer_in_the_error_format(
    client: Client, district: District
) -> None:
    response = client.get(f"{BASE}/nothing.xml")
    assert response.status_code == 404 and _xml(response).tag == "errors"
    response = client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405
    _errors_json(response)


# --- POST requests ---------------------------------------------------------------------


def test_post_creates_an_api_appeal_in_the_screening_queue(
    client: Client, district: District, api_key: str
) -> None:
    response = _post(
        client, "json", {**post_form(district), "api_key": api_key, "attribute[kind]": "help"}
    )
    assert response.status_code == 200, response.content
    [created] = response.json()
    appeal = Appeal.objects.get(tracking_number=created["service_request_id"])
    assert appeal.channel == Channel.API
    assert appeal.kind == "help"
    assert appeal.category_id == district.category.pk
    assert appeal.title == "环境卫生：景蓉华苑北门"
    assert appeal.place_text == "景蓉华苑北门"
    assert str(appeal.latitude) == "28.228000" and str(appeal.longitude) == "112.938800"
    assert appeal.appellant_name == "张三" and appeal.appellant_phone == "13812345678"
    assert not appeal.is_anonymous
    assert appeal in screening_queue(user=district.user("dispatcher"))
    # Attributable: the link row, the appeal's own submission key, the key's last use.
    record = Open311Request.objects.get(appeal=appeal)
    key = ApiKey.objects.get(name="测试客户端")
    assert record.api_key == key and record.token == created["token"]
    assert appeal.submission_key == f"open311:{key.prefix}:{record.token}"
    assert key.last_used_at is not None
    event = AppealEvent.objects.get(appeal=appeal)
    assert event.action == "receive" and event.payload["channel"] == "api"
    # The token leads back to the request.
    body = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert body == [{"service_request_id": appeal.tracking_number, "token": record.token}]


def test_post_xml_with_address_id_and_no_phone(
    client: Client, district: District, api_key: str
) -> None:
    form = post_form(district, address_id="A3-01-01")
    for field in ("lat", "long", "address_string", "phone", "first_name", "last_name"):
        del form[field]
    response = _post(client, "xml", {**form, "api_key": api_key})
    assert response.status_code == 200
    root = _xml(response)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.region == district.communities[0]
    assert appeal.place_text == "景蓉社区"
    assert appeal.is_anonymous and appeal.appellant_phone == ""
    assert appeal.latitude is None


def test_post_json_body_and_gbk_form(client: Client, district: District, api_key: str) -> None:
    body = {**post_form(district), "api_key": api_key, "attribute": {"kind": "inquiry"}}
    response = client.post(
        f"{BASE}/requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert appeal.kind == "inquiry"
    from urllib.parse import urlencode

    raw = urlencode({**post_form(district), "api_key": api_key}, encoding="gbk")
    response = client.post(
        f"{BASE}/requests.json", raw, content_type="application/x-www-form-urlencoded; charset=gbk"
    )
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get(tracking_number=response.json()[0]["service_request_id"])
    assert appeal.place_text == "景蓉华苑北门"


BAD_POSTS = [
    ({"service_code": "999999"}, 400, "service_code 不存在"),
    ({"service_code": ""}, 400, "缺少 service_code"),
    ({"service_code": "<script>"}, 400, "service_code 不存在"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "请提供位置"),
    ({"lat": "91", "long": "100"}, 400, "lat 超出范围"),
    ({"lat": "28.2", "long": ""}, 400, "同时提供"),
    ({"lat": "NaN", "long": "1"}, 400, "lat 超出范围"),
    ({"lat": "abc", "long": "1"}, 400, "必须是数字"),
    ({"address_id": "NOPE"}, 400, "address_id 不存在"),
    ({"phone": "12345"}, 400, "phone 格式不正确"),
    ({"attribute[kind]": "<b>x</b>"}, 400, "attribute[kind]"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"description": "长" * 5001}, 400, "description 不能超过"),
    ({"address_string": "路" * 201}, 400, "address_string 不能超过"),
    ({"first_name": "名" * 51}, 400, "不能超过50字"),
    ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
]


@pytest.mark.parametrize(("changes", "status", "message"), BAD_POSTS)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_store_nothing(
    client: Client, district: District, api_key: str, changes, status, message, fmt
) -> None:
    response = _post(client, fmt, {**post_form(district), "api_key": api_key, **changes})
    assert response.status_code == status
    if fmt == "json":
        assert message in _errors_json(response)[0]["description"]
    else:
        root = _xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == str(status)
        assert message in (root.findtext("error/description") or "")
    assert not Appeal.objects.exists() and not Open311Request.objects.exists()


def test_api_key_required_wrong_or_revoked(
    client: Client, district: District, api_key: str
) -> None:
    for key in ("", "wrong-key", api_key + "x"):
        response = _post(client, "json", {**post_form(district), "api_key": key})
        assert response.status_code == 403
        _errors_json(response)
    api_key_revoke(prefix=api_key[:8])
    response = _post(client, "json", {**post_form(district), "api_key": api_key})
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"service_code": {"a": 1}}', "application/json", 400),
        (b"\xff\xfe\x00garbage=\xff", "application/x-www-form-urlencoded", 400),
        (b"description=%FF%FE", "application/x-www-form-urlencoded", 400),
        (b"a=1", "application/x-www-form-urlencoded; charset=no-such-charset", 400),
        (b"<request/>", "text/xml", 415),
        (b"x=" + b"a" * (64 * 1024), "application/x-www-form-urlencoded", 413),
        (b"&".join(b"f%d=1" % i for i in range(150)), "application/x-www-form-urlencoded", 400),
    ],
)
def test_malformed_bodies(
    client: Client, district: District, api_key: str, body: bytes, content_type: str, status: int
) -> None:
    response = client.generic(
        "POST", f"{BASE}/requests.json?api_key={api_key}", body, content_type=content_type
    )
    assert response.status_code == status, response.content
    _errors_json(response)
    assert not Appeal.objects.exists()


def test_control_characters_are_dropped(client: Client, district: District, api_key: str) -> None:
    form = post_form(district, description="垃圾\x00堆放\x07三天", address_string="北门\x1b")
    response = _post(client, "json", {**form, "api_key": api_key})
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.content == "垃圾堆放三天" and appeal.place_text == "北门"


def test_key_rate_limit(client: Client, district: District, api_key: str, settings) -> None:
    settings.MINXIN = {**settings.MINXIN, "OPEN311_KEY_RATE": "2/m"}
    statuses = [
        _post(client, "json", {**post_form(district), "api_key": api_key}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Appeal.objects.count() == 2
    # Another key has its own budget.
    other = api_key_create(name="另一个客户端")[1]
    assert _post(client, "json", {**post_form(district), "api_key": other}).status_code == 200


def test_wrong_keys_are_limited_per_address(
    client: Client, district: District, api_key: str, settings
) -> None:
    settings.MINXIN = {**settings.MINXIN, "OPEN311_BAD_KEY_RATE": "3/m"}
    statuses = [
        _post(client, "json", {**post_form(district), "api_key": f"guess{i}"}).status_code
        for i in range(4)
    ]
    assert statuses == [403, 403, 403, 429]
    # Even the right key is refused from that address for now.
    assert _post(client, "json", {**post_form(district), "api_key": api_key}).status_code == 429


# --- GET requests ----------------------------------------------------------------------


def _create(client: Client, district: District, api_key: str, **changes: str) -> Appeal:
    response = _post(client, "json", {**post_form(district), "api_key": api_key, **changes})
    assert response.status_code == 200, response.content
    return Appeal.objects.get(tracking_number=response.json()[0]["service_request_id"])


def test_request_never_publishes_the_citizen(
    client: Client, district: District, api_key: str
) -> None:
    appeal = _create(
        client,
        district,
        api_key,
        description="我叫张三，电话13812345678，身份证430102199001011238，垃圾没人清运。",
    )
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/{appeal.tracking_number}.{fmt}")
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("13812345678", "张三", "zhang@example.com", "430102199001011238"):
            assert secret not in text
    [request] = client.get(f"{BASE}/requests/{appeal.tracking_number}.json").json()
    assert request["status"] == "open"
    assert request["status_notes"] == "待甄别"
    assert request["service_code"] == str(district.category.pk)
    assert request["address"] == "景蓉华苑北门"
    assert request["lat"] == pytest.approx(28.228) and request["long"] == pytest.approx(112.9388)
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"] is None
    assert "垃圾没人清运" in request["description"]


def test_html_and_script_are_escaped_in_every_text_field(
    client: Client, district: District, api_key: str
) -> None:
    attack = "<script>alert('x')</script>&<b>"
    appeal = _create(client, district, api_key, description=attack, address_string=attack)
    assert appeal.content == attack  # stored as text, escaped where shown
    response = client.get(f"{BASE}/requests/{appeal.tracking_number}.xml")
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    root = _xml(response)
    assert root.findtext("request/description") == attack
    assert root.findtext("request/address") == attack
    [request] = client.get(f"{BASE}/requests/{appeal.tracking_number}.json").json()
    assert request["description"] == attack


def test_unpublished_channels_are_not_listed(
    client: Client, district: District, api_key: str
) -> None:
    from tests.builders import appeal_new

    hotline = appeal_new(district)
    mine = _create(client, district, api_key)
    numbers = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert numbers == [mine.tracking_number]
    assert client.get(f"{BASE}/requests/{hotline.tracking_number}.json").status_code == 404


def test_list_filters(client: Client, district: District, api_key: str) -> None:
    from minxin.accounts.actor import Actor
    from minxin.cases import services
    from minxin.cases.workflow import Action

    other = Category.objects.create(name="噪音", parent=district.category.parent)
    a = _create(client, district, api_key)
    b = _create(client, district, api_key, service_code=str(other.pk))
    c = _create(client, district, api_key)
    services.appeal_act(
        appeal_id=c.pk,
        action=Action.MARK_INVALID,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=c.version,
        reason="重复测试",
    )

    def numbers(query: str, fmt: str = "json") -> list[str]:
        response = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert response.status_code == 200, response.content
        if fmt == "xml":
            return [
                r.findtext("service_request_id") or "" for r in _xml(response).findall("request")
            ]
        return [r["service_request_id"] for r in response.json()]

    assert numbers("") == [c.tracking_number, b.tracking_number, a.tracking_number]
    assert numbers("", "xml") == numbers("")
    assert numbers(f"service_code={other.pk}") == [b.tracking_number]
    assert numbers(f"service_code={other.pk},{district.category.pk}&status=closed") == [
        c.tracking_number
    ]
    assert numbers("status=open") == [b.tracking_number, a.tracking_number]
    assert numbers(f"service_request_id={a.tracking_number},{c.tracking_number}") == [
        c.tracking_number,
        a.tracking_number,
    ]
    # Ids override the other filters.
    assert numbers(f"service_request_id={c.tracking_number}&status=open") == [c.tracking_number]
    assert numbers("page_size=2") == [c.tracking_number, b.tracking_number]
    assert numbers("page_size=2&page=2") == [a.tracking_number]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    long_ago = (timezone.localdate() - timedelta(days=60)).isoformat()
    assert numbers(f"start_date={tomorrow}") == []
    assert len(numbers(f"start_date={long_ago}&end_date={tomorrow}")) == 3
    assert numbers(f"end_date={long_ago}T00:00:00Z") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start_date=yesterday", "start_date 格式不正确"),
        ("start_date=2026-13-01T00:00:00Z", "start_date 格式不正确"),
        ("start_date=1900-01-01T00:00:00Z", "start_date 超出范围"),
        ("end_date=9999-01-01", "end_date 超出范围"),
        ("start_date=2026-01-01&end_date=2026-06-01", "90天"),
        ("start_date=2026-06-01&end_date=2026-01-01", "不能晚于"),
        ("status=pending", "status 只能是"),
        ("service_code=999999", "service_code 不存在"),
        ("page=0", "page 必须"),
        ("page=x", "page 和 page_size"),
        ("page_size=1001", "page_size 必须"),
        ("service_request_id=" + ",".join(str(i) for i in range(101)), "最多100个"),
    ],
)
def test_bad_list_queries(client: Client, district: District, query: str, message: str) -> None:
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert message in _errors_json(response)[0]["description"]
    response = client.get(f"{BASE}/requests.xml?{query}")
    assert response.status_code == 400 and message in (
        _xml(response).findtext("error/description") or ""
    )


def test_unknown_ids_and_tokens(client: Client, district: District) -> None:
    for path in ("requests/2026000000001", "requests/abc", "tokens/nope"):
        response = client.get(f"{BASE}/{path}.json")
        assert response.status_code == 404
        _errors_json(response)


def test_list_queries_do_not_grow_with_rows(
    client: Client, district: District, api_key: str, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        _create(client, district, api_key)
    with django_assert_max_num_queries(4):
        assert len(client.get(f"{BASE}/requests.json").json()) == 5


def test_updates_are_refused_on_post(client: Client, district: District) -> None:
    response = client.post(f"{BASE}/servicerequestupdates.json", {"x": "1"})
    assert response.status_code == 403
    _errors_json(response)


def test_openapi_document(client: Client, district: District) -> None:
    body = client.get(f"{BASE}/openapi.json").json()
    assert body["openapi"].startswith("3.")
    assert "/requests.json" in body["paths"]
    assert body["servers"][0]["url"].endswith("/open311/v2")


def test_nul_and_odd_characters_never_reach_the_database(
    client: Client, district: District, api_key: str
) -> None:
    # PostgreSQL refuses NUL in text: each of these must be a 4xx or be cleaned, never a 500.
    for path, status in (
        ("requests.json?service_request_id=%00", 200),  # read as empty: no filter
        ("requests.json?service_request_id=1%00x", 400),
        ("requests.json?service_request_id=%C2%B2", 400),
        ("requests.json?service_code=%00", 200),
        ("requests.json?service_code=9%009", 400),
        ("requests/%00.json", 404),
        ("tokens/%00.json", 404),
        ("services/%C2%B2.json", 404),
        ("services.json?jurisdiction_id=x%00", 404),
        ("requests.json?start_date=2026%00", 400),
    ):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == status, path
        if status != 200:
            _errors_json(response)
    form = post_form(district, address_id="A3-01-01\x00", email="\x00", description="a\x00b")
    response = _post(client, "json", {**form, "api_key": api_key})
    assert response.status_code == 200
    assert Appeal.objects.get().content == "ab"
