"""The knowledge base and the search in a browser: a supervisor searches the knowledge base
and the appeals by words of their content (marked), and a too-short word is refused.

Screenshots: knowledge-list-1366, search-appeals-1366."""

import pytest
from playwright.sync_api import expect

from tests.builders import District, appeal_new
from tests.knowledge.builders import article_new

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_search_knowledge_and_appeals(new_page, live_district: District) -> None:
    d = live_district
    article_new(d)
    article_new(
        d, title="老旧小区加装电梯怎么申请", body="业主协商一致后向街道申请，每台最高补贴20万元。"
    )
    article_new(d, title="生活垃圾分类投放时间", body="早7点至9点、晚6点至8点定时投放。")
    appeal_new(
        d, title="楼下烧烤店油烟扰民", content="每晚十点后烧烤油烟和噪音很大，窗户都不敢开。"
    )
    appeal_new(d, title="电梯经常停运", content="3栋电梯一周坏三次，老人上下楼困难，物业不修。")
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/knowledge/?q=电梯 补贴")
    expect(page.locator("table.kb-list mark").first).to_have_text("电梯")
    expect(page.locator("table.kb-list tbody tr")).to_have_count(1)
    snap(page, "knowledge-list-1366")
    page.goto("/console/appeals/")
    page.fill("input[name=q]", "油烟 噪音")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("[data-snippet] mark").first).to_have_text("油烟")
    snap(page, "search-appeals-1366")
    page.fill("input[name=q]", "烟")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".field-error")).to_contain_text("至少 2 个字")
