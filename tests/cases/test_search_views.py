"""Staff search appeals: the list and the unit queue by words, number and (POST) phone, within
the viewer's scope, marked and escaped; refusals in Chinese with a 4xx."""

import pytest
from django.urls import reverse

from minxin.cases.workflow import AppealStatus
from tests.builders import appeal_in, appeal_new


@pytest.fixture
def found(district):
    mine = appeal_in(district, AppealStatus.DISPATCHED)  # street 0 leads
    other = appeal_new(
        district,
        title="银杉路<b>路灯</b>不亮",
        content="银杉路两盏路灯坏了一个月",
        appellant_phone="13900001111",
    )
    return mine, other


def test_the_list_finds_words_of_the_content_marked_and_escaped(client, district, found):
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("cases:appeal_list"), {"q": "路灯"}).content.decode()
    assert "银杉路&lt;b&gt;<mark>路灯</mark>&lt;/b&gt;不亮" in page
    assert "两盏<mark>路灯</mark>坏了" in page
    assert "小区垃圾无人清运" not in page
    page = client.get(reverse("cases:appeal_list"), {"q": "气味 垃圾"}).content.decode()
    assert "小区<mark>垃圾</mark>无人清运" in page and "路灯" not in page


def test_the_list_searches_with_its_filters(client, district, found):
    client.force_login(district.user("supervisor"))
    page = client.get(
        reverse("cases:appeal_list"), {"q": "垃圾", "status": AppealStatus.RECEIVED}
    ).content.decode()
    assert "没有符合条件的诉求" in page
    page = client.get(
        reverse("cases:appeal_list"), {"q": "垃圾", "status": AppealStatus.DISPATCHED}
    ).content.decode()
    assert "<mark>垃圾</mark>" in page


def test_a_tracking_number_finds_its_appeal(client, district, found):
    _mine, other = found
    client.force_login(district.user("dispatcher"))
    page = client.get(reverse("cases:appeal_list"), {"q": other.tracking_number}).content.decode()
    assert "路灯" in page and "小区垃圾无人清运" not in page


def test_a_word_too_short_is_refused_with_a_message(client, district, found):
    client.force_login(district.user("supervisor"))
    response = client.get(reverse("cases:appeal_list"), {"q": "灯"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "至少 2 个字" in page and "路灯" not in page


def test_a_handler_searches_only_the_appeals_of_its_unit(client, district, found):
    client.force_login(district.user("handler"))
    page = client.get(reverse("cases:unit_queue"), {"q": "垃圾"}).content.decode()
    assert "小区<mark>垃圾</mark>无人清运" in page
    page = client.get(reverse("cases:unit_queue"), {"q": "路灯"}).content.decode()
    assert "银杉路" not in page and "没有符合条件的诉求" in page
    client.force_login(district.user("handler_other"))
    page = client.get(reverse("cases:unit_queue"), {"q": "垃圾"}).content.decode()
    assert "小区" not in page
    response = client.get(reverse("cases:unit_queue"), {"q": "垃"})
    assert response.status_code == 400 and "至少 2 个字" in response.content.decode()


def test_the_phone_search_is_posted_scoped_and_only_for_who_may_call(client, district, found):
    url = reverse("cases:appeal_phone_search")
    client.force_login(district.user("supervisor"))
    assert client.get(url, {"phone": "13900001111"}).status_code == 405
    page = client.post(url, {"phone": "13900001111"}).content.decode()
    assert "路灯" in page and "小区垃圾" not in page
    assert "13900001111" not in page  # listed masked
    bad = client.post(url, {"phone": "abc"})
    assert bad.status_code == 400 and "电话号码" in bad.content.decode()
    client.force_login(district.user("handler"))  # its unit's appeals only
    page = client.post(url, {"phone": "13812345678"}).content.decode()
    assert "小区垃圾无人清运" in page
    assert "路灯" not in client.post(url, {"phone": "13900001111"}).content.decode()
    for who in ("leader", "dispatcher"):
        client.force_login(district.user(who))
        assert client.post(url, {"phone": "13900001111"}).status_code == 404
        assert "按来电号码查找" not in client.get(reverse("cases:appeal_list")).content.decode()


def test_title_hits_lead_while_few_match_then_the_newest(client, district, found, monkeypatch):
    """Ranking reads every match: past RANK_LIMIT matches the list keeps its own order."""
    appeal_new(district, title="路灯坏了", content="东门路灯不亮")  # newest, a title hit
    appeal_new(district, title="晚上很黑", content="北门的路灯也坏了")  # newer still, in content
    client.force_login(district.user("supervisor"))

    def titles() -> list[str]:
        page = client.get(reverse("cases:appeal_list"), {"q": "路灯"}).context["page"]
        return [a.title for a in page.object_list]

    assert titles() == ["路灯坏了", "银杉路<b>路灯</b>不亮", "晚上很黑"]
    monkeypatch.setattr("minxin.core.search.RANK_LIMIT", 2)
    assert titles() == ["晚上很黑", "路灯坏了", "银杉路<b>路灯</b>不亮"]
