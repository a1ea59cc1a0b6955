"""The hook as an exchange calls it: the generic CTI's events, their idempotent retries, what
it refuses (4xx in Chinese, nothing written) and who may call it at all."""

import logging

import pytest
from django.core.cache import cache

from minxin.cti.models import Call, CallEvent, Pbx
from minxin.cti.services import pbx_create, pbx_revoke
from minxin.cti.workflow import CallStatus

from .conftest import RECORDINGS

CALLER = "13812345678"


def _ring(hook, call_id="c-1", **extra):
    params = {"event": "newCall", "callId": call_id, "from_": "+86 138 1234 5678", "to": "12345"}
    return hook(**{**params, "direction": "in", **extra})


def test_ring_answer_hang_up(district, hook):
    assert _ring(hook, user="call_taker").json() == {}
    call = Call.objects.get(call_id="c-1")
    assert (call.status, call.phone, call.line) == (CallStatus.RINGING, CALLER, "12345")
    assert list(call.offered_to.all()) == [district.user("call_taker")]

    answered = hook(event="answer", callId="c-1", user="call_taker", answeringNumber="8001")
    assert answered.status_code == 200
    call.refresh_from_db()
    assert call.status == CallStatus.ANSWERED
    assert call.agent == district.user("call_taker")
    assert (call.answering_number, call.wait_seconds) == ("8001", 0)

    url = RECORDINGS + "2026/12/05/c-1.mp3"
    ended = hook(event="hangup", callId="c-1", cause="normalClearing", recordingUrl=url)
    assert ended.status_code == 200
    call.refresh_from_db()
    assert (call.status, call.cause, call.recording_url) == (
        CallStatus.ENDED,
        "normalClearing",
        url,
    )
    assert call.talk_seconds is not None and call.ended_at is not None
    assert [e.action for e in call.events.order_by("id")] == ["ring", "answer", "hang_up"]


def test_a_call_hung_up_before_an_answer_is_missed(district, hook):
    _ring(hook)
    assert hook(event="hangup", callId="c-1", cause="cancel").status_code == 200
    call = Call.objects.get(call_id="c-1")
    assert (call.status, call.answered_at, call.talk_seconds) == (CallStatus.MISSED, None, None)
    assert call.wait_seconds is not None


def test_retries_change_nothing(district, hook):
    for _ in range(2):
        assert _ring(hook).status_code == 200
        assert hook(event="answer", callId="c-1").status_code == 200
    assert hook(event="hangup", callId="c-1").status_code == 200
    assert hook(event="hangup", callId="c-1").status_code == 200
    assert hook(event="answer", callId="c-1").status_code == 200  # late, already over
    assert Call.objects.count() == 1
    assert CallEvent.objects.count() == 3


def test_an_answer_after_a_missed_call_is_refused(district, hook):
    _ring(hook)
    hook(event="hangup", callId="c-1", cause="noAnswer")
    refused = hook(event="answer", callId="c-1")
    assert refused.status_code == 409
    assert "未接" in refused.json()["error"]
    assert Call.objects.get().status == CallStatus.MISSED


def test_outbound_call_is_the_called_number(district, hook):
    hook(
        event="newCall",
        callId="o-1",
        from_="8001",
        to="0731-84567890",
        direction="out",
        user="call_taker",
    )
    call = Call.objects.get()
    assert (call.phone, call.line, call.agent) == (
        "073184567890",
        "8001",
        district.user("call_taker"),
    )
    assert not call.offered_to.exists()


def test_withheld_number(district, hook):
    assert _ring(hook, from_="anonymous").status_code == 200
    assert Call.objects.get().phone == ""


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"event": "ring", "callId": "x"}, "event"),
        ({"event": "newCall", "callId": "", "direction": "in"}, "callId"),
        ({"event": "newCall", "callId": "x" * 101, "direction": "in"}, "callId"),
        ({"event": "newCall", "callId": "x", "direction": "sideways"}, "direction"),
        ({"event": "newCall", "callId": "x", "direction": "in", "from_": "138abc"}, "from"),
        ({"event": "newCall", "callId": "x", "direction": "in", "from_": "1" * 30}, "from"),
        (
            {
                "event": "newCall",
                "callId": "x",
                "direction": "in",
                "user": [f"u{i}" for i in range(21)],
            },
            "user",
        ),
        ({"event": "answer", "callId": "nope"}, "callId"),
        ({"event": "newCall", "callId": "x", "direction": "in", "cause": "busy"}, "cause"),
    ],
)
def test_bad_requests_are_refused_in_chinese(district, hook, params, message):
    response = hook(**params)
    assert 400 <= response.status_code < 500
    assert message in response.json()["error"]
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example.com/rec.mp3",
        "javascript:alert(1)",
        RECORDINGS.replace("https://", "https://user:pw@") + "a.mp3",
        RECORDINGS + "../../etc/passwd",
        RECORDINGS + "a b.mp3",
        RECORDINGS,
        RECORDINGS + "x" * 500,
    ],
)
def test_a_recording_outside_the_exchange_server_is_refused(district, hook, url):
    _ring(hook)
    hook(event="answer", callId="c-1")
    refused = hook(event="hangup", callId="c-1", recordingUrl=url)
    assert refused.status_code == 400
    assert "recordingUrl" in refused.json()["error"]
    assert Call.objects.get().status == CallStatus.ANSWERED


