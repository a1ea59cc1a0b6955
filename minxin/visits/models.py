from django.conf import settings
from django.db import models
from django.utils import timezone

PLACE_MAX = 200
TEXT_MAX = 2000
NOTES_MAX = 5000


class Visit(models.Model):
    """走访 (一线工作法): officials going to the people and recording what they heard. Each
    matter raised becomes an appeal (channel `visit`), linked by a VisitMatter row."""

    # Idempotent record: the form's one-time key; a resubmitted form finds its visit again.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    unit = models.ForeignKey(
        "directory.Unit",
        verbose_name="走访单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "directory.Region",
        verbose_name="所属区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place_text = models.CharField("走访地点", max_length=PLACE_MAX)
    visited_at = models.DateTimeField("走访时间")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="走访人员", blank=True, related_name="+"
    )
    participants_text = models.CharField("其他走访人员（姓名、职务）", max_length=500, blank=True)
    met_text = models.TextField("走访对象")
    notes = models.TextField("走访情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        indexes = [
            models.Index(fields=["unit", "visited_at"], name="visit_unit_time"),
            models.Index(fields=["visited_at"], name="visit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.place_text}"


class VisitMatter(models.Model):
    """One matter raised during a visit, and the appeal it became."""

    visit = models.ForeignKey(
        Visit, verbose_name="走访", on_delete=models.PROTECT, related_name="matters"
    )
    position = models.PositiveSmallIntegerField("序号")
    appeal = models.OneToOneField(
        "cases.Appeal",
        verbose_name="诉求",
        on_delete=models.PROTECT,
        related_name="visit_matter",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "走访事项"
        verbose_name_plural = "走访事项"
        ordering = ["visit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "position"], name="visit_matter_position"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}#{self.position} → {self.appeal_id}"
