"""背对背测评 / 面对面询问: an evaluation, its scored items, the units evaluated, the panel
(each panellist invited by a link whose token is kept only as a hash, or seated by their
account), each panellist's sheet per unit (once, by the constraint; anonymous on every page),
and the hearings with the commitments units made there (each a supervision order)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import key, optional_key
from minxin.directory.models import Unit, jurisdiction_key
from minxin.machine.models import Event, VersionedModel, event_meta
from minxin.supervision.models import SupervisionOrder

from .workflow import EvaluationStatus


class Evaluation(VersionedModel):
    # The district whose office runs it (its creator's), decided once when it is created.
    jurisdiction = jurisdiction_key()
    title = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    status = models.CharField(
        "状态", max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    units = models.ManyToManyField(Unit, verbose_name="被测评单位", related_name="evaluations")
    created_by = key(User, "创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "测评"
        verbose_name_plural = "测评"
        ordering = ["-opens_at", "-id"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="panels_window_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationEvent(Event):
    evaluation = key(Evaluation, "测评", related_name="events")

    Meta = event_meta("测评记录", subject="evaluation", index="panels_event_time")

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.action}"


class Item(models.Model):
    evaluation = key(Evaluation, "测评", related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    text = models.CharField("测评项目", max_length=200)
    max_score = models.PositiveSmallIntegerField("满分", default=10)

    class Meta:
        verbose_name = "测评项目"
        verbose_name_plural = "测评项目"
        ordering = ["evaluation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "position"], name="panels_item_position"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="panels_item_max_positive"),
        ]

    def __str__(self) -> str:
        return self.text


class PanelGroup(models.TextChoices):
    DEPUTY = "deputy", "人大代表"
    CPPCC = "cppcc", "政协委员"
    RESIDENT = "resident", "居民代表"


class Panellist(models.Model):
    """A member of the panel: invited by a one-time link (`token_hash`), or seated by the
    account they sign in with (`user`: a deputy scores from the console). One or the other,
    and an account once per evaluation."""

    evaluation = key(Evaluation, "测评", related_name="panellists")
    name = models.CharField("姓名", max_length=50)
    group = models.CharField("类别", max_length=10, choices=PanelGroup.choices)
    token_hash = models.CharField("邀请码摘要", max_length=64, unique=True, null=True, blank=True)
    user = optional_key(User, "账号", related_name="panel_seats")
    created_at = models.DateTimeField("邀请时间", default=timezone.now)

    class Meta:
        verbose_name = "测评人员"
        verbose_name_plural = "测评人员"
        constraints = [
            models.CheckConstraint(
                condition=Q(token_hash__isnull=False) | Q(user__isnull=False),
                name="panels_panellist_link_or_account",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "user"],
                condition=Q(user__isnull=False),
                name="panels_panellist_account_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Sheet(models.Model):
    """A panellist's scores for one unit: once (the constraint), never changed."""

    evaluation = key(Evaluation, "测评", related_name="sheets")
    panellist = key(Panellist, "测评人员", related_name="sheets")
    unit = key(Unit, "单位")
    total = models.PositiveIntegerField("总分")
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "测评表"
        verbose_name_plural = "测评表"
        constraints = [
            models.UniqueConstraint(fields=["panellist", "unit"], name="panels_sheet_once")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.unit_id}"


class Score(models.Model):
    sheet = key(Sheet, "测评表", related_name="scores")
    item = key(Item, "测评项目")
    value = models.PositiveSmallIntegerField("得分")

    class Meta:
        verbose_name = "得分"
        verbose_name_plural = "得分"
        constraints = [models.UniqueConstraint(fields=["sheet", "item"], name="panels_score_once")]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"


class Hearing(models.Model):
    """面对面询问 of one unit: who asked what, the unit's answer."""

    evaluation = key(Evaluation, "测评", related_name="hearings")
    unit = key(Unit, "单位")
    held_at = models.DateTimeField("询问时间")
    question = models.TextField("询问")
    asked_by = models.CharField("询问人", max_length=100)
    answer = models.TextField("单位答复")
    recorded_by = key(User, "记录人")

    class Meta:
        verbose_name = "面对面询问"
        verbose_name_plural = "面对面询问"
        ordering = ["evaluation", "held_at", "id"]

    def __str__(self) -> str:
        return self.question[:30]


class Commitment(models.Model):
    """What the unit committed to at a hearing; tracked as the supervision order it became."""

    hearing = key(Hearing, "询问", related_name="commitments")
    text = models.TextField("整改承诺")
    order = optional_key(SupervisionOrder, "督办单")

    class Meta:
        verbose_name = "整改承诺"
        verbose_name_plural = "整改承诺"

    def __str__(self) -> str:
        return self.text[:30]