def test_no_recording_without_a_registered_server(district, client):
    _, token = pbx_create(name="无录音交换机")
    headers = {"Authorization": f"Bearer {token}"}
    client.post(
        "/cti/hook", {"event": "newCall", "callId": "r", "direction": "in"}, headers=headers
    )
    refused = client.post(
        "/cti/hook",
        {"event": "hangup", "callId": "r", "recordingUrl": "https://a.example/r.mp3"},
        headers=headers,
    )
    assert refused.status_code == 400
    assert "录音地址前缀" in refused.json()["error"]


def test_the_token_is_required_and_checked(district, client, hook, pbx_token):
    params = {"event": "newCall", "callId": "t", "direction": "in"}
    assert client.post("/cti/hook", params).status_code == 403
    wrong = pbx_token[:8] + "x" * (len(pbx_token) - 8)
    assert hook(token=wrong, **params).status_code == 403
    assert hook(token="short", **params).status_code == 403
    # In the body, for an exchange that cannot set headers.
    assert client.post("/cti/hook", {**params, "token": pbx_token}).status_code == 200
    pbx_revoke(prefix=pbx_token[:8])
    assert hook(**{**params, "callId": "t2"}).status_code == 403
    assert Call.objects.count() == 1


def test_the_token_is_stored_hashed(district, pbx_token):
    pbx = Pbx.objects.get()
    assert pbx_token not in (pbx.token_hash, pbx.prefix, pbx.name)
    assert pbx.prefix == pbx_token[:8]


def test_calls_from_two_exchanges_keep_their_ids_apart(district, client, hook):
    _, other = pbx_create(name="B交换机")
    _ring(hook)
    client.post(
        "/cti/hook",
        {"event": "newCall", "callId": "c-1", "direction": "in"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert Call.objects.filter(call_id="c-1").count() == 2


def test_json_bodies_are_accepted(district, client, pbx_token):
    response = client.post(
        "/cti/hook",
        {
            "event": "newCall",
            "callId": "j",
            "direction": "in",
            "from": CALLER,
            "user": ["call_taker"],
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {pbx_token}"},
    )
    assert response.status_code == 200
    assert Call.objects.get().phone == CALLER
    bad = client.post(
        "/cti/hook",
        "[1]",
        content_type="application/json",
        headers={"Authorization": f"Bearer {pbx_token}"},
    )
    assert bad.status_code == 400


def test_only_post(district, client):
    response = client.get("/cti/hook")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_wrong_tokens_are_rate_limited(district, client, settings):
    settings.MINXIN = {**settings.MINXIN, "CTI_BAD_TOKEN_RATE": "3/m"}
    cache.clear()
    statuses = [
        client.post(
            "/cti/hook", {"event": "newCall"}, headers={"Authorization": "Bearer " + "y" * 43}
        ).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [403, 403, 403]
    assert statuses[-1] == 429


def test_an_exchange_is_rate_limited(district, hook, settings):
    settings.MINXIN = {**settings.MINXIN, "CTI_PBX_RATE": "2/m"}
    cache.clear()
    statuses = [_ring(hook, call_id=f"c{i}").status_code for i in range(3)]
    assert statuses == [200, 200, 429]


def test_no_number_in_the_log(district, hook, caplog):
    with caplog.at_level(logging.DEBUG):
        _ring(hook)
        hook(event="answer", callId="c-1")
        hook(event="hangup", callId="c-1")
    assert "cti newCall" in caplog.text
    for shape in ("13812345678", "138 1234", "5678"):
        assert shape not in caplog.text
