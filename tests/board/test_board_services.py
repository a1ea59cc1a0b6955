"""The message board's writes: posting, moderation (table, edits, masking), 附议."""

import pytest

from minxin.accounts.actor import Actor
from minxin.board.models import AppealSupport, BoardPost, ModerationEntry
from minxin.board.selectors import post_get_public, support_counts
from minxin.board.services import (
    appeal_support,
    post_create,
    post_moderate,
    supporter_hash,
)
from minxin.board.workflow import TRANSITIONS as MODERATION
from minxin.board.workflow import ModerationStatus
from minxin.cases.models import Appeal, AppealEvent, Channel
from minxin.cases.selectors import screening_queue
from minxin.cases.services import appeal_act
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.errors import (
    ConcurrentEdit,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

from .posts import PHONE, post_new, post_published

ID_CARD = "11010519491231002X"  # a valid GB 11643 number
PLATE = "湘A12345"


def test_a_post_is_a_board_appeal_pending_moderation_in_the_screening_queue(district):
    post = post_new()

    appeal = post.appeal
    assert appeal.channel == Channel.BOARD
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.appellant_name == "怡居居民" and appeal.appellant_phone == PHONE
    assert post.status == ModerationStatus.PENDING and post.public_title == ""
    assert [e.action for e in AppealEvent.objects.filter(appeal=appeal)] == [Action.RECEIVE]
    # Published or not, the hotline screens it like any other appeal.
    assert appeal in screening_queue(user=district.user("dispatcher"))


def test_a_post_without_phone_is_anonymous(district):
    post = post_new(phone="")
    assert post.appeal.is_anonymous and post.appeal.appellant_phone == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nickname", "  ", "请填写昵称"),
        ("nickname", "昵" * 21, "昵称不能超过20字"),
        ("title", "", "请填写诉求标题"),
        ("content", "   ", "请填写诉求内容"),
        ("kind", "nonsense", "请选择诉求类型"),
        ("phone", "12345", "联系电话格式不正确"),
    ],
)
def test_bad_input_stores_nothing(district, field, value, message):
    with pytest.raises(ValidationFailed, match=message):
        post_new(**{field: value})
    assert not Appeal.objects.exists() and not BoardPost.objects.exists()


def test_double_submit_makes_one_post(district):
    key = "a" * 32
    first = post_create(
        nickname="网友", kind="help", title="求助", content="内容", submission_key=key
    )
    again = post_create(
        nickname="网友", kind="help", title="求助", content="内容", submission_key=key
    )
    assert first.created and not again.created
    assert again.post.pk == first.post.pk
    assert Appeal.objects.count() == 1 and BoardPost.objects.count() == 1


def test_publish_masks_personal_data_and_keeps_the_appeal_text(district):
    content = f"我叫王小明，电话{PHONE}，身份证{ID_CARD}，车牌{PLATE}的车天天占消防通道。"
    post = post_new(title=f"{PLATE}长期占用消防通道", content=content)

    post = post_moderate(
        actor=district.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1
    )

    assert post.status == ModerationStatus.PUBLISHED and post.published_at is not None
    public = post.public_title + post.public_content
    for secret in (PHONE, ID_CARD, PLATE, "王小明"):
        assert secret not in public
    assert "王**" in post.public_content and "139******78" in post.public_content
    appeal = Appeal.objects.get(pk=post.appeal_id)
    assert appeal.content == content  # the appeal itself is never changed
    entry = ModerationEntry.objects.get(post=post)
    assert (entry.action, entry.from_status, entry.to_status) == ("publish", "pending", "published")
    assert entry.content_before == content and entry.content_after == post.public_content
    assert entry.actor == district.user("dispatcher")


def test_publish_with_edits_is_recorded_and_the_edit_masked_again(district):
    post = post_new()
    supervisor = district.user("supervisor")

    post = post_moderate(
        actor=supervisor,
        post_id=post.pk,
        action="publish_edited",
        expected_version=1,
        title="怡居小区东门路灯损坏",
        content=f"东门路灯坏了一个月。联系人：李四，{PHONE}",
        reason="删去无关内容",
    )

    assert post.public_title == "怡居小区东门路灯损坏"
    assert PHONE not in post.public_content and "李四" not in post.public_content
    entry = post.history.get()
    assert entry.action == "publish_edited" and entry.edited and entry.reason == "删去无关内容"
    assert entry.title_before == "怡居小区门口路灯不亮"
    assert entry.title_after == "怡居小区东门路灯损坏"
    assert Appeal.objects.get(pk=post.appeal_id).title == "怡居小区门口路灯不亮"


