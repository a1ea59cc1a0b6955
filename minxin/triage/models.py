from django.conf import settings
from django.db import models


class CorrectionField(models.TextChoices):
    CATEGORY = "category", "分类"
    URGENCY = "urgency", "紧急程度"
    VALIDITY = "validity", "有效性"
    REGION = "region", "所属区域"
    DUPLICATE = "duplicate", "重复件"


class TriageCorrection(models.Model):
    """A dispatcher overriding a screening suggestion: kept as a training example.

    For `category`, `chosen_value` is a category path ("城乡建设/住房保障与房地产/物业服务"); the
    next `minxin triage train` learns the appeal's text with its top level. Append-only."""

    appeal = models.ForeignKey(
        "cases.Appeal", verbose_name="诉求", on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField("字段", max_length=20, choices=CorrectionField.choices)
    suggested_value = models.CharField("建议值", max_length=300, blank=True)
    chosen_value = models.CharField("采用值", max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "甄别纠正"
        verbose_name_plural = "甄别纠正"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["field", "created_at"], name="triage_corr_field_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.field}: {self.suggested_value} → {self.chosen_value}"
