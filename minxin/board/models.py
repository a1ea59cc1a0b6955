"""The public message board (留言板). A post IS an appeal with channel `board` (it runs the
whole loop whatever happens to its publication); `BoardPost` adds what only the board needs:
the nickname, the moderation state and the public copy of the text; `AppealSupport` is a
reader's 附议 on a published post.

The appeal's own title and content are never changed: what the public reads is the moderator's
copy, stored masked (personal data replaced) when it is published. Photos stay on the appeal
and are never shown on public pages: a photo cannot be masked automatically (faces, plates,
house numbers), so only staff and the poster (through the tracking grant) see them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import TITLE_MAX, Appeal
from minxin.cases.workflow import AppealStatus
from minxin.core.models import key, one_to_one, optional_key
from minxin.machine.models import Event, VersionedModel

from .workflow import ModerationStatus

NICKNAME_MAX = 20
# An appeal the hotline found invalid (spam, not an appeal) is never shown, published or not.
HIDDEN_STATUSES = frozenset({AppealStatus.INVALID})


class BoardPost(VersionedModel):
    """A post's board record; `status` (moderation) is written only by the board's machine
    (`board.machine.MODERATION`)."""

    appeal = one_to_one(Appeal, "诉求", related_name="board_post")
    nickname = models.CharField("昵称", max_length=NICKNAME_MAX)
    status = models.CharField(
        "审核状态",
        max_length=20,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
    )
    # The public copy, masked; empty until the first publication.
    public_title = models.CharField("公开标题", max_length=TITLE_MAX, blank=True)
    public_content = models.TextField("公开内容", blank=True)
    moderated_by = optional_key(User, "审核人")
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderation_reason = models.TextField("审核说明", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    created_at = models.DateTimeField("留言时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "留言"
        verbose_name_plural = "留言"
        indexes = [
            models.Index(fields=["status", "created_at"], name="boardpost_status_created"),
            models.Index(fields=["status", "published_at"], name="boardpost_status_published"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="boardpost_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nickname}: {self.appeal_id}"


class ModerationEntry(Event):
    """One moderation decision, never changed or deleted: who, when, what, the public text
    before and after, and why."""

    post = key(BoardPost, "留言", related_name="history")
    title_before = models.CharField("修改前标题", max_length=TITLE_MAX, blank=True)
    title_after = models.CharField("修改后标题", max_length=TITLE_MAX, blank=True)
    content_before = models.TextField("修改前内容", blank=True)
    content_after = models.TextField("修改后内容", blank=True)

    class Meta(Event.Meta):
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"

    def __str__(self) -> str:
        return f"{self.post_id} {self.action}"

    @property
    def edited(self) -> bool:
        return (self.title_before, self.content_before) != (self.title_after, self.content_after)


class AppealSupport(models.Model):
    """A reader's 附议 ("me too") on a published appeal: not a change of the appeal, so no
    event; counted by the hotspot figures. `supporter` is a salted hash of who supported
    (never an address or a phone), unique per appeal so one reader counts once."""

    appeal = key(Appeal, "诉求", related_name="supports")
    supporter = models.CharField("附议人标识", max_length=64)
    created_at = models.DateTimeField("附议时间", default=timezone.now)

    class Meta:
        verbose_name = "附议"
        verbose_name_plural = "附议"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "supporter"], name="support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} 附议"
