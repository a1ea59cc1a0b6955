"""The public message board in browsers: a citizen posts from a phone, the dispatcher
moderates it, the street answers, readers see the reply and 附议 it; the transparency page."""

import pytest
from playwright.sync_api import expect

from minxin.accounts.actor import Actor
from minxin.board.models import AppealSupport, BoardPost
from minxin.board.selectors import public_status
from minxin.board.services import post_create, post_moderate
from minxin.cases.models import Appeal
from minxin.cases.services import (
    appeal_act,
    appeal_dispatch,
    appeal_screen,
    reply_approve,
    reply_submit,
)
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines.models import Urgency
from tests.builders import District, appeal_in

from .conftest import login, snap

TITLE = "怡居小区东门路灯一个月不亮"
CONTENT = (
    "怡居小区东门外的两盏路灯坏了一个月，晚上路面很黑，老人和孩子出行不安全。"
    "我叫王小明，电话13912345678，希望尽快修好。"
)
REPLY = (
    "经现场核查，东门外两盏路灯因线路老化损坏，已于当日更换线路和灯具，恢复照明。"
    "社区已将该路段纳入每周夜间巡查。如仍有问题可联系社区，联系人：李建国，电话13700001111。"
)
OTHERS = [
    ("望月湖菜市场周边占道经营严重", "菜市场门口早晚摊贩占道，车辆和行人通行困难。"),
    ("建议在银杉路增设公交站台", "银杉路沿线小区居民多，最近的公交站步行要二十分钟。"),
    ("桂花坪街道某工地夜间施工噪音扰民", "工地每天晚上十一点后还在打桩，严重影响休息。"),
]


def version(appeal_id: int) -> int:
    return Appeal.objects.get(pk=appeal_id).version


def handle_and_reply(d: District, appeal_id: int, reply: str) -> None:
    dispatcher, handler = Actor.of(d.user("dispatcher")), Actor.of(d.user("handler"))
    appeal_screen(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=version(appeal_id),
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    appeal_dispatch(
        appeal_id=appeal_id,
        actor=dispatcher,
        expected_version=version(appeal_id),
        lead_unit_id=d.street_units[0].pk,
    )
    appeal_act(
        appeal_id=appeal_id,
        action=Action.ACCEPT,
        actor=handler,
        expected_version=version(appeal_id),
    )
    appeal_act(
        action=Action.FIRST_CONTACT,
        appeal_id=appeal_id,
        actor=handler,
        expected_version=version(appeal_id),
        reason="已电话联系",
    )
    reply_submit(
        appeal_id=appeal_id, actor=handler, expected_version=version(appeal_id), reason=reply
    )
    # A reply naming a person waits for the centre's review (办理中 on the board meanwhile).
    assert public_status(Appeal.objects.get(pk=appeal_id).status).label == "办理中"
    reply_approve(appeal_id=appeal_id, actor=dispatcher, expected_version=version(appeal_id))


@pytest.mark.django_db(transaction=True)
def test_board_post_moderation_reply_and_transparency(new_page, live_district: District):
    d = live_district
    # Other readers' posts, already published; one of them dispatched.
    for n, (title, content) in enumerate(OTHERS):
        post = post_create(
            nickname=f"网友{n + 1:03d}", kind="suggestion", title=title, content=content
        ).post
        post_moderate(
            actor=d.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1
        )
        for reader in range(n * 3 + 1):
            AppealSupport.objects.create(
                appeal_id=post.appeal_id, supporter=f"{n}-{reader}".ljust(64, "0")
            )
    busy = BoardPost.objects.get(appeal__title=OTHERS[2][0])
    dispatcher = Actor.of(d.user("dispatcher"))
    appeal_screen(
        appeal_id=busy.appeal_id,
        actor=dispatcher,
        expected_version=None,
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    appeal_dispatch(
        appeal_id=busy.appeal_id,
        actor=dispatcher,
        expected_version=None,
        lead_unit_id=d.street_units[0].pk,
    )
    for status in (
        AppealStatus.RATED,
        AppealStatus.RATED,
        AppealStatus.RESOLVED,
        AppealStatus.IN_PROGRESS,
    ):
        appeal_in(d, status)  # for the transparency figures

    # 1. A citizen posts from a phone.
    citizen = new_page(phone=True)
    citizen.goto("/")
    citizen.get_by_role("link", name="留言板").click()
    expect(citizen.get_by_role("heading", name="留言板")).to_be_visible()
    citizen.get_by_role("link", name="我要留言").click()
    citizen.get_by_label("昵称").fill("怡居居民")
    citizen.get_by_label("投诉").check()
    citizen.get_by_label("标题").fill(TITLE)
    citizen.get_by_label("留言内容").fill(CONTENT)
    citizen.get_by_label("联系电话").fill("13912345678")
    citizen.get_by_role("button", name="提交留言").click()
    expect(citizen.get_by_role("heading", name="留言已提交")).to_be_visible()
    post = BoardPost.objects.select_related("appeal").get(appeal__title=TITLE)
    expect(citizen.locator(".receipt")).to_contain_text(post.appeal.query_code)
    citizen.goto(f"/board/{post.pk}/")
    expect(citizen.get_by_role("heading", name="无法完成操作")).to_be_visible()  # not yet public

    # 2. The dispatcher moderates: personal data flagged, published masked.
    staff = new_page()
    login(staff, "dispatcher", "pw-dispatcher")
    staff.get_by_role("link", name="留言审核").click()
    staff.get_by_role("link", name=TITLE).click()
    expect(staff.get_by_text("检测到个人信息")).to_be_visible()
    expect(staff.locator("textarea[name=content]")).to_contain_text("王**")
    snap(staff, "board_moderation")
    staff.get_by_role("button", name="直接公开").click()
    expect(staff.get_by_role("status")).to_contain_text("已公开")

    # 3. The street answers (the loop, through the services).
    handle_and_reply(d, post.appeal_id, REPLY)

    # 4. A reader: the list, the post with its reply, 附议 in place.
    reader = new_page(phone=True)
    reader.goto("/board/")
    expect(reader.locator(".bd-post")).to_have_count(4)
    expect(reader.locator(".bd-post").first).to_contain_text(TITLE)
    expect(reader.locator(".bd-post").first).to_contain_text("已答复")
    snap(reader, "board_list")
    reader.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", name="官方答复")).to_be_visible()
    body = reader.locator("main")
    expect(body).to_contain_text("已于当日更换线路和灯具")
    expect(body).not_to_contain_text("13700001111")
    expect(body).not_to_contain_text("13912345678")
    expect(body).not_to_contain_text("王小明")
    expect(body).to_contain_text(d.street_units[0].name)
    reader.get_by_role("button", name="我也遇到（附议）").click()
    expect(reader.locator(".bd-count-big")).to_have_text("1 人附议")
    expect(reader.get_by_role("button", name="已附议")).to_be_disabled()
    snap(reader, "board_post_reply")
    assert AppealSupport.objects.filter(appeal_id=post.appeal_id).count() == 1

    # 5. The transparency page, with its chart drawn.
    reader.goto("/transparency/")
    expect(reader.get_by_role("heading", name="办理情况公开")).to_be_visible()
    expect(reader.locator(".bd-chart canvas")).to_have_count(1)
    expect(reader.locator("#units")).to_contain_text(d.street_units[0].name)
    snap(reader, "transparency")
