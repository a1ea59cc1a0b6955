from django.db import models
from django.db.models import Q

from minxin.core.models import BaseModel, optional_key
from minxin.directory.models import Category


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class WorkingDayOverride(BaseModel):
    """A date whose status the admin sets by hand; it always wins over chinese-calendar."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日", help_text="勾选：调休上班日；不勾选：放假日")
    note = models.CharField("说明", max_length=200, help_text="例如：2027年春节")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["-date"]

    def __str__(self) -> str:
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date:%Y-%m-%d} {kind}（{self.note}）"


class DeadlinePolicy(BaseModel):
    """Limits for a category (and its subtree) at one urgency; no category = district default."""

    category = optional_key(
        Category,
        "诉求分类",
        related_name="deadline_policies",
        help_text="留空表示全区默认；下级分类没有自己的时限时沿用上级的",
    )
    urgency = models.CharField("紧急程度", max_length=20, choices=Urgency.choices)
    first_contact_hours = models.DecimalField(
        "先行联系时限（工作小时）", max_digits=5, decimal_places=1
    )
    resolve_days = models.PositiveSmallIntegerField("办结时限（工作日）")
    # Between units (docs/metrics.md, "Transfers and refused returns"): whether the new lead
    # unit of an approved transfer starts with fresh deadlines, and whether a unit whose return
    # was refused does.
    transfer_restarts_clock = models.BooleanField(
        "转办后重新计时",
        default=True,
        help_text="勾选：同意转办后，新主办单位的先行联系和办结时限从转办时起重新计算；"
        "不勾选：沿用原时限（诉求人的等待不因转办而重来）",
    )
    refused_return_restarts_clock = models.BooleanField(
        "驳回退单后重新计时",
        default=False,
        help_text="勾选：退单被驳回后，原承办单位的时限从驳回时起重新计算；"
        "不勾选：恢复退单前的时限（不当退单耽误的时间由该单位承担）",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["category__path_name", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency"],
                condition=Q(category__isnull=False),
                name="deadlines_policy_unique_category_urgency",
                violation_error_message="该分类在此紧急程度下已有时限设置",
            ),
            # NULLs are distinct in a plain unique index, so the default row needs its own.
            models.UniqueConstraint(
                fields=["urgency"],
                condition=Q(category__isnull=True),
                name="deadlines_policy_unique_default_urgency",
                violation_error_message="全区默认时限在此紧急程度下已存在",
            ),
            models.CheckConstraint(
                condition=Q(first_contact_hours__gt=0),
                name="deadlines_policy_first_contact_hours_positive",
                violation_error_message="先行联系时限必须大于0",
            ),
        ]

    def __str__(self) -> str:
        scope = self.category.path_name if self.category else "全区默认"
        return f"{scope} · {self.get_urgency_display()}"
