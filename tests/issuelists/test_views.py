"""Issue-list screens: the office's ranking, a unit's own list only (another's is 404), an
item added with 急/难 and kept on a refusal, the unit's and the office's buttons, linking a
suggested appeal, a leader's charge and instruction, and text escaped everywhere."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.issuelists.models import IssueItem
from minxin.supervision.models import SupervisionOrder
from tests.builders import District, appeal_new

from .builders import item_new

INDEX = reverse("issuelists:list_index")


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def list_url(d: District, unit: int = 0) -> str:
    return reverse(
        "issuelists:list_detail", args=[d.departments[unit].pk, timezone.localdate().year]
    )


def item_url(item: IssueItem, name: str = "item_detail") -> str:
    return reverse(f"issuelists:{name}", args=[item.pk])


def test_who_sees_which_list(district):
    item = item_new(district)
    office = client_for(district, "supervisor").get(INDEX).content.decode()
    assert district.departments[0].name in office and "data-ranking" in office
    own = client_for(district, "handler_dept")
    assert item.title in own.get(INDEX).content.decode()  # its own list
    assert item.title in own.get(list_url(district)).content.decode()
    street = client_for(district, "handler")
    assert street.get(list_url(district)).status_code == 404
    assert street.get(item_url(item)).status_code == 404
    assert client_for(district, "call_taker").get(INDEX).status_code == 404


def test_an_item_is_added_and_a_refusal_keeps_what_was_typed(district):
    client = client_for(district, "handler_dept")
    deadline = (timezone.localdate() + timedelta(days=90)).isoformat()
    refused = client.post(
        list_url(district),
        {"title": "占道经营反复回潮", "goal": "", "responsible": "张队", "deadline": deadline},
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "请填写工作目标" in body and "占道经营反复回潮" in body
    response = client.post(
        list_url(district),
        {
            "title": "占道经营反复回潮",
            "goal": "主要路段占道经营动态清零",
            "responsible": "张队",
            "deadline": deadline,
            "urgency": "urgent",
            "difficulty": "normal",
            "categories": [district.category.pk],
            "regions": [district.communities[0].pk],
        },
    )
    item = IssueItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item_url(item)
    assert item.grade == "急" and list(item.categories.all()) == [district.category]


def test_the_unit_requests_closing_and_the_office_decides(district):
    item = item_new(district)
    unit = client_for(district, "handler_dept")
    page = unit.get(item_url(item)).content.decode()
    assert 'data-action="request_close"' in page and 'data-action="close"' not in page
    assert "data-volume" in page
    # the closing form says the volume it will record, as the view counts it
    assert "提交时将记录当时的诉求量（列入前 0 件" in page
    response = unit.post(
        item_url(item, "item_act"),
        {"action": "request_close", "reason": "20个小区已补齐设施", "version": item.version},
    )
    assert response.status_code == 302
    stale = unit.post(item_url(item, "item_act"), {"action": "note", "reason": "x", "version": 1})
    assert stale.status_code == 409
    office = client_for(district, "supervisor")
    page = office.get(item_url(item)).content.decode()
    assert 'data-action="close"' in page and "20个小区已补齐设施" in page
    response = office.post(
        item_url(item, "item_act"), {"action": "close", "reason": "同意销号", "version": 2}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"
    assert unit.post(item_url(item, "item_act"), {"action": "bogus"}).status_code == 400


def test_a_suggested_appeal_is_linked_from_the_page(district):
    item = item_new(district, key="supervisor")
    appeal = appeal_new(
        district,
        title="垃圾分类桶太少",
        content="景蓉社区老旧小区垃圾分类设施不足",
        category_id=district.category.pk,
        region_id=district.communities[0].pk,
    )
    office = client_for(district, "supervisor")
    page = office.get(item_url(item)).content.decode()
    assert f'value="{appeal.pk}"' in page
    response = office.post(item_url(item, "item_link"), {"appeals": [appeal.pk]})
    assert response.status_code == 302
    assert appeal.tracking_number in office.get(item_url(item)).content.decode()
    assert office.post(item_url(item, "item_link"), {"appeals": ["x"]}).status_code == 400


def test_a_leader_takes_charge_and_instructs(district):
    item = item_new(district)
    leader = client_for(district, "leader")
    page = leader.get(item_url(item)).content.decode()
    assert 'data-action="take_charge"' in page and 'data-action="instruct"' in page
    assert leader.post(item_url(item, "item_take_charge")).status_code == 302
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = leader.post(
        item_url(item, "item_instruct"), {"instruction": "本月内拿出方案", "due": due}
    )
    assert response.status_code == 302
    order = SupervisionOrder.objects.get()
    page = leader.get(item_url(item)).content.decode()
    assert "data-led" in page and f"督办单 {order.pk}" in page
    refused = leader.post(item_url(item, "item_instruct"), {"instruction": "", "due": due})
    assert refused.status_code == 400 and SupervisionOrder.objects.count() == 1


def test_text_is_escaped(district):
    item = item_new(district, title="<script>alert(1)</script>", goal="<b>目标</b>")
    for key in ("supervisor", "handler_dept"):
        client = client_for(district, key)
        for url in (list_url(district), item_url(item)):
            body = client.get(url).content.decode()
            assert "<script>alert(1)</script>" not in body and "<b>目标</b>" not in body
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_dashboard_reviews_the_lists(district):
    with_late = item_new(district, deadline=timezone.localdate() + timedelta(days=1))
    IssueItem.objects.filter(pk=with_late.pk).update(
        deadline=timezone.localdate() - timedelta(days=2)
    )  # test-only: an item that has run past its deadline
    office = client_for(district, "supervisor")
    dashboard = office.get(reverse("metrics:dashboard")).content.decode()
    assert reverse("issuelists:dashboard_panel") in dashboard
    panel = office.get(reverse("issuelists:dashboard_panel")).content.decode()
    assert "逾期 1 项" in panel and district.departments[0].name in panel
    assert (
        client_for(district, "handler_dept").get(reverse("issuelists:dashboard_panel")).status_code
        == 404
    )
