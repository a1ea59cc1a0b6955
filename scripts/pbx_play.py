#!/usr/bin/env python3
"""Play a telephone exchange against a running minxin: send a call's newCall, answer and
hangup to the hook over HTTP, as a PBX with the generic CTI interface would (docs/cti.md).

    python scripts/pbx_play.py --url http://127.0.0.1:8000 --token TOKEN \
        --from 13812345678 --to 12345 --user calltaker1 --talk 3

    --missed         hang up before anyone answers (a missed call)
    --ring SECONDS   how long it rings before the answer (or the hangup when missed)
    --talk SECONDS   how long the answered call lasts
    --recording URL  the recording's address, sent with the hangup
    --call-id ID     the exchange's id of the call (a new one by default)

Standard library only, so it runs anywhere a PBX's host has Python. Each request and its
answer is printed (the numbers masked); the exit status is 1 if the hook refused one."""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HOOK_PATH = "/cti/hook"


def masked(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) > 7 else "****"


def send(url: str, token: str, params: list[tuple[str, str]]) -> tuple[int, dict[str, object]]:
    """POST one event form-encoded with the token as a bearer; (status, JSON answer)."""
    body = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own server
        url.rstrip("/") + HOOK_PATH,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def play(
    *,
    url: str,
    token: str,
    caller: str,
    line: str,
    user: str = "",
    direction: str = "in",
    ring: float = 1.0,
    talk: float = 2.0,
    missed: bool = False,
    recording: str = "",
    call_id: str = "",
    out: object = sys.stdout,
) -> list[tuple[str, int, dict[str, object]]]:
    """One call from ring to hang-up; returns (event, status, answer) of each request."""
    call_id = call_id or uuid.uuid4().hex
    outside, ours = (caller, line) if direction == "in" else (line, caller)
    base = [("callId", call_id), ("from", outside), ("to", ours), ("direction", direction)]
    users = [("user", user)] if user else []
    steps: list[tuple[str, list[tuple[str, str]], float]] = [
        ("newCall", [("event", "newCall"), *base, *users], ring)
    ]
    if missed:
        steps.append(("hangup", [("event", "hangup"), *base, ("cause", "cancel")], 0))
    else:
        answer = [("event", "answer"), *base, *users, ("answeringNumber", ours)]
        steps.append(("answer", answer, talk))
        hangup = [("event", "hangup"), *base, ("cause", "normalClearing")]
        if recording:
            hangup.append(("recordingUrl", recording))
        steps.append(("hangup", hangup, 0))
    results = []
    for event, params, pause in steps:
        status, answer_body = send(url, token, params)
        print(
            f"{event:8} callId={call_id} from={masked(caller)} → {status} {answer_body}", file=out
        )  # type: ignore[call-overload]
        results.append((event, status, answer_body))
        if status >= 400:
            break
        time.sleep(pause)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Play a PBX against minxin's CTI hook.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--from", dest="caller", default="13812345678")
    parser.add_argument("--to", dest="line", default="12345")
    parser.add_argument("--user", default="", help="the call-taker's user name")
    parser.add_argument("--direction", choices=("in", "out"), default="in")
    parser.add_argument("--ring", type=float, default=1.0)
    parser.add_argument("--talk", type=float, default=2.0)
    parser.add_argument("--missed", action="store_true")
    parser.add_argument("--recording", default="")
    parser.add_argument("--call-id", default="")
    args = parser.parse_args(argv)
    results = play(
        url=args.url,
        token=args.token,
        caller=args.caller,
        line=args.line,
        user=args.user,
        direction=args.direction,
        ring=args.ring,
        talk=args.talk,
        missed=args.missed,
        recording=args.recording,
        call_id=args.call_id,
    )
    return 1 if any(status >= 400 for _, status, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
