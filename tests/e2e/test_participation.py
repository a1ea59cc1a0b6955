"""The public index /participation/ in a browser: a section with more items than the index
shows links to all of them, open and closed, on a page of their own.

Screenshots: participation-more-390, participation-section-390, participation-section-1366."""

import pytest
from playwright.sync_api import expect

from minxin.selection.public_views import SHOWN
from tests.builders import District
from tests.deliberation.builders import topic_new

from .conftest import snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_index_leads_to_every_topic(new_page, live_district: District) -> None:
    for n in range(SHOWN + 2):
        topic_new(live_district, by_resident=False, title=f"社区议题{n:02d}：楼道照明改造")
    phone = new_page(phone=True)
    phone.goto("/participation/")
    section = phone.locator("[data-section='议事厅']")
    expect(section.locator(".sl-title")).to_have_count(SHOWN)
    snap(phone, "participation-more-390")
    section.locator("[data-more]").click()
    expect(phone.locator(".sl-title")).to_have_count(SHOWN + 2)
    expect(phone.locator("body")).to_contain_text("社区议题00")
    snap(phone, "participation-section-390")
    desk = new_page()
    desk.goto("/participation/all/deliberations/")
    expect(desk.locator(".sl-title")).to_have_count(SHOWN + 2)
    snap(desk, "participation-section-1366")
