"""直接答复率, by hand (docs/metrics.md): in the period, 8 hotline appeals received, one of them
marked invalid, 2 answered directly from the knowledge base; outside the period, a hotline
inquiry answered directly 3 days before; and a web appeal today. 2 / 7 = 28.6 %."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import AppealKind, Channel
from minxin.cases.workflow import Action
from minxin.knowledge.services import appeal_answer_directly
from minxin.metrics.direct_answers import direct_answer_rate
from tests.builders import appeal_new
from tests.knowledge.builders import article_new


def _hotline(d, kind=AppealKind.COMPLAINT):
    return appeal_new(d, channel=Channel.HOTLINE, kind=kind)


def test_direct_answer_rate_worked_by_hand(client, district):
    d = district
    article = article_new(d)
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        before = _hotline(d, AppealKind.INQUIRY)
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=before.pk, article_id=article.pk
        )
    today = [_hotline(d, AppealKind.INQUIRY) for _ in range(3)] + [_hotline(d) for _ in range(5)]
    for inquiry in today[:2]:
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=inquiry.pk, article_id=article.pk
        )
    services.appeal_act(
        appeal_id=today[7].pk,
        action=Action.MARK_INVALID,
        actor=Actor.of(d.user("dispatcher")),
        expected_version=today[7].version,
        reason="骚扰电话",
    )
    appeal_new(d)  # the web: not in the denominator
    day = timezone.localdate()
    figure = direct_answer_rate(start=day, end=day)
    assert (figure.answered, figure.received) == (2, 7)
    assert round(figure.rate * 100, 1) == 28.6
    three_days = direct_answer_rate(start=day - timedelta(days=3), end=day)
    assert (three_days.answered, three_days.received) == (3, 8)
    empty = direct_answer_rate(start=day - timedelta(days=30), end=day - timedelta(days=20))
    assert empty.rate is None
    client.force_login(d.user("supervisor"))
    page = client.get(
        reverse("metrics:scorecards"), {"start": day.isoformat(), "end": day.isoformat()}
    ).content.decode()
    assert "热线直接答复率" in page and "2/7" in page and "29%" in page
