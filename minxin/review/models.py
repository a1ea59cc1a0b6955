from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from minxin.core.models import optional_key
from minxin.directory.models import Category, Jurisdiction, Unit


class ReviewRule(models.Model):
    """One rule of the review policy (办结审核策略), edited by the admin: which replies wait for
    the centre's review before the citizen sees them. The most specific active rule that fits a
    reply decides (unit and category > unit > category > the district's rule > the city's, then
    priority; a rule of a district covers that district's appeals only, one of no district
    every district's):
    a reply scoring at least `pass_score` passes at once; otherwise `sample_percent` of the
    replies it covers are reviewed (100: all, 0: none). A reply that shows a third party's
    personal data is always reviewed. No rule fits: released without review."""

    name = models.CharField("规则名称", max_length=60)
    category = optional_key(Category, "分类（含下级）")
    unit = optional_key(Unit, "承办单位")
    jurisdiction = optional_key(
        Jurisdiction, "辖区", help_text="空：全市各辖区（一个区的规则优先于全市的）"
    )
    sample_percent = models.PositiveSmallIntegerField(
        "审核比例（%）", default=100, validators=[MaxValueValidator(100)]
    )
    pass_score = models.PositiveSmallIntegerField(
        "免审质量分（达到即自动通过，空：不免审）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    priority = models.PositiveSmallIntegerField("优先级（小者先）", default=100)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "审核规则"
        verbose_name_plural = "审核规则"
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sample_percent__lte=100), name="review_rule_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(pass_score__isnull=True) | models.Q(pass_score__lte=100),
                name="review_rule_pass_score",
            ),
        ]

    def __str__(self) -> str:
        return self.name
