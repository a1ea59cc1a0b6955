"""The public board pages and the moderation screens: what leaks (nothing), what is escaped,
pagination, filters, 附议 in place, rate limits, roles."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.board.models import AppealSupport, BoardPost, ModerationEntry
from minxin.board.services import post_moderate
from minxin.board.workflow import ModerationStatus
from minxin.cases.models import Appeal, Channel
from minxin.cases.services import appeal_act, appeal_dispatch, appeal_screen
from minxin.cases.workflow import Action
from minxin.deadlines.models import Urgency

from .posts import PHONE, post_new, post_published

LIST = reverse("board:board_list")
NEW = reverse("board:post_new")


def detail_url(post: BoardPost) -> str:
    return reverse("board:post_detail", args=[post.pk])


def support_url(post: BoardPost) -> str:
    return reverse("board:post_support", args=[post.pk])


def dispatch_to(d, post: BoardPost, unit_index: int = 0) -> None:
    dispatcher = Actor.of(d.user("dispatcher"))
    appeal_screen(
        appeal_id=post.appeal_id,
        actor=dispatcher,
        expected_version=None,
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
        urgency=Urgency.NORMAL,
    )
    appeal_dispatch(
        appeal_id=post.appeal_id,
        actor=dispatcher,
        expected_version=None,
        lead_unit_id=d.street_units[unit_index].pk,
    )


# --- public pages ---------------------------------------------------------------------------


def test_list_shows_only_published_posts(client, district):
    shown = post_published(district, title="公开的留言")
    post_new(title="待审核的留言")
    private = post_new(title="不公开的留言")
    post_moderate(
        actor=district.user("dispatcher"),
        post_id=private.pk,
        action="keep_private",
        expected_version=1,
        reason="隐私",
    )

    page = client.get(LIST).content.decode()

    assert "公开的留言" in page and detail_url(shown) in page
    assert "待审核的留言" not in page and "不公开的留言" not in page


def test_pending_private_invalid_and_missing_posts_are_404(client, district):
    pending = post_new()
    private = post_new()
    post_moderate(
        actor=district.user("dispatcher"),
        post_id=private.pk,
        action="keep_private",
        expected_version=1,
        reason="隐私",
    )
    invalid = post_published(district)
    appeal_act(
        appeal_id=invalid.appeal_id,
        action=Action.MARK_INVALID,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=None,
        reason="广告信息",
    )
    for post in (pending, private, invalid):
        response = client.get(detail_url(post))
        assert response.status_code == 404
        assert post.appeal.title not in response.content.decode()
        assert client.post(support_url(post)).status_code == 404
    assert client.get(reverse("board:post_detail", args=[999999])).status_code == 404
    assert not AppealSupport.objects.exists()


def test_detail_masks_and_never_leaks_phone_or_query_code(client, district):
    post = post_published(
        district, content=f"我叫王小明，电话{PHONE}，车牌湘A12345的车占道。", nickname="王小明"
    )
    appeal = post.appeal

    response = client.get(detail_url(post))
    page = response.content.decode()

    assert response.status_code == 200
    assert PHONE not in page and appeal.query_code not in page
    assert "王小明" not in page and "湘A12345" not in page
    assert "王**" in page and "139******78" in page
    assert "待交办" in page


def test_user_text_is_escaped(client, district):
    script = "<script>alert(1)</script>"
    post = post_published(
        district,
        nickname="<b>x</b>",
        title=f"标题{script}",
        content=f'内容<img src=x onerror="alert(2)">{script}',
    )
    for url in (LIST, detail_url(post)):
        page = client.get(url).content.decode()
        assert script not in page and "<img src=x" not in page and "<b>x</b>" not in page
        assert "&lt;script&gt;" in page


def test_list_is_paginated_newest_first(client, district):
    for n in range(12):
        post_published(district, title=f"留言{n:02d}")
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    titles = re.findall(r"留言(\d\d)", first)
    assert titles == [f"{n:02d}" for n in range(11, 1, -1)]
    assert re.findall(r"留言(\d\d)", second) == ["01", "00"]


def test_order_by_support_and_filters(client, district):
    quiet = post_published(district, title="少人附议")
    hot = post_published(district, title="多人附议")
    for reader in ("a", "b"):
        AppealSupport.objects.create(appeal_id=hot.appeal_id, supporter=reader * 64)
    dispatch_to(district, quiet, unit_index=1)

    by_support = client.get(LIST, {"order": "support"}).content.decode()
    assert by_support.index("多人附议") < by_support.index("少人附议")
    newest = client.get(LIST).content.decode()
    assert newest.index("多人附议") < newest.index("少人附议")  # hot was published last

    handling = client.get(LIST, {"status": "handling"}).content.decode()
    assert "少人附议" in handling and "多人附议" not in handling
    unit = district.street_units[1]
    by_unit = client.get(LIST, {"unit": unit.pk}).content.decode()
    assert "少人附议" in by_unit and "多人附议" not in by_unit
    assert client.get(LIST, {"unit": "x'--", "status": "<x>", "page": "zz"}).status_code == 200


def test_support_once_per_reader_in_place_with_htmx(district):
    post = post_published(district)
    reader = Client()
    reader.get(detail_url(post))

    first = reader.post(support_url(post), HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert "<strong>1</strong> 人附议" in first.content.decode()
    assert "已附议" in first.content.decode()
    again = reader.post(support_url(post), HTTP_HX_REQUEST="true")
    assert "<strong>1</strong> 人附议" in again.content.decode()

    other = Client()
    other.post(support_url(post))  # without HTMX: back to the page
    assert AppealSupport.objects.filter(appeal_id=post.appeal_id).count() == 2
    page = reader.get(detail_url(post)).content.decode()
    assert "<strong>2</strong> 人附议" in page and "已附议" in page
    stored = AppealSupport.objects.values_list("supporter", flat=True)
    assert "127.0.0.1" not in "".join(stored)


def test_support_needs_csrf(district):
    post = post_published(district)
    client = Client(enforce_csrf_checks=True)
    assert client.post(support_url(post)).status_code == 403
    assert not AppealSupport.objects.exists()


def test_support_needs_post(client, district):
    post = post_published(district)
    assert client.get(support_url(post)).status_code == 405


# --- posting --------------------------------------------------------------------------------


def form(client: Client, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "submission_key": client.get(NEW).context["submission_key"],
        "nickname": "怡居居民",
        "kind": "complaint",
        "title": "东门路灯不亮",
        "content": "怡居小区东门路灯坏了一个月。",
        "phone": PHONE,
    }
    values.update(overrides)
    return values


def test_post_new_creates_a_pending_board_appeal_and_shows_the_receipt(client, district):
    from tests.uploads import png_upload

    response = client.post(NEW, form(client, photos=[png_upload()]))

    assert response.status_code == 302 and response["Location"] == reverse("board:post_receipt")
    post = BoardPost.objects.select_related("appeal").get()
    appeal = post.appeal
    assert appeal.channel == Channel.BOARD and post.status == ModerationStatus.PENDING
    assert appeal.attachments.count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert appeal.tracking_number in receipt and appeal.query_code in receipt
    assert PHONE not in receipt
    # The poster follows it like any appeal, before and whatever the moderation.
    track = client.get(reverse("citizen:track_detail", args=[appeal.tracking_number]))
    assert track.status_code == 200


def test_double_submit_creates_one_post(client, district):
    values = form(client)
    client.post(NEW, values)
    client.post(NEW, values)
    assert BoardPost.objects.count() == 1 and Appeal.objects.count() == 1


def test_bad_post_is_refused_with_its_message_and_the_values_kept(client, district):
    response = client.post(NEW, form(client, nickname="", title="<i>保留的标题</i>"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写昵称" in page and "&lt;i&gt;保留的标题&lt;/i&gt;" in page
    assert not Appeal.objects.exists()


def test_posting_is_rate_limited(client, district, settings, rate_limits):
    statuses = [client.post(NEW, {"nickname": ""}).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert "提交过于频繁" in client.post(NEW, {}).content.decode()


def test_support_is_rate_limited(district, settings, rate_limits):
    post = post_published(district)
    client = Client()
    statuses = [client.post(support_url(post)).status_code for _ in range(31)]
    assert statuses[:30] == [302] * 30 and statuses[30] == 429


# --- moderation screens ---------------------------------------------------------------------

QUEUE = reverse("board:moderation_queue")


def staff(d, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def moderation_url(post: BoardPost) -> str:
    return reverse("board:moderation_detail", args=[post.pk])


def test_queue_is_for_moderators_only(client, district):
    post = post_new()
    assert client.get(QUEUE).status_code == 302  # to the login page
    for key in ("handler", "call_taker", "leader"):
        assert staff(district, key).get(QUEUE).status_code == 404
        assert staff(district, key).get(moderation_url(post)).status_code == 404
        assert (
            staff(district, key)
            .post(moderation_url(post), {"action": "publish", "version": 1})
            .status_code
            == 404
        )
    for key in ("dispatcher", "supervisor", "admin"):
        page = staff(district, key).get(QUEUE).content.decode()
        assert post.appeal.title in page and "留言审核" in page
    assert BoardPost.objects.get().status == ModerationStatus.PENDING


def test_queue_is_oldest_first_and_paginated(district):
    for n in range(27):
        post_new(title=f"待审{n:02d}")
    client = staff(district, "dispatcher")
    first = re.findall(r"待审(\d\d)", client.get(QUEUE).content.decode())
    assert first[:2] == ["00", "01"] and len(first) == 25
    assert re.findall(r"待审(\d\d)", client.get(QUEUE, {"page": 2}).content.decode()) == [
        "25",
        "26",
    ]


def test_moderator_publishes_with_edits_and_sees_the_history(district):
    post = post_new(content=f"东门路灯坏了，我叫王小明，电话{PHONE}")
    client = staff(district, "supervisor")

    page = client.get(moderation_url(post)).content.decode()
    assert "检测到个人信息" in page and "电话" in page
    # The buttons post the table's actions.
    for action in ("publish", "publish_edited", "keep_private"):
        assert f'name="action" value="{action}"' in page

    response = client.post(
        moderation_url(post),
        {
            "action": "publish_edited",
            "version": 1,
            "title": "东门路灯损坏",
            "content": "东门路灯坏了一个月。",
            "reason": "删去个人信息",
        },
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == ModerationStatus.PUBLISHED and post.public_title == "东门路灯损坏"
    page = client.get(moderation_url(post)).content.decode()
    assert "修改后公开" in page and "删去个人信息" in page and "公开文本修改前后" in page


def test_keep_private_without_reason_is_400_and_changes_nothing(district):
    post = post_new()
    response = staff(district, "dispatcher").post(
        moderation_url(post), {"action": "keep_private", "version": 1, "reason": " "}
    )
    assert response.status_code == 400
    assert "请填写不公开的原因" in response.content.decode()
    assert BoardPost.objects.get().status == ModerationStatus.PENDING
    assert not ModerationEntry.objects.exists()


def test_a_stale_moderation_form_is_409(district):
    post = post_new()
    client = staff(district, "dispatcher")
    client.post(moderation_url(post), {"action": "publish", "version": 1})
    response = client.post(
        moderation_url(post), {"action": "keep_private", "version": 1, "reason": "重复"}
    )
    assert response.status_code == 409
    assert BoardPost.objects.get().status == ModerationStatus.PUBLISHED


def test_moderation_needs_csrf(district):
    post = post_new()
    client = Client(enforce_csrf_checks=True)
    client.force_login(district.user("dispatcher"))
    assert client.post(moderation_url(post), {"action": "publish", "version": 1}).status_code == 403
    assert BoardPost.objects.get().status == ModerationStatus.PENDING


def test_nav_has_the_moderation_entry_for_moderators(district):
    assert "留言审核" in staff(district, "dispatcher").get(QUEUE).content.decode()
    pytest.importorskip("minxin.cases.views")
    handler_home = staff(district, "handler").get(reverse("cases:unit_queue")).content.decode()
    assert "留言审核" not in handler_home


def test_the_decision_flash_reads_once(district):
    # The status label 已公开 already says 已: the flash was 「已已公开」.
    published, private = post_new(title="东门路灯坏了"), post_new(title="西门井盖松动")
    client = staff(district, "supervisor")

    one = client.post(moderation_url(published), {"action": "publish", "version": 1}, follow=True)
    two = client.post(
        moderation_url(private),
        {"action": "keep_private", "version": 1, "reason": "涉及个人纠纷"},
        follow=True,
    )

    assert "已公开：东门路灯坏了" in one.content.decode()
    assert "已已" not in one.content.decode()
    assert "已设为不公开：西门井盖松动" in two.content.decode()
