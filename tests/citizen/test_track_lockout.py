"""Query codes cannot be guessed: after MINXIN_QUERY_CODE_FAILURES wrong codes for one
tracking number, from any address, its tracking form refuses even the right code for the rest
of the period, says so in Chinese, and the audit log records the lock."""

from django.urls import reverse

from minxin.audit.models import AuditEvent, AuditKind
from tests.builders import appeal_new

TRACK = reverse("citizen:track")


def test_wrong_codes_lock_the_number_not_the_others(client, settings, district, rate_limits):
    settings.MINXIN_QUERY_CODE_FAILURES = "5/h"
    appeal = appeal_new(district)
    other = appeal_new(district, title="另一件")
    for n in range(5):
        wrong = client.post(
            TRACK,
            {"tracking_number": appeal.tracking_number, "query_code": f"ZZZZZ{n}"},
            REMOTE_ADDR=f"10.3.0.{n}",
        )
        assert wrong.status_code == 404
    right = client.post(
        TRACK,
        {"tracking_number": appeal.tracking_number, "query_code": appeal.query_code},
        REMOTE_ADDR="10.3.1.1",
    )
    assert right.status_code == 429
    assert "输错次数过多" in right.content.decode()
    assert (
        client.get(reverse("citizen:track_detail", args=[appeal.tracking_number])).status_code
        == 302
    )

    fine = client.post(
        TRACK,
        {"tracking_number": other.tracking_number, "query_code": other.query_code},
        REMOTE_ADDR="10.3.1.1",
    )
    assert fine.status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.QUERY_CODE_LOCKED)
    assert appeal.tracking_number in event.target
    assert appeal.query_code not in str(event.payload) + event.summary


def test_a_right_code_after_a_few_wrong_ones_still_opens(client, settings, district, rate_limits):
    settings.MINXIN_QUERY_CODE_FAILURES = "5/h"
    appeal = appeal_new(district)
    for _ in range(3):
        client.post(TRACK, {"tracking_number": appeal.tracking_number, "query_code": "ZZZZZZ"})
    right = client.post(
        TRACK, {"tracking_number": appeal.tracking_number, "query_code": appeal.query_code}
    )
    assert right.status_code == 302
