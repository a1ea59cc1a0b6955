"""An Open311 report runs the whole loop: screening queue → dispatch → handling → reply, and
the reporter's client sees the reply as status_notes with status closed, and each step as an
update."""

import pytest
from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines.models import Urgency
from minxin.open311.documents import w3c
from tests.builders import District

from .conftest import BASE, post_form

pytestmark = pytest.mark.django_db


def _version(appeal_id: int) -> int:
    return Appeal.objects.get(pk=appeal_id).version


def test_open311_appeal_completes_the_loop(
    client: Client, district: District, api_key: str
) -> None:
    response = client.post(f"{BASE}/requests.json", {**post_form(district), "api_key": api_key})
    assert response.status_code == 200
    number = response.json()[0]["service_request_id"]
    appeal = Appeal.objects.get(tracking_number=number)

    # The dispatcher sees it in the screening queue, on the real page.
    dispatcher = district.user("dispatcher")
    client.force_login(dispatcher)
    page = client.get(reverse("dispatch:screening"))
    assert page.status_code == 200 and number in page.content.decode()
    client.logout()

    actor = Actor.of(dispatcher)
    services.appeal_screen(
        appeal_id=appeal.pk,
        actor=actor,
        expected_version=_version(appeal.pk),
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    services.appeal_dispatch(
        appeal_id=appeal.pk,
        actor=actor,
        expected_version=_version(appeal.pk),
        lead_unit_id=district.street_units[0].pk,
    )
    [mid] = client.get(f"{BASE}/requests/{number}.json").json()
    assert mid["status"] == "open"
    assert mid["agency_responsible"] == "桂花坪街道办事处"
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.resolve_due is not None
    assert mid["expected_datetime"] == w3c(appeal.resolve_due)
    assert mid["address_id"] == "A3-01-01"

    handler = Actor.of(district.user("handler"))
    services.appeal_act(
        appeal_id=appeal.pk,
        action=Action.ACCEPT,
        actor=handler,
        expected_version=_version(appeal.pk),
    )
    services.appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal.pk,
        actor=handler,
        expected_version=_version(appeal.pk),
        reason="已电话联系张三（13812345678）",
    )
    services.reply_submit(
        appeal_id=appeal.pk,
        actor=handler,
        expected_version=_version(appeal.pk),
        reason="已安排环卫清运，张三先生请留意，如仍有问题请拨打13812345678回访。",
    )
    # A reply naming a person waits for the centre's review; the feed shows it once passed.
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REVIEWING
    services.reply_approve(
        appeal_id=appeal.pk,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=_version(appeal.pk),
    )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RESOLVED

    [done] = client.get(f"{BASE}/requests/{number}.json").json()
    assert done["status"] == "closed"
    assert done["status_notes"].startswith("已安排环卫清运")
    assert "13812345678" not in done["status_notes"] and "张三" not in done["status_notes"]
    closed = client.get(f"{BASE}/requests.json?status=closed").json()
    assert [r["service_request_id"] for r in closed] == [number]
    assert client.get(f"{BASE}/requests.json?status=open").json() == []

    updates = client.get(f"{BASE}/servicerequestupdates.json").json()
    labels = [(u["service_request_id"], u["status"], u["description"][:4]) for u in updates]
    # Public steps only (screening is internal), oldest first; the reply closes it.
    assert [label[2] for label in labels] == ["受理", "派单", "接单", "先行联系", "办结答复"]
    assert labels[-1][1] == "closed" and all(s == "open" for _, s, _ in labels[:-1])
    assert "已安排环卫清运" in updates[-1]["description"]
    text = str(updates)
    assert "13812345678" not in text and "张三" not in text
    assert len({u["update_id"] for u in updates}) == 5
    xml = client.get(f"{BASE}/servicerequestupdates.xml").content.decode()
    assert xml.count("<request_update>") == 5 and "<service_request_updates>" in xml
