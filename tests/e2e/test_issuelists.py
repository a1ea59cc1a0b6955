"""事项清单 in a browser: a department's handler lists an item graded 急/难 from a phone, the
office links an appeal the page suggests, the leader takes the item in charge and instructs
(a supervision order), the department asks to close it with its evidence, and the office
closes it having seen the volume check; the office's ranking shows the list.

Screenshots: issuelists-ranking-1366, issuelists-ranking-390, issuelists-list-390,
issuelists-list-1366, issuelists-item-1366, issuelists-item-390."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.issuelists.models import IssueItem
from minxin.supervision.models import SupervisionOrder
from tests.builders import District, appeal_new

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_item_from_listing_to_closing(new_page, live_district: District):
    d = live_district
    appeal = appeal_new(
        d,
        title="老旧小区垃圾分类桶太少",
        content="景蓉社区老旧小区垃圾分类设施不足，垃圾堆在桶外",
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
    )
    year = timezone.localdate().year
    list_url = reverse("issuelists:list_detail", args=[d.departments[0].pk, year])

    # The department's handler, on a phone: the item onto the list.
    unit = new_page(phone=True)
    login(unit, "handler_dept", "pw-handler_dept")
    unit.goto(reverse("issuelists:list_index"))  # a unit's handler lands on its own list
    unit.locator("details[data-add-item] summary").click()
    unit.fill("input[name=title]", "老旧小区垃圾分类设施不足")
    unit.fill("textarea[name=description]", "多个老旧小区反映垃圾分类桶不足、清运不及时")
    unit.fill("textarea[name=goal]", "年内为20个老旧小区补齐垃圾分类收集设施")
    unit.select_option("select[name=urgency]", "urgent")
    unit.select_option("select[name=difficulty]", "hard")
    unit.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=60)).isoformat())
    unit.fill("input[name=responsible]", "李科长")
    unit.select_option("select[name=categories]", str(d.category.pk))
    unit.select_option("select[name=regions]", str(d.communities[0].pk))
    unit.get_by_role("button", name="列入清单").click()
    expect(unit.get_by_role("status")).to_contain_text("已列入清单")
    item = IssueItem.objects.get()
    assert item.grade == "急难"
    unit.goto(list_url)
    expect(unit.locator("li[data-item]")).to_contain_text("老旧小区垃圾分类设施不足")
    snap(unit, "issuelists-list-390")

    # The office links the appeal the page suggests.
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto(reverse("issuelists:item_detail", args=[item.pk]))
    office.locator(f"[data-suggested] input[value='{appeal.pk}']").check()
    office.get_by_role("button", name="关联所选诉求").click()
    expect(office.locator("[data-linked]")).to_contain_text(appeal.tracking_number)

    # The leader takes it in charge and instructs.
    leader = new_page()
    login(leader, "leader", "pw-leader")
    leader.goto(reverse("issuelists:item_detail", args=[item.pk]))
    action_open(leader, "take_charge").get_by_role("button", name="由我包案").click()
    expect(leader.locator("[data-led]").first).to_be_visible()
    instruct = action_open(leader, "instruct")
    instruct.locator("textarea[name=instruction]").fill("请城管执法局会同街道两周内拿出长效方案")
    instruct.get_by_role("button", name="批示").click()
    expect(leader.get_by_role("status")).to_contain_text("已批示")
    order = SupervisionOrder.objects.get()
    expect(leader.locator("li[data-action=instruct]")).to_contain_text(f"督办单 {order.pk}")

    # The department asks to close it; the office closes it.
    unit.goto(reverse("issuelists:item_detail", args=[item.pk]))
    ask = action_open(unit, "request_close")
    ask.locator("textarea[name=reason]").fill("20个小区已补齐设施，台账和照片已归档")
    ask.get_by_role("button", name="申请销号").click()
    expect(unit.locator("[data-evidence]")).to_contain_text("20个小区已补齐")
    snap(unit, "issuelists-item-390")
    office.goto(reverse("issuelists:item_detail", args=[item.pk]))
    close = action_open(office, "close")
    close.locator("input[name=reason]").fill("经现场核查，同意销号")
    snap(office, "issuelists-item-1366")
    close.get_by_role("button", name="同意销号").click()
    expect(office.locator("h1 [data-status]")).to_have_text("已销号")
    office.goto(reverse("issuelists:list_index"))
    expect(office.locator("[data-ranking]")).to_contain_text(d.departments[0].name)
    snap(office, "issuelists-ranking-1366")
    office.goto(list_url)
    expect(office.locator("h1")).to_contain_text(d.departments[0].name)
    snap(office, "issuelists-list-1366")

    # The supervision office's review of the lists, on a phone.
    review = new_page(phone=True)
    login(review, "supervisor", "pw-supervisor")
    review.goto(reverse("issuelists:list_index"))
    expect(review.locator("[data-ranking]")).to_contain_text(d.departments[0].name)
    snap(review, "issuelists-ranking-390")
