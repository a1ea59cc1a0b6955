"""考核申诉: a unit's request that one dissatisfied rating, or one missed completion deadline, of
an appeal it leads be left out of its scores. The appeal and its events are never changed: the
figures read the approved requests (metrics/facts.py, docs/metrics.md)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal, AppealEvent
from minxin.core.models import Photo, key, optional_key
from minxin.directory.models import Unit
from minxin.machine.models import Event, VersionedModel, event_meta

from .workflow import ExemptionKind, ExemptionStatus, Ground

STATEMENT_MAX = 2000


class Exemption(VersionedModel):
    appeal = key(Appeal, "诉求", related_name="exemptions")
    unit = key(Unit, "申请单位", related_name="exemptions")
    kind = models.CharField("申诉事项", max_length=20, choices=ExemptionKind.choices)
    ground = models.CharField("申诉理由类别", max_length=20, choices=Ground.choices)
    statement = models.TextField("申诉理由及证据说明")
    # What is asked to be left out: the dissatisfied rating (its event), or the completion
    # deadline that was missed (the appeal's `resolve_due` when asked).
    rating_event = optional_key(AppealEvent, "不满意评价")
    deadline = models.DateTimeField("超期的办结时限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ExemptionStatus.choices, default=ExemptionStatus.SUBMITTED
    )
    requested_by = key(User, "申请人")
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = optional_key(User, "审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision = models.TextField("审核意见", blank=True)

    class Meta(VersionedModel.Meta):
        verbose_name = "考核申诉"
        verbose_name_plural = "考核申诉"
        constraints = [
            *VersionedModel.Meta.constraints,
            # One request per appeal and kind waiting for a decision.
            models.UniqueConstraint(
                fields=["appeal", "kind"],
                condition=Q(status=ExemptionStatus.SUBMITTED),
                name="exemption_one_pending",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=ExemptionKind.DISSATISFIED, rating_event__isnull=False)
                    | Q(kind=ExemptionKind.OVERDUE, deadline__isnull=False)
                ),
                name="exemption_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="exemption_status"),
            models.Index(fields=["unit", "status"], name="exemption_unit"),
            models.Index(fields=["appeal", "status"], name="exemption_appeal"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.status}"


class ExemptionPhoto(Photo):
    """A photo of the evidence."""

    OF, FOLDER = "exemption", "exemptions"

    exemption = key(Exemption, "考核申诉", related_name="photos")

    class Meta:
        verbose_name = "申诉证据照片"
        verbose_name_plural = "申诉证据照片"


class ExemptionEvent(Event):
    exemption = key(Exemption, "考核申诉", related_name="events")

    Meta = event_meta("考核申诉记录", subject="exemption", index="exemption_event_time")

    def __str__(self) -> str:
        return f"{self.exemption_id} {self.action}"
