from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.core.models import DaySequence, key, optional_key
from minxin.core.privacy import Contact, contact_masked
from minxin.directory.models import Unit, jurisdiction_key
from minxin.machine.models import Event, VersionedModel, event_meta

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


class Suggestion(VersionedModel):
    """A citizen's idea (人民建议). `status` is written only by the suggestions' machine
    (`suggestions.machine.SUGGESTIONS`); a new suggestion starts at its default."""

    # The district whose collection received it (the public page's host's).
    jurisdiction = jurisdiction_key()
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
    adoption_level = models.CharField(
        "采纳层级", max_length=20, choices=AdoptionLevel.choices, blank=True
    )
    forward_unit = optional_key(Unit, "转交单位")
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

    class Meta(VersionedModel.Meta):
        verbose_name = "人民建议"
        verbose_name_plural = "人民建议"
        indexes = [
            models.Index(fields=["status", "created_at"], name="suggestion_status_time"),
            models.Index(fields=["created_at"], name="suggestion_time"),
            models.Index(fields=["adoption_level", "decided_at"], name="suggestion_level_time"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            # Adopted means at a level; nothing else has one.
            models.CheckConstraint(
                condition=(Q(status="adopted") & ~Q(adoption_level=""))
                | (~Q(status="adopted") & Q(adoption_level="")),
                name="suggestion_adopted_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def proposer(self) -> Contact:
        """What a page shows of the proposer: name and phone masked."""
        return contact_masked(name=self.proposer_name, phone=self.proposer_phone)


class SuggestionEvent(Event):
    """The append-only history of a suggestion: who did what, when, from which status to which
    and why. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002)."""

    suggestion = key(Suggestion, "建议", related_name="events")

    Meta = event_meta("建议处理记录", subject="suggestion", index="sug_event_time")

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.action} {self.from_status}→{self.to_status}"


class SuggestionSequence(DaySequence):
    """Per-day counter behind readable numbers (JY2026112100042), like the appeals' one."""

    class Meta:
        verbose_name = "建议编号序列"
        verbose_name_plural = "建议编号序列"
