from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .workflow import AdoptionLevel, SuggestionStatus

TITLE_MAX = 100
# The appeal made from a forwarded suggestion adds a line of provenance under the content, and
# an appeal's content holds at most 5000 characters.
CONTENT_MAX = 4000


class SuggestionField(models.TextChoices):
    """领域: a fixed list, as the city's 人民建议征集 forms have it (not the appeal catalogue,
    which classifies complaints, not ideas)."""

    URBAN = "urban", "城市建设与管理"
    TRANSPORT = "transport", "交通出行"
    ENVIRONMENT = "environment", "生态环境"
    HOUSING = "housing", "住房与物业"
    EDUCATION = "education", "教育"
    HEALTH = "health", "医疗卫生"
    SOCIAL = "social", "养老与社会保障"
    ECONOMY = "economy", "经济发展与营商环境"
    COMMUNITY = "community", "社区治理"
    CULTURE = "culture", "文化体育"
    OTHER = "other", "其他"


class Suggestion(models.Model):
    """A citizen's idea (人民建议). `status` is written only by
    `suggestions.services.suggestion_transition` (and set to SUBMITTED at creation)."""

    tracking_number = models.CharField("建议编号", max_length=20, unique=True)
    query_code = models.CharField("查询码", max_length=12)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    field = models.CharField("领域", max_length=20, choices=SuggestionField.choices)
    title = models.CharField("标题", max_length=TITLE_MAX)
    content = models.TextField("建议内容")
    proposer_name = models.CharField("建议人", max_length=50, blank=True)
    proposer_phone = models.CharField("联系电话", max_length=20, blank=True)

    status = models.CharField(
        "状态",
        max_length=20,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.SUBMITTED,
    )
    version = models.PositiveIntegerField("版本", default=1)
    adoption_level = models.CharField(
        "采纳层级", max_length=20, choices=AdoptionLevel.choices, blank=True
    )
    forward_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="转交单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal = models.OneToOneField(
        "cases.Appeal",
        verbose_name="转办诉求",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestion",
    )
    decision = models.TextField("处理意见", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    created_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人民建议"
        verbose_name_plural = "人民建议"
        indexes = [
            models.Index(fields=["status", "created_at"], name="suggestion_status_time"),
            models.Index(fields=["created_at"], name="suggestion_time"),
            models.Index(fields=["adoption_level", "decided_at"], name="suggestion_level_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="suggestion_version_positive"),
            # Adopted means at a level; nothing else has one.
            models.CheckConstraint(
                condition=(Q(status="adopted") & ~Q(adoption_level=""))
                | (~Q(status="adopted") & Q(adoption_level="")),
                name="suggestion_adopted_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"


class SuggestionEvent(models.Model):
    """The append-only history of a suggestion: who did what, when, from which status to which
    and why. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField("操作角色", max_length=20)
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    reason = models.TextField("说明", blank=True)
    payload = models.JSONField("附加数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "建议处理记录"
        verbose_name_plural = "建议处理记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["suggestion", "created_at"], name="sug_event_time")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.action} {self.from_status}→{self.to_status}"


class SuggestionSequence(models.Model):
    """Per-day counter behind readable numbers (JY2026112100042), like the appeals' one."""

    day = models.DateField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "建议编号序列"
        verbose_name_plural = "建议编号序列"

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"
