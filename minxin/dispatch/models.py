from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import key, optional_key
from minxin.directory.models import Category, Jurisdiction, Region, Unit

CITY_NAME = "全市"


class RoutingRule(models.Model):
    """Category × region → responsible unit (FixMyStreet's contacts): data, not code.

    Every change needs a note and leaves a RoutingRuleHistory row (written by the service).
    A rule is one district's (`jurisdiction`; its region, when given, lies in it) or the
    city's (no district: it applies in every district); an appeal is matched against its
    district's rules and the city's (`selectors.units_ranked`).
    """

    category = key(Category, "分类")
    region = optional_key(
        Region, "区域", help_text="留空表示规则所属辖区的全部区域（市级规则：所有辖区）"
    )
    unit = key(Unit, "承办单位")
    jurisdiction = optional_key(Jurisdiction, "辖区", help_text="留空表示市级规则，适用于所有辖区")
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("修改说明", max_length=300)
    updated_by = optional_key(User, "修改人")
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "派单路由规则"
        verbose_name_plural = "派单路由规则"
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region"],
                name="routing_rule_unique",
                condition=models.Q(region__isnull=False),
            ),
            # One rule for a whole district per category, and one for the whole city.
            models.UniqueConstraint(
                fields=["category", "jurisdiction"],
                name="routing_rule_unique_district",
                condition=models.Q(region__isnull=True, jurisdiction__isnull=False),
                violation_error_message="本辖区已有该分类的全辖区规则，请修改原规则",
            ),
            models.UniqueConstraint(
                fields=["category"],
                name="routing_rule_unique_city",
                condition=models.Q(region__isnull=True, jurisdiction__isnull=True),
                violation_error_message="已有该分类的市级规则，请修改原规则",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.region or '全区'} → {self.unit}"

    @property
    def jurisdiction_name(self) -> str:
        return self.jurisdiction.name if self.jurisdiction else CITY_NAME


class RoutingRuleHistory(models.Model):
    """What a rule said after each change, who changed it and why. Append-only."""

    rule = key(RoutingRule, related_name="history")
    category_name = models.CharField("分类", max_length=300)
    region_name = models.CharField("区域", max_length=100)
    jurisdiction_name = models.CharField("辖区", max_length=100, blank=True)
    unit_name = models.CharField("承办单位", max_length=100)
    is_active = models.BooleanField("启用")
    note = models.CharField("修改说明", max_length=300)
    changed_by = optional_key(User)
    changed_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "路由规则修改记录"
        verbose_name_plural = "路由规则修改记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


SAVED_FILTER_MISSING = "未找到该常用筛选"


class SavedFilter(models.Model):
    """A dispatcher's named filter of the screening queue (甄别派单的常用筛选): the queue page's
    query string, kept for that user alone; applied as a link, replaced by saving under the same
    name, deleted when no longer wanted (a preference, not a record)."""

    user = key(User, "用户", related_name="saved_queue_filters")
    name = models.CharField("名称", max_length=30)
    query = models.CharField("筛选条件", max_length=800)
    created_at = models.DateTimeField("保存时间", default=timezone.now)

    class Meta:
        verbose_name = "常用筛选"
        verbose_name_plural = "常用筛选"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_user_name"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.name}"
