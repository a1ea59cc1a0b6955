from django.conf import settings
from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, one_to_one, optional_key
from minxin.directory.models import Region, Unit

PLACE_MAX = 200
TEXT_MAX = 2000
NOTES_MAX = 5000


class Visit(models.Model):
    """走访 (一线工作法): officials going to the people and recording what they heard. Each
    matter raised becomes an appeal (channel `visit`), linked by a VisitMatter row."""

    # Idempotent record: the form's one-time key; a resubmitted form finds its visit again.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    unit = key(Unit, "走访单位")
    region = optional_key(Region, "所属区域")
    place_text = models.CharField("走访地点", max_length=PLACE_MAX)
    visited_at = models.DateTimeField("走访时间")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="走访人员", blank=True, related_name="+"
    )
    participants_text = models.CharField("其他走访人员（姓名、职务）", max_length=500, blank=True)
    met_text = models.TextField("走访对象")
    notes = models.TextField("走访情况", blank=True)
    recorded_by = key(User, "记录人")
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

    visit = key(Visit, "走访", related_name="matters")
    position = models.PositiveSmallIntegerField("序号")
    appeal = one_to_one(Appeal, "诉求", related_name="visit_matter")
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
