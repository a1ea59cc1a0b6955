"""民生实事项目票决 in a browser: the office creates a round and enters candidates (one from a
unit's proposal, one from a hotspot), publishes them; a resident on a phone comments and votes
with an SMS code; the deputies vote on their ballot pages (one on a phone); the office counts;
the public page shows the tally and the project the passed candidate became.

Screenshots: selection-new-1366, selection-candidate-1366, selection-round-1366,
participation-390, selection-public-390, selection-vote-390, selection-ballot-1366,
selection-ballot-390, selection-decided-1366, selection-result-390."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minxin.cases.workflow import AppealStatus
from minxin.notify.sms import MemorySmsBackend
from minxin.projects.models import Project
from minxin.selection.models import Candidate, DeputyVote, SelectionRound
from tests.builders import District, appeal_in
from tests.selection.builders import deputies_new, programme_next

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

FMT = "%Y-%m-%dT%H:%M"


def _ballot(page, choices: list[str]) -> None:
    sheet = page.locator("form[data-ballot]")
    for fieldset, choice in zip(sheet.locator("fieldset").all(), choices, strict=True):
        fieldset.get_by_label(choice, exact=True).check()


def test_a_round_from_candidates_to_the_deputies_vote(
    new_page, live_district: District, settings
) -> None:
    settings.MINXIN_SMS_BACKEND = "minxin.notify.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    d = live_district
    year = timezone.localdate().year + 1
    programme = programme_next(year)
    deputies_new(d, 2, street=0)
    deputies_new(d, 1, street=1, start=3)
    hotspot = appeal_in(d, AppealStatus.IN_PROGRESS)

    # The office: a new round, its candidates, published.
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto("/console/selection/")
    office.get_by_role("link", name="新建票决").click()
    now = timezone.localtime()
    office.fill("input[name=title]", f"{year}年民生实事项目人大代表票决")
    office.select_option("select[name=programme]", str(programme.pk))
    office.select_option("select[name=region]", str(d.district.pk))
    office.fill(
        "textarea[name=description]",
        "候选项目来自单位申报和12345集中投诉，公示后提请人大代表票决。",
    )
    office.fill("input[name=comment_closes_at]", (now + timedelta(days=2)).strftime(FMT))
    office.fill("input[name=vote_opens_at]", (now + timedelta(days=1)).strftime(FMT))
    office.fill("input[name=vote_closes_at]", (now + timedelta(days=4)).strftime(FMT))
    office.check("input[name=residents_vote]")
    office.fill("input[name=residents_choices]", "1")
    office.get_by_role("button", name="新建票决").click()
    # Voting before the comment ends is refused, in Chinese, with the form kept.
    expect(office.get_by_role("alert")).to_contain_text("表决开始时间不能早于公示截止时间")
    expect(office.locator("input[name=title]")).to_have_value(f"{year}年民生实事项目人大代表票决")
    office.fill("input[name=vote_opens_at]", (now + timedelta(days=2, hours=1)).strftime(FMT))
    snap(office, "selection-new-1366")
    office.get_by_role("button", name="新建票决").click()
    expect(office.get_by_role("status")).to_contain_text("已新建票决")

    office.get_by_role("link", name="录入候选项目").click()
    office.select_option("select[name=source]", "unit")
    office.select_option("select[name=proposing_unit]", str(d.street_units[0].pk))
    office.fill("input[name=name]", "景蓉小区加装电梯")
    office.select_option("select[name=kind]", "elevator")
    office.select_option("select[name=lead_unit]", str(d.street_units[0].pk))
    office.select_option("select[name=region]", str(d.communities[0].pk))
    office.fill("textarea[name=summary]", "为景蓉小区12个单元加装电梯，惠及老年住户约300户。")
    office.fill("input[name=budget]", "960")
    office.fill("input[name=target_name]", "加装电梯")
    office.fill("input[name=target_value]", "12")
    office.fill("input[name=target_measure]", "台")
    snap(office, "selection-candidate-1366")
    office.get_by_role("button", name="录入候选项目").click()
    expect(office.get_by_role("status")).to_contain_text("已录入候选项目「景蓉小区加装电梯」")

    office.get_by_role("link", name="录入候选项目").click()
    office.select_option("select[name=source]", "hotspot")
    office.fill("input[name=appeal_number]", hotspot.tracking_number)
    office.fill("input[name=name]", "景蓉华苑垃圾分类亭改造")
    office.select_option("select[name=kind]", "other")
    office.select_option("select[name=lead_unit]", str(d.departments[0].pk))
    office.fill(
        "textarea[name=summary]", "针对垃圾清运的集中投诉，改造小区垃圾分类亭并增加清运频次。"
    )
    office.get_by_role("button", name="录入候选项目").click()
    expect(office.locator("[data-source=hotspot]")).to_contain_text(hotspot.tracking_number)
    action_open(office, "publish").get_by_role("button", name="公示候选项目").click()
    expect(office.get_by_role("status")).to_contain_text("已公示候选项目")
    snap(office, "selection-round-1366")
    selection = SelectionRound.objects.get()
    first, second = Candidate.objects.filter(round=selection).order_by("position")

    # A resident on a phone: the index, the round, a comment, the residents' vote.
    resident = new_page(phone=True)
    resident.goto("/participation/")
    expect(resident.locator("[data-section]").first).to_contain_text(selection.title)
    snap(resident, "participation-390")
    resident.get_by_role("link", name=selection.title).click()
    card = resident.locator(f"[data-candidate='{first.pk}']")
    card.locator("summary").click()
    card.locator("textarea[name=text]").fill(
        "支持加装电梯，希望施工期间注意安全，我的电话13812345678"
    )
    card.get_by_role("button", name="提交意见").click()
    expect(resident.get_by_role("status")).to_contain_text("意见已提交")
    snap(resident, "selection-public-390")
    resident.get_by_role("link", name="参加居民投票").click()
    resident.fill("input[name=phone]", "13912345678")
    resident.get_by_role("button", name="获取验证码").click()
    expect(resident.locator("input[name=code]")).to_be_visible()
    _, text = MemorySmsBackend.outbox[-1]
    code = "".join(ch for ch in text.split("，")[0] if ch.isdigit())
    resident.fill("input[name=code]", code)
    resident.locator(f"input[name=candidate][value='{first.pk}']").check()
    resident.locator(f"input[name=candidate][value='{second.pk}']").check()
    resident.get_by_role("button", name="提交投票").click()
    expect(resident.get_by_role("alert")).to_contain_text("每人最多选择1个项目")
    resident.locator(f"input[name=candidate][value='{second.pk}']").uncheck()
    snap(resident, "selection-vote-390")
    resident.get_by_role("button", name="提交投票").click()
    expect(resident.locator("[data-receipt]")).to_contain_text("景蓉小区加装电梯")
    assert "13912345678" not in resident.url and code not in resident.url

    # The comment ends (test-only: the clock moved on); the office opens the vote.
    moved = timezone.now()
    SelectionRound.objects.filter(pk=selection.pk).update(
        comment_closes_at=moved - timedelta(hours=2), vote_opens_at=moved - timedelta(hours=1)
    )
    office.reload()
    action_open(office, "open_vote").get_by_role("button", name="开始代表表决").click()
    expect(office.get_by_role("status")).to_contain_text("已开始代表表决")
    expect(office.locator("[data-roster]")).to_have_text("3")

    # The deputies vote: one at a desk, one on a phone; the third does not come.
    desk = new_page()
    login(desk, "dep1", "pw-dep1")
    expect(desk.locator("li[data-round]")).to_contain_text(selection.title)
    desk.locator("a.sl-title").first.click()
    _ballot(desk, ["赞成", "赞成"])
    snap(desk, "selection-ballot-1366")
    desk.get_by_role("button", name="提交表决票").click()
    expect(desk.get_by_role("status")).to_contain_text("表决票已提交")
    expect(desk.locator("[data-my-votes]")).to_contain_text("赞成")
    phone = new_page(phone=True)
    login(phone, "dep2", "pw-dep2")
    phone.goto(f"/console/selection/{selection.pk}/")
    _ballot(phone, ["赞成", "反对"])
    snap(phone, "selection-ballot-390")
    phone.get_by_role("button", name="提交表决票").click()
    expect(phone.locator("[data-my-votes]")).to_contain_text("反对")
    assert DeputyVote.objects.count() == 4

    # The count waits for the window while a deputy has not voted; then it is published.
    office.reload()
    action_open(office, "decide").get_by_role("button", name="计票并公布结果").click()
    expect(office.get_by_role("alert")).to_contain_text("尚有1位代表未表决")
    SelectionRound.objects.filter(pk=selection.pk).update(
        vote_closes_at=timezone.now() - timedelta(minutes=1)  # test-only: the window ended
    )
    office.goto(f"/console/selection/{selection.pk}/")
    action_open(office, "decide").get_by_role("button", name="计票并公布结果").click()
    expect(office.get_by_role("status")).to_contain_text("已计票并公布结果")
    passed = office.locator(f"[data-candidate='{first.pk}']")
    expect(passed.locator("[data-outcome]")).to_have_text("通过")
    expect(passed.locator("[data-for]")).to_have_text("2")
    expect(office.locator(f"[data-candidate='{second.pk}'] [data-outcome]")).to_have_text("未通过")
    snap(office, "selection-decided-1366")

    project = Project.objects.get(selection_candidate__pk=first.pk)
    assert project.programme_id == programme.pk and project.origin == "unit"
    resident.goto(f"/participation/rounds/{selection.pk}/")
    expect(resident.locator("[data-present]")).to_have_text("2")
    expect(resident.locator(f"[data-resident='{first.pk}']")).to_contain_text("1 票")
    expect(resident.locator(f"[data-candidate='{first.pk}']")).to_contain_text("已列入")
    snap(resident, "selection-result-390")