def test_an_unchanged_edit_is_refused(district):
    post = post_new()
    with pytest.raises(ValidationFailed, match="内容未作修改"):
        post_moderate(
            actor=district.user("dispatcher"),
            post_id=post.pk,
            action="publish_edited",
            expected_version=1,
            title=post.appeal.title,
            content=post.appeal.content,
        )
    assert not ModerationEntry.objects.exists()


def test_keep_private_needs_a_reason(district):
    post = post_new()
    dispatcher = district.user("dispatcher")
    with pytest.raises(ValidationFailed, match="请填写不公开的原因"):
        post_moderate(actor=dispatcher, post_id=post.pk, action="keep_private", expected_version=1)
    post = post_moderate(
        actor=dispatcher,
        post_id=post.pk,
        action="keep_private",
        expected_version=1,
        reason="涉及他人隐私",
    )
    assert post.status == ModerationStatus.PRIVATE and post.moderation_reason == "涉及他人隐私"
    assert post.history.get().reason == "涉及他人隐私"
    with pytest.raises(NotFound):
        post_get_public(district=post.appeal.jurisdiction_id, post_id=post.pk)


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (state, action, state in rule.source)
        for action, rule in MODERATION.items()
        for state in ModerationStatus
    ],
)
def test_moderation_table(district, state, action, allowed):
    post = post_new()
    dispatcher = district.user("dispatcher")
    if state == ModerationStatus.PUBLISHED:
        post = post_moderate(
            actor=dispatcher, post_id=post.pk, action="publish", expected_version=1
        )
    elif state == ModerationStatus.PRIVATE:
        post = post_moderate(
            actor=dispatcher, post_id=post.pk, action="keep_private", expected_version=1, reason="x"
        )
    before = ModerationEntry.objects.count()
    kwargs = {"title": "改过的标题", "content": "改过的内容", "reason": "原因"}
    if allowed:
        done = post_moderate(
            actor=dispatcher,
            post_id=post.pk,
            action=action,
            expected_version=post.version,
            **kwargs,
        )
        assert done.status == MODERATION[action].target
        assert ModerationEntry.objects.count() == before + 1
    else:
        with pytest.raises(IllegalTransition):
            post_moderate(
                actor=dispatcher,
                post_id=post.pk,
                action=action,
                expected_version=post.version,
                **kwargs,
            )
        assert ModerationEntry.objects.count() == before
        assert BoardPost.objects.get(pk=post.pk).status == state


@pytest.mark.parametrize("role", ["handler", "call_taker", "leader"])
def test_only_moderators_moderate(district, role):
    post = post_new()
    with pytest.raises(PermissionDenied):
        post_moderate(
            actor=district.user(role), post_id=post.pk, action="publish", expected_version=1
        )
    assert BoardPost.objects.get(pk=post.pk).status == ModerationStatus.PENDING


def test_a_stale_version_is_refused(district):
    post = post_new()
    post_moderate(
        actor=district.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1
    )
    with pytest.raises(ConcurrentEdit):
        post_moderate(
            actor=district.user("supervisor"),
            post_id=post.pk,
            action="keep_private",
            expected_version=1,
            reason="重复",
        )


def test_an_invalid_appeal_cannot_be_published(district):
    post = post_new()
    appeal_act(
        appeal_id=post.appeal_id,
        action=Action.MARK_INVALID,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=1,
        reason="广告",
    )
    with pytest.raises(IllegalTransition, match="无效件"):
        post_moderate(
            actor=district.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1
        )


def test_support_once_per_reader(district):
    post = post_published(district)
    alice, bob = supporter_hash(reader_id="a" * 32), supporter_hash(reader_id="b" * 32)

    assert appeal_support(appeal_id=post.appeal_id, supporter=alice).created
    again = appeal_support(appeal_id=post.appeal_id, supporter=alice)
    assert not again.created and again.count == 1
    assert appeal_support(appeal_id=post.appeal_id, supporter=bob).count == 2
    assert support_counts(appeal_ids=[post.appeal_id]) == {post.appeal_id: 2}
    stored = set(AppealSupport.objects.values_list("supporter", flat=True))
    assert stored == {alice, bob} and all(len(s) == 64 for s in stored)


def test_support_only_on_published_posts(district):
    post = post_new()
    with pytest.raises(NotFound):
        appeal_support(appeal_id=post.appeal_id, supporter=supporter_hash(reader_id="c" * 32))
    assert not AppealSupport.objects.exists()


def test_supporter_hash_is_salted_with_the_secret(settings):
    one = supporter_hash(reader_id="x")
    settings.SECRET_KEY = "another-secret"
    assert supporter_hash(reader_id="x") != one
