"""民心工程: a programme of livelihood projects, each with quantified targets, milestones,
responsibility letters, progress reports, linked appeals and residents' ratings.

A project's `status` is written only by its machine (`machine.PROJECTS`); every change, and
every report, letter, re-plan, link and warning, is one ProjectEvent on its timeline. What the
programme page and the map sort and draw by is kept on the rows (`Target.achieved`,
`Project.progress`), updated in the report's transaction, so no page sums 200,000 reports."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.cases.workflow import Satisfaction
from minxin.core.models import BaseModel, Photo, key, optional_key
from minxin.directory.models import (
    Region,
    Unit,
    jurisdiction_key,
)
from minxin.machine.models import Event, VersionedModel, event_meta

from .workflow import ProjectStatus


class Programme(BaseModel):
    """年度民心工程 / 民生实事项目: the projects the district commits to for a year."""

    # The district that commits to it: its staff and its public site see its projects.
    jurisdiction = jurisdiction_key()
    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    description = models.TextField("说明", blank=True)
    is_public = models.BooleanField("对外公开", default=True)
    # A project whose % of target trails its % of time elapsed by more than this many
    # percentage points is behind plan (落后于计划).
    behind_margin = models.PositiveSmallIntegerField("落后预警阈值（百分点）", default=10)

    class Meta:
        verbose_name = "民心工程计划"
        verbose_name_plural = "民心工程计划"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ProjectKind(models.TextChoices):
    OLD_AREA = "old_area", "旧区改造"
    ELEVATOR = "elevator", "加装电梯"
    BREAKFAST = "breakfast", "早餐工程"
    ELDERLY = "elderly", "社区养老服务设施"
    ESTATE = "estate", "老旧小区改造"
    SPORTS = "sports", "学校体育场地开放"
    OTHER = "other", "其他"


class Origin(models.TextChoices):
    OFFICE = "office", "计划安排"
    UNIT = "unit", "单位申报"
    HOTSPOT = "hotspot", "集中投诉"
    SUGGESTION = "suggestion", "人民建议"


class Project(VersionedModel):
    programme = key(Programme, "所属计划", related_name="projects")
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("类别", max_length=20, choices=ProjectKind.choices)
    summary = models.TextField("项目内容", blank=True)
    lead_unit = key(Unit, "牵头单位", related_name="projects_led")
    assisting_units = models.ManyToManyField(
        Unit, verbose_name="配合单位", related_name="projects_assisted", blank=True
    )
    regions = models.ManyToManyField(
        Region, verbose_name="实施区域", related_name="projects", blank=True
    )
    # Its points on the map: `ProjectPoint` rows, any number (a project in several estates).
    budget = models.DecimalField(
        "预算（万元）",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField("计划开工")
    end_date = models.DateField("计划完成")
    status = models.CharField(
        "状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.CANDIDATE
    )
    # The mean of its targets' % achieved (each capped at 100 so one overshoot does not hide
    # another's shortfall), 0-100; kept by the report that changes it.
    progress = models.FloatField("总体进度（%）", default=0)
    is_public = models.BooleanField("对外公开", default=True)
    origin = models.CharField("来源", max_length=20, choices=Origin.choices, default=Origin.OFFICE)
    origin_note = models.CharField("来源说明", max_length=300, blank=True)
    started_at = models.DateTimeField("开工时间", null=True, blank=True)
    completed_at = models.DateTimeField("完工时间", null=True, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    revisit_at = models.DateTimeField("回头看开始", null=True, blank=True)
    created_by = optional_key(User, "录入人")
    created_at = models.DateTimeField("录入时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "民心工程项目"
        verbose_name_plural = "民心工程项目"
        indexes = [
            models.Index(fields=["programme", "status"], name="project_programme_status"),
            models.Index(fields=["lead_unit", "status"], name="project_lead_status"),
            models.Index(fields=["is_public", "programme"], name="project_public"),
        ]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="project_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectPoint(models.Model):
    """A place of a project on the map (WGS84 degrees), with an optional name: a project may
    have several (加装电梯 in three estates), beside or instead of its regions."""

    project = key(Project, "项目", related_name="points")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    name = models.CharField("地点名称", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "项目点位"
        verbose_name_plural = "项目点位"
        ordering = ["project", "position", "id"]
        indexes = [models.Index(fields=["project", "position"], name="project_point_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="project_point_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.latitude},{self.longitude}"


class Target(models.Model):
    """A quantified goal (name, value, measure: 平方米, 户, 台, 个) a unit answers for.
    `achieved` is the cumulative value of its latest report."""

    project = key(Project, "项目", related_name="targets")
    name = models.CharField("指标名称", max_length=100)
    value = models.DecimalField(
        "目标值", max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    measure = models.CharField("计量单位", max_length=20)
    unit = key(Unit, "责任单位", related_name="project_targets")
    achieved = models.DecimalField("累计完成", max_digits=16, decimal_places=2, default=Decimal(0))
    reported_at = models.DateTimeField("最近填报", null=True, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "目标指标"
        verbose_name_plural = "目标指标"
        ordering = ["project", "position", "id"]
        indexes = [models.Index(fields=["project", "position"], name="target_project")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
            models.CheckConstraint(condition=Q(achieved__gte=0), name="target_achieved_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.value}{self.measure}"

    @property
    def share(self) -> float:
        """% of target achieved (over 100 allowed)."""
        return float(self.achieved / self.value * 100) if self.value else 0.0


class TargetYear(models.Model):
    """The part of a multi-year target due in one year (a "135" plan cut into years)."""

    target = key(Target, "指标", related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField(
        "年度目标", max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="target_year_once"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}"


class Milestone(models.Model):
    """A step of the task book (任务书): what, by which unit, planned from the end backwards."""

    project = key(Project, "项目", related_name="milestones")
    name = models.CharField("节点名称", max_length=100)
    task = models.CharField("任务内容", max_length=300, blank=True)
    unit = optional_key(Unit, "责任单位")
    duration_days = models.PositiveSmallIntegerField("工期（天）", default=30)
    planned_start = models.DateField("计划开始")
    planned_end = models.DateField("计划完成")
    done_on = models.DateField("实际完成", null=True, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["project", "position", "id"]
        indexes = [
            models.Index(fields=["project", "position"], name="milestone_project"),
            models.Index(fields=["done_on", "planned_end"], name="milestone_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="milestone_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _letter_path(letter: "ResponsibilityLetter", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"projects/letters/{letter.project_id}/{timezone.now():%Y%m%d%H%M%S}.{suffix}"


class ResponsibilityLetter(models.Model):
    """目标责任书: a unit's signed commitment to some of a project's targets."""

    project = key(Project, "项目", related_name="letters")
    unit = key(Unit, "责任单位")
    targets = models.ManyToManyField(Target, verbose_name="承诺指标", related_name="letters")
    signatories = models.CharField("签订人", max_length=200)
    signed_on = models.DateField("签订日期")
    scan = models.FileField("签字扫描件", upload_to=_letter_path, blank=True)
    scan_type = models.CharField("扫描件类型", max_length=50, blank=True)
    created_by = optional_key(User, "录入人")
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "目标责任书"
        verbose_name_plural = "目标责任书"
        ordering = ["project", "signed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit"], name="letter_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.unit_id}"


class ProgressReport(models.Model):
    """进度填报: the cumulative value a unit reached on a target, with evidence. Append-only;
    a lower value than the last one is a correction with its reason."""

    target = key(Target, "指标", related_name="reports")
    project = key(Project, "项目", related_name="reports")
    unit = optional_key(Unit, "填报单位")
    value = models.DecimalField(
        "累计完成", max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    previous = models.DecimalField("上次累计", max_digits=16, decimal_places=2, default=Decimal(0))
    is_correction = models.BooleanField("更正", default=False)
    note = models.TextField("说明", blank=True)
    region = optional_key(Region, "地点")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    reported_by = optional_key(User, "填报人")
    reported_at = models.DateTimeField("填报时间", default=timezone.now)

    class Meta:
        verbose_name = "进度填报"
        verbose_name_plural = "进度填报"
        ordering = ["target", "reported_at", "id"]
        indexes = [
            models.Index(fields=["target", "reported_at"], name="report_target_time"),
            models.Index(fields=["project", "reported_at"], name="report_project_time"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.value}"


class ProgressPhoto(Photo):
    OF, FOLDER = "report", "projects/progress"

    report = key(ProgressReport, "填报", related_name="photos")

    class Meta:
        verbose_name = "进度照片"
        verbose_name_plural = "进度照片"


class ProjectEvent(Event):
    """Append-only timeline of a project: every status change, report, letter, re-plan,
    link and warning."""

    project = key(Project, "项目", related_name="events")
    actor_unit = optional_key(Unit, "操作单位")

    Meta = event_meta("项目记录", subject="project", index="project_event_time")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class LinkSource(models.TextChoices):
    SUGGESTED = "suggested", "系统推荐、派单员确认"
    MANUAL = "manual", "人工关联"
    HOTSPOT = "hotspot", "由集中投诉生成"


class ProjectAppeal(models.Model):
    """An appeal about a project, linked by a dispatcher (from the suggestions or by hand)
    or when a hotspot became the project."""

    project = key(Project, "项目", related_name="appeal_links")
    appeal = key(Appeal, "诉求", related_name="project_links")
    source = models.CharField("关联方式", max_length=20, choices=LinkSource.choices)
    linked_by = optional_key(User, "关联人")
    linked_at = models.DateTimeField("关联时间", default=timezone.now)

    class Meta:
        verbose_name = "项目关联诉求"
        verbose_name_plural = "项目关联诉求"
        constraints = [
            models.UniqueConstraint(fields=["project", "appeal"], name="project_appeal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.appeal_id}"


class WarningKind(models.TextChoices):
    BEHIND = "behind", "进度落后于计划"
    MILESTONE = "milestone", "节点逾期未完成"


class ProjectWarning(models.Model):
    """A project behind plan (once per ISO week) or a milestone missed (once per milestone and
    planned date): raised by the scheduled check, told to the units and the office."""

    project = key(Project, "项目", related_name="warnings")
    kind = models.CharField("类型", max_length=20, choices=WarningKind.choices)
    ref = models.CharField("依据", max_length=40)  # the week (2026-W49) or milestone@date
    milestone = optional_key(Milestone, "节点")
    progress = models.FloatField("当时进度（%）")
    time_share = models.FloatField("当时时间进度（%）")
    created_at = models.DateTimeField("预警时间", default=timezone.now)

    class Meta:
        verbose_name = "项目预警"
        verbose_name_plural = "项目预警"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "ref"], name="project_warning_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="project_warning_time")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.ref}"


class RatingRound(models.TextChoices):
    COMPLETION = "completion", "完工评价"
    REVISIT = "revisit", "回头看"


# A resident's verdict on a project takes the words of an appeal's rating.
Verdict = Satisfaction


class ProjectRating(models.Model):
    """A resident's verdict on a completed project or one of its milestones: one per phone per
    round. The phone is kept only as a keyed hash (enough to refuse a second ballot)."""

    project = key(Project, "项目", related_name="ratings")
    milestone = optional_key(Milestone, "节点")
    round = models.CharField("轮次", max_length=20, choices=RatingRound.choices)
    verdict = models.CharField("评价", max_length=20, choices=Verdict.choices)
    comment = models.TextField("意见", blank=True)
    phone_hash = models.CharField("手机号摘要", max_length=64)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "群众评价"
        verbose_name_plural = "群众评价"
        indexes = [models.Index(fields=["project", "round"], name="project_rating_round")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "round", "phone_hash"],
                condition=Q(milestone__isnull=True),
                name="project_rating_once",
            ),
            models.UniqueConstraint(
                fields=["milestone", "round", "phone_hash"],
                condition=Q(milestone__isnull=False),
                name="milestone_rating_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.round} {self.verdict}"
