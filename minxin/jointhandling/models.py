from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key
from minxin.directory.models import Unit


class JointVisit(models.Model):
    """联合处置: several units on the spot at once for one appeal — who came, what each did,
    and what they settled together (the lead unit's one reply builds on it). Append-only, like
    the appeal's own history: a correction is a new visit."""

    appeal = key(Appeal, "诉求", related_name="joint_visits")
    held_at = models.DateTimeField("处置时间")
    place = models.CharField("地点", max_length=200)
    outcome = models.TextField("共同处置结果")
    recorded_by = key(User, "记录人")
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "联合处置"
        verbose_name_plural = "联合处置"
        ordering = ["-held_at", "-pk"]
        indexes = [models.Index(fields=["appeal", "held_at"], name="joint_visit_appeal")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.held_at:%Y-%m-%d}"


class JointVisitPart(models.Model):
    """One unit at a joint visit: who came and what it did."""

    visit = key(JointVisit, "联合处置", related_name="parts")
    unit = key(Unit, "单位")
    people = models.CharField("到场人员", max_length=200)
    did = models.TextField("处置情况")

    class Meta:
        verbose_name = "联合处置单位"
        verbose_name_plural = "联合处置单位"
        constraints = [
            models.UniqueConstraint(fields=["visit", "unit"], name="joint_visit_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.unit_id}"
