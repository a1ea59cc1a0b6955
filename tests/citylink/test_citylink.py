"""The city link in one process and one database: a "city" peer and a "district" peer both
registered here, the wire (Open311 POSTs) carried by the Django test client instead of the
network, so every piece is the real one but the socket (tests/citylink/test_live.py has the
socket: two servers and a worker)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.services import peers as peer_services
from minxin.cases.workflow import Action, AppealStatus
from minxin.citylink.client import PeerPermanentError, PeerTransientError
from minxin.citylink.models import MessageKind, OutboxMessage, OutboxStatus, Peer, ReceivedUpdate
from minxin.citylink.services import backoff, outbox_due
from minxin.deadlines.models import Urgency
from minxin.open311.selectors import jurisdiction_id
from minxin.open311.services import api_key_create
from tests.builders import District

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _rate_counters_clear():
    cache.clear()
    yield
    cache.clear()


class Wire:
    """Both peers' keys and a peer_post that posts into this very server."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.city = Peer.objects.create(code="city", name="市平台", base_url="http://city.test/o")
        self.district = Peer.objects.create(
            code="district", name="区平台", base_url="http://district.test/o"
        )
        # The key the city uses on the district (the district's key for its peer "city"), and
        # the district's on the city (the city's key for its peer "district"): one server here.
        self.keys = {
            "city": api_key_create(name="市平台下派", peer_id=self.city.pk)[1],
            "district": api_key_create(name="区平台上报", peer_id=self.district.pk)[1],
        }
        self.sent: list[tuple[str, str, dict[str, str]]] = []
        self.down = False

    def post(
        self, peer: Peer, endpoint: str, fields: dict[str, str], *, idempotency_key: str = ""
    ) -> list[dict[str, Any]]:
        if self.down:
            raise PeerTransientError("无法连接对方平台：Connection refused")
        self.sent.append((peer.code, endpoint, dict(fields)))
        # A request to the district is made with a key of the city's peer row there, and so on.
        key = api_key_for_peer_side(self, peer)
        headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
        response = self.client.post(
            f"{BASE}/{endpoint}.json",
            {"api_key": key, "jurisdiction_id": jurisdiction_id(), **fields},
            **headers,
        )
        if response.status_code in (400, 404, 422):
            raise PeerPermanentError(f"HTTP {response.status_code}")
        assert response.status_code == 200, response.content.decode()
        return response.json()


def api_key_for_peer_side(wire: Wire, peer: Peer) -> str:
    """Sending to the district: we are the city there (a key whose peer is the city); sending
    to the city: we are the district there."""
    return wire.keys["city"] if peer.code == "district" else wire.keys["district"]


@pytest.fixture
def wire(client: Client, monkeypatch: pytest.MonkeyPatch) -> Wire:
    w = Wire(client)
    monkeypatch.setattr(peer_services, "peer_post", w.post)
    return w


def deliver_all() -> list[str]:
    """What the worker would do: every due message, until none is left due."""
    outcomes = []
    for _ in range(20):
        due = outbox_due(now=timezone.now() + timedelta(days=1))
        if not due:
            break
        for message_id in due:
            OutboxMessage.objects.filter(pk=message_id).update(next_attempt_at=timezone.now())
            outcomes.append(services.peer_message_deliver(message_id=message_id))
    return outcomes


def v(appeal_id: int) -> int:
    return Appeal.objects.get(pk=appeal_id).version


