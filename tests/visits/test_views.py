import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.visits.models import Visit

from .conftest import visit_of, visit_record

NEW = reverse("visits:new")
LIST = reverse("visits:list")
XSS = '<script>alert("x")</script>'


def staff(district, key: str) -> Client:
    client = Client()
    client.force_login(district.user(key))
    return client


def fresh_key(client: Client) -> str:
    page = client.get(NEW).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)


def form(district, client: Client, **overrides):
    values = {
        "submission_key": fresh_key(client),
        "visited_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "region": str(district.communities[0].pk),
        "place_text": "景蓉华苑小区",
        "participants": [str(district.user("handler").pk)],
        "participants_text": "",
        "met_text": "居民代表王女士（13612345678）",
        "notes": "",
        "matter_kind": ["help", "complaint", "help"],
        "matter_title": ["楼道灯坏了", "占道经营", ""],
        "matter_content": ["3栋楼道灯坏了两个月", "早市摊贩占用消防通道", ""],
        "matter_name": ["王阿姨", "", ""],
        "matter_phone": ["13612345678", "", ""],
    }
    values.update(overrides)
    return values


def test_new_form_records_a_visit_and_shows_it(district):
    client = staff(district, "handler")
    page = client.get(NEW).content.decode()
    assert 'name="matter_title"' in page and reverse("visits:matter_row") in page
    response = client.post(NEW, form(district, client))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.matters.count() == 2  # the blank third row is skipped
    detail = client.get(response["Location"]).content.decode()
    assert "2项事项已转为诉求" in detail
    for matter in visit.matters.select_related("appeal"):
        assert matter.appeal.tracking_number in detail
        assert matter.appeal.get_status_display() in detail


def test_double_submit_of_the_form_creates_once(district):
    client = staff(district, "handler")
    data = form(district, client)
    assert client.post(NEW, data).status_code == 302
    assert client.post(NEW, data).status_code == 302
    assert Visit.objects.count() == 1 and Appeal.objects.count() == 2


def test_a_bad_form_is_refused_with_400_kept_and_stores_nothing(district):
    client = staff(district, "handler")
    data = form(district, client, place_text="", matter_title=["楼道灯坏了", "占道经营", "x"])
    response = client.post(NEW, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写走访地点" in page
    assert "楼道灯坏了" in page and "早市摊贩占用消防通道" in page  # kept
    assert data["submission_key"] in page  # the same key, nothing was stored
    assert not Visit.objects.exists() and not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"visited_at": "not-a-date"}, "走访时间格式不正确"),
        ({"participants": ["x"]}, "走访人员中有无效的工作人员"),
        ({"matter_phone": ["1"]}, "事项填写不完整"),
        (
            {
                "matter_title": [""],
                "matter_content": [""],
                "matter_name": [""],
                "matter_phone": [""],
                "matter_kind": ["help"],
            },
            "请至少记录一项",
        ),
    ],
)
def test_garbled_forms_get_a_chinese_400(district, overrides, message):
    client = staff(district, "handler")
    response = client.post(NEW, form(district, client, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_add_a_matter_fragment(district):
    client = staff(district, "handler")
    response = client.get(reverse("visits:matter_row") + "?n=3", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "事项 3" in page and 'name="matter_title"' in page
    assert "n=4" in page and 'hx-swap-oob="true"' in page
    limit = client.get(reverse("visits:matter_row") + "?n=21").content.decode()
    assert "最多记录20项" in limit and "matter_title" not in limit


def test_a_handler_sees_only_their_units_visits(district):
    mine = visit_of(district, key="handler")
    theirs = visit_of(district, key="handler_other")
    client = staff(district, "handler")
    listing = client.get(LIST).content.decode()
    assert reverse("visits:detail", args=[mine.pk]) in listing
    assert reverse("visits:detail", args=[theirs.pk]) not in listing
    assert client.get(reverse("visits:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[99999])).status_code == 404
    for key in ("supervisor", "leader", "dispatcher", "call_taker", "admin"):
        other = staff(district, key)
        assert other.get(reverse("visits:detail", args=[theirs.pk])).status_code == 200, key


def test_anonymous_goes_to_login(client, db):
    assert client.get(LIST).status_code == 302
    assert client.get(NEW).status_code == 302


def test_list_masks_personal_data_and_escapes(district):
    visit_record(
        district,
        place_text=f"小区{XSS}",
        met_text="居民王女士，电话13612345678，身份证430103199001011234",
    )
    page = staff(district, "supervisor").get(LIST).content.decode()
    assert "&lt;script&gt;" in page and XSS not in page
    assert "13612345678" not in page and "430103199001011234" not in page
    detail = (
        staff(district, "supervisor")
        .get(reverse("visits:detail", args=[Visit.objects.get().pk]))
        .content.decode()
    )
    assert "&lt;script&gt;" in detail and XSS not in detail


def test_list_filters_and_pagination(district):
    for n in range(27):
        visit_record(district, place_text=f"走访点{n:02d}")
    visit_record(
        district,
        key="handler_other",
        place_text="另一街道的点",
        region_id=district.communities[1].pk,
    )
    client = staff(district, "supervisor")
    first = client.get(LIST).content.decode()
    assert first.count('<td class="title">') == 25
    second = client.get(LIST + "?page=2").content.decode()
    assert second.count('<td class="title">') == 3
    by_region = client.get(LIST + f"?region={district.streets[1].pk}").content.decode()
    assert "另一街道的点" in by_region and "走访点00" not in by_region
    by_words = client.get(LIST + "?q=走访点05").content.decode()
    assert by_words.count('<td class="title">') == 1
    by_unit = client.get(LIST + f"?unit={district.street_units[1].pk}").content.decode()
    assert by_unit.count('<td class="title">') == 1
    today = timezone.localdate()
    future = client.get(LIST + f"?start={(today + timedelta(days=1)).isoformat()}")
    assert future.content.decode().count('<td class="title">') == 0


def test_detail_links_only_the_appeals_the_viewer_may_open(district):
    visit = visit_of(district, key="handler")
    appeal = visit.matters.first().appeal
    link = reverse("cases:appeal_detail", args=[appeal.pk])
    # Not yet dispatched: the handler's unit has no assignment, so no link for them.
    assert (
        link
        not in staff(district, "handler")
        .get(reverse("visits:detail", args=[visit.pk]))
        .content.decode()
    )
    assert (
        link
        in staff(district, "dispatcher")
        .get(reverse("visits:detail", args=[visit.pk]))
        .content.decode()
    )
