"""scripts/pbx_play.py, as an exchange's host would run it, against a live server: an
answered call with its recording, a missed call, a wrong token; what the server made of them."""

import subprocess
import sys
from pathlib import Path

import pytest

from minxin.cti.models import Call
from minxin.cti.services import pbx_create
from minxin.cti.workflow import CallStatus
from tests.builders import district_build

from .conftest import RECORDINGS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pbx_play.py"

pytestmark = pytest.mark.django_db(transaction=True)


def _play(url: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(SCRIPT),
            "--url",
            url,
            "--token",
            token,
            "--ring",
            "0.3",
            "--talk",
            "1.2",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_pbx_plays_calls_against_a_live_server(live_server):
    district = district_build()
    _, token = pbx_create(name="A3区12345交换机", recording_prefix=RECORDINGS)
    url = RECORDINGS + "live-1.mp3"
    answered = _play(
        live_server.url,
        token,
        "--from",
        "+8613812345678",
        "--user",
        "call_taker",
        "--call-id",
        "live-1",
        "--recording",
        url,
    )
    assert answered.returncode == 0, answered.stdout + answered.stderr
    assert answered.stdout.count("→ 200 {}") == 3
    assert "13812345678" not in answered.stdout  # the script masks too
    call = Call.objects.get(call_id="live-1")
    assert call.status == CallStatus.ENDED
    assert (call.phone, call.agent, call.recording_url) == (
        "13812345678",
        district.user("call_taker"),
        url,
    )
    assert call.talk_seconds is not None and call.talk_seconds >= 1
    assert call.cause == "normalClearing"

    missed = _play(live_server.url, token, "--missed", "--call-id", "live-2")
    assert missed.returncode == 0, missed.stdout + missed.stderr
    call = Call.objects.get(call_id="live-2")
    assert (call.status, call.cause, call.answered_at) == (CallStatus.MISSED, "cancel", None)

    refused = _play(live_server.url, "x" * 43, "--call-id", "live-3")
    assert refused.returncode == 1 and "403" in refused.stdout
    assert not Call.objects.filter(call_id="live-3").exists()
