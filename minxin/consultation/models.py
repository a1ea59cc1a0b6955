"""征求意见: drafts out for comment, their articles, contact points, the comments and their
answers. A consultation and a comment are each on their own machine (`workflow.py`)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import BaseModel, key, optional_key
from minxin.core.privacy import mask_personal_data
from minxin.directory.models import (
    Region,
    Unit,
    jurisdiction_key,
)
from minxin.machine.models import Event, VersionedModel, event_meta, status_timed

from .workflow import CommentStatus, ConsultationStatus


class ContactPoint(BaseModel):
    """基层立法联系点: a place (a community, a company, a school) that gathers residents' views
    on drafts and passes them on."""

    name = models.CharField("名称", max_length=100, unique=True)
    region = optional_key(Region, "所在区域")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "基层立法联系点"
        verbose_name_plural = "基层立法联系点"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Consultation(VersionedModel):
    """A draft (a regulation, a policy) out for comment: its text in articles, the issuing
    unit, the window. `status` is written only by its machine."""

    # The district it is out for comment in: its office's, decided once when created.
    jurisdiction = jurisdiction_key()
    title = models.CharField("标题", max_length=200)
    issuing_unit = key(Unit, "起草单位")
    summary = models.TextField("起草说明", blank=True)
    preamble = models.TextField("序言", blank=True)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
    )
    reported_at = models.DateTimeField("采纳情况公布时间", null=True, blank=True)
    report_note = models.TextField("采纳情况说明", blank=True)
    created_by = key(User, "创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["-opens_at", "-id"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="consultation_window_in_order"
            ),
            status_timed("reported", "reported_at", name="consultation_reported_has_time"),
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationEvent(Event):
    consultation = key(Consultation, "征求意见", related_name="events")

    Meta = event_meta("征求意见记录", subject="consultation", index="consultation_event_time")

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.action}"


class Article(models.Model):
    """One article of the draft (第X条), in order, under its chapter if it has one."""

    consultation = key(Consultation, "征求意见", related_name="articles")
    position = models.PositiveSmallIntegerField("序号")
    chapter = models.CharField("章", max_length=200, blank=True)
    heading = models.CharField("条号", max_length=30)
    text = models.TextField("条文")

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="consultation_article_position"
            )
        ]

    def __str__(self) -> str:
        return self.heading


class CommentSource(models.TextChoices):
    CITIZEN = "citizen", "群众"
    DEPUTY = "deputy", "人大代表"
    CONTACT_POINT = "contact_point", "基层立法联系点"


class Decision(models.TextChoices):
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class Comment(VersionedModel):
    """A comment on the whole draft or on one article. Its text as written is for staff; the
    public reads `public_text` (masked, possibly edited by the moderator) once published. The
    answer: a decision and its reason."""

    consultation = key(Consultation, "征求意见", related_name="comments")
    article = optional_key(Article, "条文", related_name="comments")
    source = models.CharField("来源", max_length=20, choices=CommentSource.choices)
    author = models.CharField("署名", max_length=50, blank=True)
    contact_point = optional_key(ContactPoint, "联系点")
    submitted_by = optional_key(User, "提交账号")
    text = models.TextField("意见")
    public_text = models.TextField("公开文本", blank=True)
    status = models.CharField(
        "审核状态", max_length=12, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    decision = models.CharField("采纳情况", max_length=12, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("理由", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["consultation", "status"], name="consultation_comment_status")
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(decision="") & Q(answered_at__isnull=True))
                | (~Q(decision="") & Q(answered_at__isnull=False)),
                name="consultation_comment_answer_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(source="contact_point") | Q(contact_point__isnull=False),
                name="consultation_comment_point_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.pk}"

    @property
    def text_masked(self) -> str:
        """The text as staff pages show it: personal data masked (core/privacy.py)."""
        return mask_personal_data(self.text)


class CommentEvent(Event):
    comment = key(Comment, "意见", related_name="events")

    Meta = event_meta("意见记录", subject="comment", index="consultation_comment_time")

    def __str__(self) -> str:
        return f"{self.comment_id} {self.action}"
