"""回访: every dissatisfied appeal and a sample of the rest are queued; each call is one
follow-up event; three calls not answered close the revisit as unreachable; a reached call
records the two answers."""

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent, Revisit, RevisitReason, RevisitStatus
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.core.errors import ValidationFailed
from tests.builders import appeal_in


def _call(district, appeal, **kwargs):
    return services.revisit_record(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("call_taker")),
        expected_version=Appeal.objects.get(pk=appeal.pk).version,
        **kwargs,
    )


def test_a_dissatisfied_rating_is_queued_and_three_missed_calls_close_it(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    revisit = Revisit.objects.get(appeal=appeal)
    assert (revisit.reason, revisit.status) == (RevisitReason.DISSATISFIED, RevisitStatus.PENDING)
    for attempt in (1, 2):
        revisit = _call(district, appeal, reached=False)
        assert (revisit.attempts, revisit.status) == (attempt, RevisitStatus.PENDING)
    revisit = _call(district, appeal, reached=False)
    assert (revisit.attempts, revisit.status) == (3, RevisitStatus.UNREACHABLE)
    assert revisit.closed_at is not None and "无法联系" in revisit.note
    calls = AppealEvent.objects.filter(appeal=appeal, action=Action.FOLLOW_UP).order_by("id")
    assert [e.payload["reached"] for e in calls] == [False, False, False]
    assert [e.payload["attempt"] for e in calls] == [1, 2, 3]
    with pytest.raises(ValidationFailed, match="没有待回访"):
        _call(district, appeal, reached=False)
    # The appeal is still the supervisor's to reopen or close.
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.FOLLOW_UP


def test_a_reached_call_records_both_answers(district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    with pytest.raises(ValidationFailed, match="是否解决"):
        _call(district, appeal, reached=True)
    assert Revisit.objects.get(appeal=appeal).attempts == 0  # nothing written
    revisit = _call(
        district, appeal, reached=True, solved=False,
        satisfaction=Satisfaction.DISSATISFIED, reason="仍有垃圾堆放",
    )  # fmt: skip
    assert (revisit.status, revisit.solved, revisit.satisfaction, revisit.note) == (
        RevisitStatus.DONE, False, Satisfaction.DISSATISFIED, "仍有垃圾堆放",
    )  # fmt: skip


def test_a_sample_of_the_other_replies_is_queued(district, settings):
    settings.MINXIN = {**settings.MINXIN, "REVISIT_SAMPLE_PERCENT": 100}
    appeal = appeal_in(district, AppealStatus.RATED)
    revisit = Revisit.objects.get(appeal=appeal)
    assert revisit.reason == RevisitReason.SAMPLE
    settings.MINXIN = {**settings.MINXIN, "REVISIT_SAMPLE_PERCENT": 0}
    assert not Revisit.objects.filter(appeal=appeal_in(district, AppealStatus.RATED)).exists()


def test_the_revisit_panel_and_queue(client, district):
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    client.force_login(district.user("call_taker"))
    queue = client.get(reverse("cases:follow_up_queue")).content.decode()
    assert appeal.tracking_number in queue and "不满意必回访" in queue
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert 'id="revisit-panel"' in page
    url = reverse("cases:revisit", args=[appeal.pk])
    version = Appeal.objects.get(pk=appeal.pk).version
    refused = client.post(url, {"version": version, "reached": "yes"})
    assert refused.status_code == 400 and "是否解决" in refused.content.decode()
    done = client.post(
        url, {"version": version, "reached": "yes", "solved": "yes", "satisfaction": "satisfied"}
    )
    assert done.status_code == 302
    assert Revisit.objects.get(appeal=appeal).status == RevisitStatus.DONE
    assert (
        appeal.tracking_number not in client.get(reverse("cases:follow_up_queue")).content.decode()
    )
    client.force_login(district.user("handler"))  # a unit does not call back
    assert client.post(url, {"version": version, "reached": "no"}).status_code == 404
