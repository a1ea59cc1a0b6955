from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import key, one_to_one, one_to_one_key, optional_key
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit


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

    appeal = key(Appeal, "诉求")
    field = models.CharField("字段", max_length=20, choices=CorrectionField.choices)
    suggested_value = models.CharField("建议值", max_length=300, blank=True)
    chosen_value = models.CharField("采用值", max_length=300)
    actor = optional_key(User, "操作人")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "甄别纠正"
        verbose_name_plural = "甄别纠正"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["field", "created_at"], name="triage_corr_field_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.field}: {self.suggested_value} → {self.chosen_value}"


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", "候选"
    ACTIVE = "active", "在用"
    REJECTED = "rejected", "未上线"
    RETIRED = "retired", "已停用"


class ModelVersion(models.Model):
    """One training run of the category model: what it learnt from, its figures on the fixed
    evaluation set (`nlp.versions`), its artifact. Promoted (made the model in use) only when
    at least as good as the one in use; any version can be put back in use (rollback)."""

    status = models.CharField(
        "状态", max_length=10, choices=ModelStatus.choices, default=ModelStatus.CANDIDATE
    )
    artifact = models.CharField("模型文件", max_length=300, blank=True)
    trained_on = models.CharField("训练数据", max_length=300, blank=True)
    labelled = models.PositiveIntegerField("标注样本数", default=0)
    corrections = models.PositiveIntegerField("纠正样本数", default=0)
    annotated = models.PositiveIntegerField("补充标注数", default=0)
    unlabelled = models.PositiveIntegerField("未标注文本数", default=0)
    eval_set = models.CharField("评估集", max_length=100, blank=True)
    evaluated_on = models.PositiveIntegerField("评估样本数", default=0)
    macro_f1 = models.FloatField("评估集宏F1", default=0.0)
    accuracy = models.FloatField("评估集准确率", default=0.0)
    per_class = models.JSONField("各类F1", default=dict, blank=True)
    train_seconds = models.FloatField("训练用时（秒）", default=0.0)
    created_at = models.DateTimeField("训练时间", auto_now_add=True)
    decided_at = models.DateTimeField("上线/停用时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="操作人",
    )  # fmt: skip
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "分类模型版本"
        verbose_name_plural = "分类模型版本"
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="one_model_version_in_use",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.pk} {self.get_status_display()} 宏F1 {self.macro_f1:.4f}"


class TriageSuggestion(models.Model):
    """What triage suggested for one appeal at intake, kept so the screening screen shows it
    instantly and a dispatcher's override can be compared with it. One per appeal; recomputed
    (updated in place) when triage runs again."""

    appeal = one_to_one(Appeal, "诉求", related_name="triage_suggestion")
    category = optional_key(Category, "建议分类", help_text="建议路径在分类目录中能对上的最深一级")
    category_path = models.CharField("建议分类路径", max_length=300, blank=True)
    top_category_name = models.CharField("建议大类", max_length=100, blank=True)
    confidence = models.DecimalField("分类置信度", max_digits=5, decimal_places=4, default=0)
    urgency = models.CharField("建议紧急程度", max_length=10, choices=Urgency.choices)
    urgency_reason = models.CharField("紧急原因", max_length=500, blank=True)
    is_valid = models.BooleanField("建议有效", default=True)
    validity_reason = models.CharField("有效性说明", max_length=500, blank=True)
    place_text = models.CharField("识别地点", max_length=200, blank=True)
    region = optional_key(Region, "建议区域")
    personal_data = models.JSONField(
        "个人信息", default=dict, blank=True, help_text="种类 → 个数（不存原文）"
    )
    duplicates = models.JSONField(
        "疑似重复件",
        default=list,
        blank=True,
        help_text="[{appeal_id, tracking_number, similarity, same_person, same_place}]",
    )
    suggested_unit = optional_key(Unit, "建议承办单位")
    model_version = optional_key(ModelVersion, "模型版本")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "甄别建议"
        verbose_name_plural = "甄别建议"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1),
                name="triage_suggestion_confidence_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.category_path} ({self.confidence})"


