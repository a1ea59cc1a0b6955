"""The screening queue (甄别派单, issue 14): filtered and sorted, with saved filters per user —
a name and the page's query string, applied and deleted by their owner only."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.workflow import AppealStatus
from minxin.deadlines.models import Urgency
from minxin.dispatch.models import SavedFilter
from minxin.dispatch.services import SAVED_FILTERS_MAX
from tests.builders import District, appeal_in, appeal_new

QUEUE = reverse("dispatch:screening")
SAVE = reverse("dispatch:saved_filter_save")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:300]
    return [row["appeal"].tracking_number for row in response.context["rows"]]


@pytest.fixture
def queue(district: District) -> dict[str, Appeal]:
    """Four received appeals a day apart (oldest first) of different channels, kinds and
    urgencies, and one already screened."""
    start = timezone.now() - timedelta(days=4)
    made = {}
    for n, (name, values) in enumerate(
        [
            ("web_normal", {"title": "路灯不亮", "urgency": Urgency.NORMAL}),
            (
                "hotline_critical",
                {"channel": Channel.HOTLINE, "title": "燃气泄漏", "urgency": Urgency.CRITICAL},
            ),
            ("web_help", {"kind": AppealKind.HELP, "title": "求助办证", "urgency": Urgency.URGENT}),
            (
                "hotline_normal",
                {"channel": Channel.HOTLINE, "title": "噪音扰民", "urgency": Urgency.NORMAL},
            ),
        ]
    ):
        with time_machine.travel(start + timedelta(days=n), tick=False):
            made[name] = appeal_new(district, **values)
    made["screened"] = appeal_in(district, AppealStatus.SCREENED)
    return made


def test_the_queue_is_oldest_first_by_default_and_sorts(district: District, queue):
    client = client_for(district.user("dispatcher"))
    oldest_first = [
        queue[k].tracking_number
        for k in ("web_normal", "hotline_critical", "web_help", "hotline_normal")
    ]
    assert listed(client.get(QUEUE)) == oldest_first
    assert listed(client.get(QUEUE, {"tab": "received", "sort": "newest"})) == oldest_first[::-1]
    by_urgency = listed(client.get(QUEUE, {"tab": "received", "sort": "urgency"}))
    assert by_urgency == [
        queue["hotline_critical"].tracking_number,
        queue["web_help"].tracking_number,
        queue["web_normal"].tracking_number,
        queue["hotline_normal"].tracking_number,
    ]
    assert queue["screened"].tracking_number not in by_urgency


def test_the_queue_filters(district: District, queue):
    client = client_for(district.user("dispatcher"))
    tn = {k: a.tracking_number for k, a in queue.items()}
    assert listed(client.get(QUEUE, {"tab": "received", "channel": "hotline"})) == [
        tn["hotline_critical"],
        tn["hotline_normal"],
    ]
    assert listed(client.get(QUEUE, {"tab": "received", "kind": "help"})) == [tn["web_help"]]
    assert listed(client.get(QUEUE, {"tab": "received", "urgency": "critical"})) == [
        tn["hotline_critical"]
    ]
    assert listed(client.get(QUEUE, {"tab": "received", "q": "噪音"})) == [tn["hotline_normal"]]
    assert listed(client.get(QUEUE, {"tab": "received", "q": tn["web_help"]})) == [tn["web_help"]]
    since = timezone.localdate(queue["web_help"].received_at).isoformat()
    assert listed(client.get(QUEUE, {"tab": "received", "received_from": since})) == [
        tn["web_help"],
        tn["hotline_normal"],
    ]
    # The other tabs filter the same way.
    assert listed(client.get(QUEUE, {"tab": "screened", "channel": "hotline"})) == []
    assert listed(client.get(QUEUE, {"tab": "screened"})) == [tn["screened"]]
    # The pager keeps the filters.
    page = client.get(QUEUE, {"tab": "received", "channel": "hotline"})
    assert "channel=hotline" in page.context["query"] and "tab=received" in page.context["query"]


def test_a_bad_filter_is_refused_in_chinese(district: District, queue):
    response = client_for(district.user("dispatcher")).get(
        QUEUE, {"tab": "received", "channel": "fax", "sort": "price"}
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()


def test_saving_applying_and_deleting_a_filter(district: District, queue):
    dispatcher = district.user("dispatcher")
    client = client_for(dispatcher)
    shown = client.get(QUEUE, {"tab": "received", "channel": "hotline", "page": "1"})
    assert f'action="{SAVE}"' in shown.content.decode()

    response = client.post(
        SAVE, {"name": " 热线  特急 ", "query": "tab=received&channel=hotline&page=1&junk=x"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=dispatcher)
    assert saved.name == "热线 特急"
    assert saved.query == "tab=received&channel=hotline"  # known keys only, no page
    assert response["Location"] == f"{QUEUE}?tab=received&channel=hotline"

    page = client.get(QUEUE).content.decode()
    apply = reverse("dispatch:saved_filter", args=[saved.pk])
    assert apply in page and "热线 特急" in page
    opened = client.get(apply, follow=True)
    assert listed(opened) == [
        queue["hotline_critical"].tracking_number,
        queue["hotline_normal"].tracking_number,
    ]

    # The same name again replaces the query; nothing else is added.
    client.post(SAVE, {"name": "热线 特急", "query": "tab=received&urgency=critical"})
    saved.refresh_from_db()
    assert saved.query == "tab=received&urgency=critical"
    assert SavedFilter.objects.filter(user=dispatcher).count() == 1

    delete = reverse("dispatch:saved_filter_delete", args=[saved.pk])
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.exists()
    assert client.get(apply).status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "query": "tab=received&channel=hotline"}, "请填写筛选名称"),
        ({"name": "空的", "query": "tab=received"}, "请先设置筛选条件"),
        ({"name": "坏的", "query": "tab=received&channel=fax"}, "筛选条件有误"),
        ({"name": "长" * 31, "query": "channel=hotline"}, "筛选名称不能超过30字"),
    ],
)
def test_a_bad_save_is_refused_in_chinese(district: District, form, message):
    response = client_for(district.user("dispatcher")).post(SAVE, form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_at_most_so_many_saved_filters(district: District):
    dispatcher = district.user("dispatcher")
    SavedFilter.objects.bulk_create(
        SavedFilter(user=dispatcher, name=f"筛选{n}", query=f"q=x{n}")
        for n in range(SAVED_FILTERS_MAX)
    )
    response = client_for(dispatcher).post(SAVE, {"name": "再一个", "query": "channel=web"})
    assert response.status_code == 400
    assert f"常用筛选最多{SAVED_FILTERS_MAX}个" in response.content.decode()


def test_another_users_saved_filters_are_neither_seen_nor_used(district: District, queue):
    mine = district.user("dispatcher")
    other = User.objects.create_user(
        username="dispatcher2", password="pw", role=Role.DISPATCHER, unit=district.hotline
    )
    saved = SavedFilter.objects.create(user=mine, name="我的热线", query="channel=hotline")
    theirs = client_for(other)
    assert "我的热线" not in theirs.get(QUEUE).content.decode()
    assert theirs.get(reverse("dispatch:saved_filter", args=[saved.pk])).status_code == 404
    delete = reverse("dispatch:saved_filter_delete", args=[saved.pk])
    assert theirs.post(delete).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    # Saving under the same name makes the other user's own, and leaves mine alone.
    theirs.post(SAVE, {"name": "我的热线", "query": "channel=web"})
    assert SavedFilter.objects.get(pk=saved.pk).query == "channel=hotline"
    assert SavedFilter.objects.get(user=other).query == "channel=web"
    # Only dispatchers have the queue and its filters.
    handler = client_for(district.user("handler"))
    assert handler.get(reverse("dispatch:saved_filter", args=[saved.pk])).status_code == 404
    assert handler.post(SAVE, {"name": "x", "query": "channel=web"}).status_code == 404
