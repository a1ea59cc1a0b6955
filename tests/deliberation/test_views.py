"""The screens: a resident confirms a phone, proposes a topic and supports another (once),
the street schedules, records the meeting and a decision, the public page follows it; bad
input is a 4xx in Chinese; another street's handler gets 404; the demo seeds the hall."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from minxin.deliberation.models import Topic, TopicSupport
from minxin.deliberation.workflow import TopicStatus
from minxin.notify.sms import MemorySmsBackend

from .builders import topic_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(public_pages):
    MemorySmsBackend.outbox = []
    with override_settings(MINXIN_SMS_BACKEND="minxin.notify.sms.MemorySmsBackend"):
        yield


def _confirm(client: Client, captured, phone: str, nxt: str) -> None:
    url = reverse("public_deliberation:phone")
    with captured(execute=True):
        sent = client.post(url, {"phone": phone, "next": nxt})
    assert sent.status_code == 200 and 'data-step="code"' in sent.content.decode()
    _, text = MemorySmsBackend.outbox[-1]
    code = "".join(ch for ch in text.split("，")[0] if ch.isdigit())
    wrong = client.post(url, {"phone": phone, "code": "000000", "next": nxt})
    assert wrong.status_code == 400
    done = client.post(url, {"phone": phone, "code": code, "next": nxt})
    assert done.status_code == 302 and done.url == nxt


def test_a_resident_proposes_and_supports(district, django_capture_on_commit_callbacks):
    d = district
    public = Client()
    new = reverse("public_deliberation:new")
    # Without a confirmed phone: to the phone page first, and back.
    first = public.get(new)
    assert first.status_code == 302 and reverse("public_deliberation:phone") in first.url
    # `next` never leaves the hall.
    page = public.get(reverse("public_deliberation:phone") + "?next=https://e.vil/")
    assert "https://e.vil/" not in page.content.decode()
    _confirm(public, django_capture_on_commit_callbacks, "13912345678", new)
    bad = public.post(new, {"title": "", "description": "x", "region": d.communities[0].pk})
    assert bad.status_code == 400 and "请填写议题" in bad.content.decode()
    made = public.post(
        new,
        {
            "title": "小区电动车充电棚",
            "description": "楼道飞线充电危险，电话13912345678",
            "region": d.communities[0].pk,
        },
    )
    topic = Topic.objects.get()
    assert made.status_code == 302
    detail = public.get(reverse("public_deliberation:detail", args=[topic.pk])).content.decode()
    assert "小区电动车充电棚" in detail and "13912345678" not in detail
    support = reverse("public_deliberation:support", args=[topic.pk])
    assert public.post(support).status_code == 302
    again = public.post(support)
    assert again.status_code == 409 and "每人只能附议一次" in again.content.decode()
    assert TopicSupport.objects.count() == 1
    # Another browser, not confirmed: sent to the phone page, nothing written.
    other = Client().post(support)
    assert other.status_code == 302 and "phone" in other.url
    assert TopicSupport.objects.count() == 1
    index = public.get(reverse("public_selection:index")).content.decode()
    assert "议事厅" in index and "小区电动车充电棚" in index


def test_the_street_runs_the_meeting_from_its_page(district):
    d = district
    topic = topic_new(d)
    street = Client()
    street.force_login(d.user("handler"))
    act = reverse("deliberation:act", args=[topic.pk])
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    no_place = street.post(act, {"action": "schedule", "meeting_at": when, "place": ""})
    assert no_place.status_code == 400 and "请填写议事地点" in no_place.content.decode()
    assert (
        street.post(act, {"action": "schedule", "meeting_at": when, "place": "社区"}).status_code
        == 302
    )
    held = street.post(
        act,
        {
            "action": "hold",
            "reason": "一致同意建设充电棚",
            "group_residents": "王秀兰\n李建华",
            "group_property": "金桂物业",
        },
    )
    assert held.status_code == 302
    decided = street.post(
        act, {"action": "decide", "reason": "物业一个月内建成充电棚", "kind": "note"}
    )
    assert decided.status_code == 302
    assert street.post(act, {"action": "close"}).status_code == 302
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.CLOSED
    page = Client().get(reverse("public_deliberation:detail", args=[topic.pk])).content.decode()
    assert "物业一个月内建成充电棚" in page and "已落实" in page and "王秀兰" in page
    # Another street's handler: 404 on the page and on its actions.
    other = Client()
    other.force_login(d.user("handler_other"))
    assert other.get(reverse("deliberation:detail", args=[topic.pk])).status_code == 404
    assert other.post(act, {"action": "close"}).status_code == 404


def test_the_demo_seeds_the_hall():
    from minxin.deliberation.selectors import topic_page
    from minxin.demo.deliberation import deliberation_seed
    from minxin.demo.selection import selection_seed

    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    selection_seed()
    assert deliberation_seed() == 4
    assert deliberation_seed() == 0
    statuses = sorted(Topic.objects.values_list("status", flat=True))
    assert statuses == ["closed", "deliberated", "proposed", "scheduled"]
    open_one = Topic.objects.get(status="deliberated")
    assert [v.decision.kind for v in topic_page(open_one).decisions] == [
        "note",
        "appeal",
        "project",
    ]
    assert topic_page(Topic.objects.get(status="closed")).all_done