class AutoDispatchRule(models.Model):
    """快速交办: appeals of this category (or a deeper one) whose suggestion is at least this
    confident are screened and dispatched by the system without waiting for a dispatcher.
    No rule, no automatic dispatch."""

    category = models.OneToOneField(
        "directory.Category",
        verbose_name="分类",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="对该分类及其下级分类生效",
    )
    min_confidence = models.DecimalField(
        "最低置信度",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="0–1，建议分类置信度不低于此值才自动派单",
    )
    is_active = models.BooleanField("启用", default=True)
    target_precision = models.DecimalField(
        "目标准确率",
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text="如0.95：自动派单的分类应至少这样准确；据此计算建议阈值",
    )
    # Computed by `minxin triage thresholds` on held-out folds (nlp.versions.out_of_fold).
    suggested_threshold = models.FloatField("建议阈值", null=True, blank=True)
    suggested_share = models.FloatField("阈值下自动派单占比", null=True, blank=True)
    threshold_note = models.CharField("阈值说明", max_length=300, blank=True)
    threshold_at = models.DateTimeField("阈值计算时间", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "快速交办规则"
        verbose_name_plural = "快速交办规则"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_confidence__gte=0, min_confidence__lte=1),
                name="auto_dispatch_min_confidence_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} ≥ {self.min_confidence}"


class AutoDispatchDecision(models.Model):
    """An appeal a 快速交办 rule screened and dispatched as the system: what it chose, kept so
    the screening queue can show how often each rule's decisions were later corrected (the
    appeal's category or lead unit changed, or it was found invalid or a duplicate)."""

    appeal = one_to_one_key(Appeal)
    rule = models.ForeignKey(
        AutoDispatchRule, on_delete=models.PROTECT, related_name="decisions", verbose_name="规则"
    )
    category = key(Category, "分类")
    unit = key(Unit, "主办单位")
    confidence = models.DecimalField("分类置信度", max_digits=5, decimal_places=4)
    decided_at = models.DateTimeField("派单时间", auto_now_add=True)

    class Meta:
        verbose_name = "快速交办记录"
        verbose_name_plural = "快速交办记录"
        indexes = [models.Index(fields=["rule", "decided_at"], name="auto_decision_rule_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ← {self.rule_id}"


class AppealSignature(models.Model):
    """An appeal's MinHash signature and its 8 LSH band hashes, stored when it is triaged: the
    duplicate lookup asks the database for the appeals sharing a band (8 indexed equality
    lookups within the time window) instead of building an index per call, so it covers every
    stored appeal. Band hashes are unsigned 32-bit values stored shifted into a signed int."""

    appeal = one_to_one_key(Appeal)
    received_at = models.DateTimeField()
    signature = models.BinaryField(max_length=128)
    place_key = models.CharField(max_length=100, blank=True)
    person = models.BigIntegerField(default=-1)  # a hash of the phone (-1: none)
    b0 = models.IntegerField()
    b1 = models.IntegerField()
    b2 = models.IntegerField()
    b3 = models.IntegerField()
    b4 = models.IntegerField()
    b5 = models.IntegerField()
    b6 = models.IntegerField()
    b7 = models.IntegerField()

    class Meta:
        verbose_name = "诉求文本指纹"
        verbose_name_plural = "诉求文本指纹"
        indexes = [
            models.Index(fields=[f"b{i}", "received_at"], name=f"signature_band{i}")
            for i in range(8)
        ]

    def __str__(self) -> str:
        return str(self.appeal_id)


class Hotspot(models.Model):
    """A hotspot (集中投诉) as it grows: appeals at one place about one matter
    (`nlp.hotspots`). Every triaged appeal joins one (`HotspotMember`) or starts one, so most
    hold a single appeal; the dashboard shows those of two or more. `state` is the library's
    `Hotspot.to_state()` (the matter's centroid, places, title words); a hotspot merged into
    another keeps its row, empty, with `merged_into` set."""

    label = models.CharField("标签", max_length=200, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    matter = models.CharField("事项", max_length=100, blank=True)
    # None: a place's hotspot; otherwise the district of place-less appeals ("" for none).
    area = models.CharField("区域", max_length=20, null=True, blank=True)
    first_at = models.DateTimeField("首件时间")
    last_at = models.DateTimeField("末件时间")
    size = models.PositiveIntegerField("诉求数", default=0)
    state = models.JSONField("聚类状态", default=dict)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "集中投诉"
        verbose_name_plural = "集中投诉"
        indexes = [
            models.Index(
                fields=["last_at"],
                name="hotspot_active",
                condition=models.Q(size__gte=2, merged_into__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


class HotspotKey(models.Model):
    """A key under which a hotspot is found (`nlp.hotspots.lookup_keys`: a place name or part of
    it, a strong word, a district), with the hotspot's last appeal: a lookup reads the keys of
    the window only."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="keys")
    key = models.CharField(max_length=64)
    last_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "last_at"], name="hotspot_key_recent")]

    def __str__(self) -> str:
        return self.key


class HotspotMember(models.Model):
    """The hotspot an appeal belongs to."""

    appeal = one_to_one_key(Appeal)
    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "集中投诉诉求"
        verbose_name_plural = "集中投诉诉求"

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.hotspot_id}"
