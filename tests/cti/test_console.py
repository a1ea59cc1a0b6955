"""The call-taker's side: the console pops the caller's earlier appeals on ring (masked),
an answered call becomes an appeal that keeps the call, the call log with its figures and
filters, the logged reveal of a caller's number, and who may see any of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minxin.audit.models import AuditEvent, AuditKind
from minxin.cases.models import Appeal, Channel
from minxin.cases.services import AppealDraft
from minxin.core.errors import IllegalTransition, PermissionDenied
from minxin.cti.models import Call, Pbx
from minxin.cti.services import CallNotice, call_appeal_receive, call_notice_receive
from minxin.cti.workflow import CallStatus
from tests.builders import appeal_new

from .conftest import RECORDINGS

CALLER = "13812345678"


def _notice(event, call_id="c-1", **kw):
    return CallNotice(event=event, call_id=call_id, **kw)


def _call(status=CallStatus.ENDED, *, call_id="c-1", phone=CALLER, user="call_taker"):
    pbx = Pbx.objects.get()
    users = (user,) if user else ()
    call = call_notice_receive(
        pbx=pbx,
        notice=_notice("newCall", call_id, direction="in", from_number=phone, users=users),
    ).call
    if status in (CallStatus.ANSWERED, CallStatus.ENDED):
        call = call_notice_receive(pbx=pbx, notice=_notice("answer", call_id, users=users)).call
    if status in (CallStatus.ENDED, CallStatus.MISSED):
        url = RECORDINGS + f"{call_id}.mp3"
        call = call_notice_receive(
            pbx=pbx, notice=_notice("hangup", call_id, cause="normalClearing", recording_url=url)
        ).call
    return call


def _draft(**kw):
    fields = {
        "channel": Channel.HOTLINE,
        "kind": "complaint",
        "title": "楼道灯坏了",
        "content": "景蓉社区3栋楼道灯坏了一周，晚上看不见。",
    }
    return AppealDraft(**{**fields, **kw})


def test_the_console_pops_a_ringing_call_with_the_earlier_appeals(district, client, pbx_token):
    earlier = appeal_new(district, appellant_phone=CALLER, title="小区门口垃圾没人清")
    _call(CallStatus.RINGING)
    client.force_login(district.user("call_taker"))
    page = client.get("/console/cti/popup/").content.decode()
    assert "138****5678" in page and CALLER not in page
    assert earlier.tracking_number in page and "振铃中" in page
    # The console itself polls it.
    assert "/console/cti/popup/" in client.get("/console/intake/hotline/").content.decode()


def test_a_call_rung_for_someone_else_is_not_popped(district, client, pbx_token):
    _call(CallStatus.RINGING, user="dispatcher")
    client.force_login(district.user("call_taker"))
    assert "cti-call" not in client.get("/console/cti/popup/").content.decode()
    client.force_login(district.user("dispatcher"))
    assert "cti-call" in client.get("/console/cti/popup/").content.decode()


def test_a_stale_ringing_call_is_let_go(district, client, pbx_token):
    call = _call(CallStatus.RINGING, user="")
    Call.objects.filter(pk=call.pk).update(started_at=timezone.now() - timedelta(minutes=11))
    client.force_login(district.user("call_taker"))
    assert "cti-call" not in client.get("/console/cti/popup/").content.decode()


def test_the_console_keeps_an_ended_call_until_it_is_written_up(district, client, pbx_token):
    call = _call(CallStatus.ENDED)
    client.force_login(district.user("call_taker"))
    assert "受理此来电" in client.get("/console/cti/popup/").content.decode()
    response = client.post(
        f"/console/cti/calls/{call.pk}/",
        {
            "kind": "complaint",
            "urgency": "normal",
            "title": "楼道灯坏了",
            "content": "楼道灯坏了一周",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    call.refresh_from_db()
    assert call.appeal == appeal
    assert (appeal.channel, appeal.appellant_phone) == (Channel.HOTLINE, CALLER)
    assert appeal.submission_key == f"cti:{call.pk}"
    assert "cti-call" not in client.get("/console/cti/popup/").content.decode()
    # The appeal's page shows the call: its id and its recording.
    panel = client.get(f"/console/cti/appeals/{appeal.pk}/call/").content.decode()
    assert "c-1" in panel and RECORDINGS + "c-1.mp3" in panel
    assert call.events.filter(action="receive_appeal", actor=district.user("call_taker")).exists()


def test_a_bad_form_keeps_what_was_typed(district, client, pbx_token):
    call = _call(CallStatus.ANSWERED)
    client.force_login(district.user("call_taker"))
    response = client.post(
        f"/console/cti/calls/{call.pk}/",
        {"kind": "complaint", "title": "", "content": "楼道灯坏了一周"},
    )
    assert response.status_code == 400
    assert "楼道灯坏了一周" in response.content.decode()
    assert not Appeal.objects.exists()


def test_one_appeal_per_call(district, pbx_token):
    call = _call(CallStatus.ANSWERED)
    taker = district.user("call_taker")
    first = call_appeal_receive(actor=taker, call_pk=call.pk, draft=_draft())
    with pytest.raises(IllegalTransition):
        call_appeal_receive(actor=taker, call_pk=call.pk, draft=_draft())
    assert Appeal.objects.get() == first.appeal


def test_another_number_given_by_the_caller_wins(district, pbx_token):
    call = _call(CallStatus.ENDED)
    created = call_appeal_receive(
        actor=district.user("call_taker"),
        call_pk=call.pk,
        draft=_draft(appellant_phone="13900001111"),
    )
    assert created.appeal.appellant_phone == "13900001111"


def test_a_ringing_or_missed_call_is_no_appeal_yet(district, pbx_token):
    taker = district.user("call_taker")
    for status, call_id in ((CallStatus.RINGING, "r"), (CallStatus.MISSED, "m")):
        call = _call(status, call_id=call_id)
        with pytest.raises(IllegalTransition):
            call_appeal_receive(actor=taker, call_pk=call.pk, draft=_draft())
    assert not Appeal.objects.exists()


def test_only_those_who_take_calls_receive_one(district, pbx_token):
    call = _call(CallStatus.ENDED)
    for key in ("supervisor", "handler", "leader"):
        with pytest.raises(PermissionDenied):
            call_appeal_receive(actor=district.user(key), call_pk=call.pk, draft=_draft())
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("key", ["handler", "leader"])
def test_calls_are_not_for_everyone(district, client, pbx_token, key):
    call = _call(CallStatus.ENDED)
    client.force_login(district.user(key))
    for url in ("/console/cti/calls/", f"/console/cti/calls/{call.pk}/", "/console/cti/popup/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/cti/calls/{call.pk}/phone/").status_code == 404


def test_the_panel_of_an_appeal_without_a_call_is_empty(district, client, pbx_token):
    appeal = appeal_new(district)
    client.force_login(district.user("supervisor"))
    response = client.get(f"/console/cti/appeals/{appeal.pk}/call/")
    assert response.status_code == 200 and "来电记录" not in response.content.decode()


def test_the_call_log(district, client, pbx_token):
    _call(CallStatus.ENDED, call_id="a")
    _call(CallStatus.MISSED, call_id="b")
    _call(CallStatus.RINGING, call_id="c")
    client.force_login(district.user("supervisor"))
    page = client.get("/console/cti/calls/").content.decode()
    assert page.count("data-call=") == 3
    assert 'data-figure="answered">1<' in page and 'data-figure="missed">1<' in page
    assert 'data-figure="answer_rate">50%<' in page
    assert CALLER not in page and "138****5678" in page
    missed = client.get("/console/cti/calls/?status=missed").content.decode()
    assert missed.count("data-call=") == 1
    today = timezone.localdate().isoformat()
    assert (
        client.get(f"/console/cti/calls/?since={today}&until={today}")
        .content.decode()
        .count("data-call=")
        == 3
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "data-call=" not in client.get(f"/console/cti/calls/?since={tomorrow}").content.decode()
    # Nonsense filters are ignored, never a 500.
    assert (
        client.get("/console/cti/calls/?status=x&agent=abc&since=2026-13-40&page=zz").status_code
        == 200
    )


def test_the_call_log_pages(district, client, pbx_token, django_assert_max_num_queries):
    for i in range(30):
        _call(CallStatus.MISSED, call_id=f"p{i}", user="")
    client.force_login(district.user("call_taker"))
    with django_assert_max_num_queries(12):
        first = client.get("/console/cti/calls/").content.decode()
    assert first.count("data-call=") == 25
    assert client.get("/console/cti/calls/?page=2").content.decode().count("data-call=") == 5


def test_a_reveal_of_the_caller_number_is_logged(district, client, pbx_token):
    call = _call(CallStatus.MISSED)
    client.force_login(district.user("call_taker"))
    page = client.get(f"/console/cti/calls/{call.pk}/").content.decode()
    assert CALLER not in page and "查看完整号码" in page
    shown = client.post(f"/console/cti/calls/{call.pk}/phone/", headers={"HX-Request": "true"})
    assert CALLER in shown.content.decode()
    audit = AuditEvent.objects.get(kind=AuditKind.PHONE_REVEAL)
    assert (audit.actor, audit.target) == (district.user("call_taker"), f"通话 {call.pk}")
    assert CALLER not in str(audit.payload) + audit.summary


def test_an_admin_sees_calls_but_may_not_reveal(district, client, pbx_token):
    call = _call(CallStatus.MISSED)
    client.force_login(district.user("admin"))
    assert "查看完整号码" not in client.get(f"/console/cti/calls/{call.pk}/").content.decode()
    assert client.post(f"/console/cti/calls/{call.pk}/phone/").status_code == 403