def city_appeal_sent_down(district: District, wire: Wire, due: Any = None) -> Appeal:
    appeal = services.appeal_create(
        actor=Actor.of(district.user("call_taker")),
        draft=services.AppealDraft(
            channel="hotline",
            kind="complaint",
            title="路灯不亮",
            content="桂花路12号门口路灯不亮已一周，晚上行人看不清路。",
            place_text="桂花路12号",
            appellant_name="张三",
            appellant_phone="13812345678",
        ),
    ).appeal
    dispatcher = Actor.of(district.user("dispatcher"))
    services.appeal_screen(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=v(appeal.pk),
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    services.appeal_send_down(
        appeal_id=appeal.pk,
        actor=dispatcher,
        expected_version=v(appeal.pk),
        peer="district",
        service_code=str(district.category.pk),
        due=due,
    )
    return Appeal.objects.get(pk=appeal.pk)


def handle(district: District, appeal_id: int, reply: str) -> None:
    dispatcher = Actor.of(district.user("dispatcher"))
    handler = Actor.of(district.user("handler"))
    appeal = Appeal.objects.get(pk=appeal_id)
    if appeal.status == AppealStatus.RECEIVED:
        services.appeal_screen(
            appeal_id=appeal_id,
            actor=dispatcher,
            expected_version=v(appeal_id),
            category_id=district.category.pk,
            region_id=district.communities[0].pk,
            urgency=Urgency.NORMAL,
        )
    services.appeal_dispatch(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=v(appeal_id),
        lead_unit_id=district.street_units[0].pk,
    )
    services.appeal_act(
        appeal_id=appeal_id, action=Action.ACCEPT, actor=handler, expected_version=v(appeal_id)
    )
    services.appeal_act(
        appeal_id=appeal_id,
        action=Action.FIRST_CONTACT,
        actor=handler,
        expected_version=v(appeal_id),
        reason="已电话联系诉求人",
    )
    services.reply_submit(
        appeal_id=appeal_id, actor=handler, expected_version=v(appeal_id), reason=reply
    )


def test_a_work_order_goes_down_and_its_reply_comes_back(district, wire, settings):
    settings.MINXIN_CITYLINK = {"BACKOFF_SECONDS": 30, "BACKOFF_MAX_SECONDS": 3600}
    due = timezone.now() + timedelta(hours=30)
    city = city_appeal_sent_down(district, wire, due=due)
    message = OutboxMessage.objects.get(appeal_id=city.pk)
    assert message.kind == MessageKind.REQUEST and message.peer.code == "district"
    assert AppealEvent.objects.filter(appeal=city, action=Action.SEND_DOWN).count() == 1

    assert deliver_all() == ["sent"]
    city.refresh_from_db()
    down = Appeal.objects.get(upstream_id=city.tracking_number)
    assert city.downstream_id == down.tracking_number
    assert down.upstream_peer.code == "city" and down.upstream_due == due
    assert down.channel == "api" and down.appellant_phone == "13812345678"

    handle(district, down.pk, "路灯已于今日修复，经现场核实恢复照明。")
    down.refresh_from_db()
    assert down.status == AppealStatus.RESOLVED
    # The district's own deadline is the city's, not its policy's (later).
    assert down.resolve_due <= down.upstream_due and down.first_contact_due <= down.upstream_due

    kinds = list(
        OutboxMessage.objects.filter(appeal_id=down.pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds[-1] == MessageKind.REPLY and set(kinds[:-1]) == {MessageKind.UPDATE}
    assert deliver_all() == ["sent"] * len(kinds)
    updates = [f for _, endpoint, f in wire.sent if endpoint == "servicerequestupdates"]
    assert [u["update_id"] for u in updates] == [
        str(m)
        for m in OutboxMessage.objects.filter(appeal_id=down.pk)
        .order_by("id")
        .values_list("message_id", flat=True)
    ]
    assert updates[-1]["external_status_code"] == "reply"
    assert updates[-1]["status"] == "closed"
    assert updates[-1]["service_request_id"] == city.tracking_number

    city_events = AppealEvent.objects.filter(appeal=city).order_by("id")
    recorded = [e.action for e in city_events if e.action.startswith("downstream")]
    assert recorded == [Action.DOWNSTREAM_UPDATE] * (len(kinds) - 1) + [Action.DOWNSTREAM_REPLY]
    reply = city_events.filter(action=Action.DOWNSTREAM_REPLY).get()
    assert reply.reason == "路灯已于今日修复，经现场核实恢复照明。"
    assert reply.payload["peer"] == "district"
    assert Appeal.objects.get(pk=city.pk).status == AppealStatus.SCREENED  # its own loop


def test_a_resent_update_is_recorded_once(district, wire, client):
    city = city_appeal_sent_down(district, wire)
    deliver_all()
    fields = {
        "api_key": wire.keys["district"],
        "jurisdiction_id": jurisdiction_id(),
        "service_request_id": city.tracking_number,
        "update_id": "7d0c6a4e-1f0b-4f55-9b0e-3b0c1d2e3f40",
        "status": "open",
        "description": "接单：已接单",
        "external_status_code": "accept",
    }
    first = client.post(f"{BASE}/servicerequestupdates.json", fields)
    again = client.post(f"{BASE}/servicerequestupdates.json", fields)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert AppealEvent.objects.filter(appeal=city, action=Action.DOWNSTREAM_UPDATE).count() == 1
    assert ReceivedUpdate.objects.filter(update_id=fields["update_id"]).count() == 1


def test_updates_only_from_the_peer_an_appeal_went_to(district, wire, client):
    city = city_appeal_sent_down(district, wire)
    deliver_all()
    fields = {
        "jurisdiction_id": jurisdiction_id(),
        "service_request_id": city.tracking_number,
        "update_id": "u-1",
        "description": "办理中",
    }
    plain = api_key_create(name="普通客户端")[1]
    other_peer = Peer.objects.create(code="other", name="其他区", base_url="http://o.test/o")
    other = api_key_create(name="其他区上报", peer_id=other_peer.pk)[1]
    url = f"{BASE}/servicerequestupdates.json"
    assert client.post(url, {**fields, "api_key": plain}).status_code == 403
    assert client.post(url, {**fields, "api_key": "x" * 43}).status_code == 403
    refused = client.post(url, {**fields, "api_key": other})
    assert refused.status_code == 404 and "下派" in refused.json()[0]["description"]
    missing = client.post(url, {**fields, "api_key": wire.keys["district"], "update_id": ""})
    assert missing.status_code == 400
    assert not AppealEvent.objects.filter(appeal=city, action__startswith="downstream").exists()


def test_a_work_order_resent_finds_its_appeal(district, wire, client):
    fields = {
        "api_key": wire.keys["city"],
        "jurisdiction_id": jurisdiction_id(),
        "service_code": str(district.category.pk),
        "address_string": "景蓉华苑北门",
        "description": "垃圾无人清运",
        "attribute[upstream_id]": "SZ-2026-000123",
        "attribute[upstream_due]": "2026-12-31T18:00:00+08:00",
    }
    first = client.post(f"{BASE}/requests.json", fields)
    # A resend, even with another idempotency key or a changed text, is the same work order.
    again = client.post(
        f"{BASE}/requests.json",
        {**fields, "description": "垃圾无人清运（重发）"},
        HTTP_IDEMPOTENCY_KEY="another",
    )
    assert first.status_code == again.status_code == 200, again.content
    number = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == number
    appeal = Appeal.objects.get(tracking_number=number)
    assert Appeal.objects.filter(upstream_id="SZ-2026-000123").count() == 1
    assert appeal.upstream_peer.code == "city"
    assert appeal.upstream_due.isoformat() == "2026-12-31T10:00:00+00:00"
    # A client that is not a peer: its attributes mean nothing here.
    plain = api_key_create(name="普通客户端")[1]
    other = client.post(f"{BASE}/requests.json", {**fields, "api_key": plain})
    assert other.status_code == 200
    assert (
        Appeal.objects.get(tracking_number=other.json()[0]["service_request_id"]).upstream_peer
        is None
    )
    bad = client.post(f"{BASE}/requests.json", {**fields, "attribute[upstream_due]": "明天"})
    assert bad.status_code == 400


def test_the_outbox_retries_with_backoff_and_keeps_the_order(district, wire, settings):
    settings.MINXIN_CITYLINK = {"BACKOFF_SECONDS": 30, "BACKOFF_MAX_SECONDS": 100}
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 100, 100, 100]
    city = city_appeal_sent_down(district, wire)
    deliver_all()
    down = Appeal.objects.get(upstream_id=city.tracking_number)
    wire.down = True
    handle(district, down.pk, "已清运。")
    messages = list(OutboxMessage.objects.filter(appeal_id=down.pk).order_by("id"))
    first, second = messages[0], messages[1]
    before = timezone.now()
    assert services.peer_message_deliver(message_id=first.pk) == "retry"
    first.refresh_from_db()
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert "Connection refused" in first.last_error
    assert first.next_attempt_at >= before + timedelta(seconds=29)
    # Not due yet: a second run leaves it alone; the later step waits for it.
    assert services.peer_message_deliver(message_id=first.pk) == "skipped"
    assert services.peer_message_deliver(message_id=second.pk) == "waiting"
    second.refresh_from_db()
    assert second.attempts == 0 and second.next_attempt_at > first.next_attempt_at
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert services.peer_message_deliver(message_id=first.pk) == "retry"
    first.refresh_from_db()
    assert first.attempts == 2 and first.next_attempt_at >= timezone.now() + timedelta(seconds=59)
    wire.down = False
    outcomes = deliver_all()
    assert outcomes.count("sent") == len(messages)
    assert set(
        OutboxMessage.objects.filter(appeal_id=down.pk).values_list("status", flat=True)
    ) == {OutboxStatus.SENT}
    recorded = AppealEvent.objects.filter(appeal=city, action__startswith="downstream")
    assert recorded.count() == len(messages)


def test_a_refused_message_fails_for_staff_and_holds_the_rest(district, wire):
    city = city_appeal_sent_down(district, wire)
    deliver_all()
    down = Appeal.objects.get(upstream_id=city.tracking_number)
    Appeal.objects.filter(pk=down.pk).update(upstream_id="NO-SUCH-ORDER")  # the city says 404
    handle(district, down.pk, "已清运。")
    outcomes = deliver_all()
    assert outcomes[0] == "failed"
    first = OutboxMessage.objects.filter(appeal_id=down.pk).order_by("id").first()
    assert first.status == OutboxStatus.FAILED and "404" in first.last_error
    assert not OutboxMessage.objects.filter(appeal_id=down.pk, status=OutboxStatus.SENT).exists()


def test_appeals_from_no_peer_send_nothing(district, wire):
    appeal = Appeal.objects.create(
        tracking_number="2026010100001",
        query_code="ABCDEF",
        channel="web",
        kind="complaint",
        title="t",
        content="c",
        is_anonymous=True,
    )
    handle(district, appeal.pk, "已处理。")
    assert not OutboxMessage.objects.exists()


def test_the_appeal_page_shows_the_link_to_staff(district, wire, client):
    city = city_appeal_sent_down(district, wire, due=timezone.now() + timedelta(hours=30))
    wire.down = True
    assert deliver_all()[0] == "retry"
    client.force_login(district.user("dispatcher"))
    page = client.get(reverse("cases:appeal_detail", args=[city.pk])).content.decode()
    assert "上下级平台" in page and "区平台" in page and "待对方受理" in page
    assert "下派工单" in page and "Connection refused" in page
    wire.down = False
    deliver_all()
    down = Appeal.objects.get(upstream_id=city.tracking_number)
    handle(district, down.pk, "已修复。")
    page = client.get(reverse("cases:appeal_detail", args=[down.pk])).content.decode()
    assert city.tracking_number in page and "本级时限未超出" in page and "市平台" in page
