"""The phone in a browser: the exchange rings (over HTTP, as scripts/pbx_play.py does), the
call-taker's console pops the caller with their earlier appeals, the call is answered and
received as an appeal that keeps the call and its recording; the call log at 1366 and 390 px
(screenshots cti-*)."""

import importlib.util
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from minxin.cases.models import Appeal
from minxin.cti.models import Call
from minxin.cti.services import pbx_create
from minxin.cti.workflow import CallStatus
from tests.builders import District, appeal_new

from .conftest import PHONE, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

CALLER = "13812345678"
RECORDINGS = "https://pbx.a3.example.gov.cn/recordings/"
_spec = importlib.util.spec_from_file_location(
    "pbx_play", Path(__file__).resolve().parents[2] / "scripts" / "pbx_play.py"
)
assert _spec and _spec.loader
pbx_play = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pbx_play)


def test_a_call_taker_takes_a_call_and_receives_its_appeal(
    new_page, live_server, live_district: District
):
    d = live_district
    earlier = appeal_new(d, appellant_phone=CALLER, title="景蓉华苑门口垃圾无人清运")
    _, token = pbx_create(name="A3区12345交换机", recording_prefix=RECORDINGS)

    def exchange(event: str, **params: str) -> None:
        base = [("event", event), ("callId", "e2e-1"), ("direction", "in")]
        status, body = pbx_play.send(live_server.url, token, base + list(params.items()))
        assert (status, body) == (200, {}), body

    page = new_page()
    login(page, "call_taker", "pw-call_taker")
    page.goto("/console/intake/hotline/")
    expect(page.locator(".cti-call")).to_have_count(0)

    # It rings: the console pops the caller, masked, with the earlier appeal.
    exchange("newCall", **{"from": "+86 138 1234 5678", "to": "12345", "user": "call_taker"})
    popped = page.locator(".cti-call")
    expect(popped).to_be_visible()
    expect(popped).to_contain_text("振铃中")
    expect(popped).to_contain_text("138****5678")
    expect(popped).to_contain_text(earlier.tracking_number)
    assert CALLER not in page.content()
    snap(page, "cti-popup-ringing-1366")

    # Answered: the pop-up offers to receive the appeal.
    exchange("answer", user="call_taker", answeringNumber="8001")
    receive = popped.get_by_role("link", name="受理此来电")
    expect(receive).to_be_visible()
    expect(popped).to_contain_text("通话中")
    receive.click()
    expect(page.locator("#call-appeal-form")).to_be_visible()
    form = page.locator("#call-appeal-form")
    form.locator("input[name=appellant_name]").fill("王先生")
    form.locator("input[name=title]").fill("景蓉华苑门口垃圾又堆了三天")
    form.locator("textarea[name=content]").fill(
        "上次反映后清运过一次，这周又堆了三天没人管，气味很大。"
    )
    snap(page, "cti-call-1366")
    form.locator("textarea[name=content]").press("Control+Enter")
    expect(page.locator(".msg-success")).to_contain_text("已受理")

    appeal = Appeal.objects.exclude(pk=earlier.pk).get()
    call = Call.objects.get(call_id="e2e-1")
    assert call.appeal_id == appeal.pk
    assert (appeal.appellant_phone, appeal.appellant_name) == (CALLER, "王先生")

    # Hung up with its recording: the appeal's page shows the call and the recording.
    exchange("hangup", cause="normalClearing", recordingUrl=RECORDINGS + "e2e-1.mp3")
    page.goto(f"/console/appeals/{appeal.pk}/")
    panel = page.locator("#appeal-call")
    expect(panel).to_contain_text("e2e-1")
    expect(panel.locator("a[data-recording]")).to_have_attribute("href", RECORDINGS + "e2e-1.mp3")
    expect(page.locator(".cti-call")).to_have_count(0)
    assert Call.objects.get(pk=call.pk).status == CallStatus.ENDED


def test_the_call_log_and_a_missed_call_on_a_desk_and_a_phone(
    new_page, live_server, live_district: District
):
    _, token = pbx_create(name="A3区12345交换机", recording_prefix=RECORDINGS)
    common = {"url": live_server.url, "token": token, "line": "12345", "ring": 0, "talk": 0}
    pbx_play.play(caller="13900001111", user="call_taker", call_id="a", **common)
    pbx_play.play(caller="13700002222", missed=True, call_id="b", **common)
    pbx_play.play(
        caller="073184567890",
        user="call_taker",
        call_id="c",
        recording=RECORDINGS + "c.mp3",
        **common,
    )
    page = new_page()
    login(page, "call_taker", "pw-call_taker")
    page.goto("/console/cti/calls/")
    rows = page.locator("table.cards tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-figure=missed]")).to_have_text("1")
    expect(page.locator("[data-figure=answered]")).to_have_text("2")
    assert "13700002222" not in page.content()
    snap(page, "cti-call-log-1366")
    page.locator("select[name=status]").select_option("missed")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"status=missed"))

    # The missed caller, called back: the whole number, once, logged.
    rows.first.get_by_role("link").first.click()
    page.get_by_role("button", name="查看完整号码").click()
    expect(page.locator(".phone-revealed")).to_contain_text("13700002222")

    phone = new_page(phone=True)
    login(phone, "call_taker", "pw-call_taker")
    phone.goto("/console/cti/calls/")
    expect(phone.locator("table.cards thead")).to_be_hidden()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    snap(phone, "cti-call-log-390")
    # A call ringing on the phone-sized console.
    pbx_play.send(
        live_server.url,
        token,
        [("event", "newCall"), ("callId", "d"), ("direction", "in"), ("from", "13900001111")],
    )
    phone.goto("/console/intake/hotline/")
    expect(phone.locator(".cti-call.cti-ringing")).to_contain_text("139****1111")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(phone, "cti-popup-ringing-390")
