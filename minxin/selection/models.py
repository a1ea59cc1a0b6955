"""民生实事项目票决: deputies, selection rounds and their candidates, and the votes.

A vote is its voter's own append-only row, not an event: the database's unique constraints
decide that a deputy votes once on a candidate and a phone once in a round, whatever the
forms do. The tally kept on a candidate at the count is checked against the votes in tests
(`selectors.tally_recount`)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.models import BaseModel, key, optional_key
from minxin.directory.models import (
    Region,
    Unit,
    jurisdiction_key,
)
from minxin.machine.models import Event, VersionedModel, event_meta, status_timed
from minxin.projects.models import Origin, Programme, Project, ProjectKind
from minxin.suggestions.models import Suggestion

from .workflow import RoundStatus


class Deputy(BaseModel):
    """人大代表: an account with the deputy role, elected in a constituency (a region). A round
    of a region is voted on by the deputies whose constituency lies in it. A deputy's district
    (the people's congress they sit in) is their constituency's: no column of its own, which
    could say otherwise (`selectors.deputy_district`)."""

    user = models.OneToOneField(
        User, verbose_name="账号", on_delete=models.PROTECT, related_name="deputy"
    )
    constituency = key(Region, "选区", related_name="deputies")
    delegation = models.CharField("代表团/代表小组", max_length=100, blank=True)
    is_active = models.BooleanField("在任", default=True)

    class Meta:
        verbose_name = "人大代表"
        verbose_name_plural = "人大代表"

    def __str__(self) -> str:
        return str(self.user)


class PassBase(models.TextChoices):
    PRESENT = "present", "出席代表"
    ROSTER = "roster", "全体代表"


class SelectionRound(VersionedModel):
    """一次民生实事项目票决: the candidates for a year's programme, their public comment (and an
    optional residents' vote), then the deputies' vote in its window and the published result.
    `status` is written only by the rounds' machine."""

    # The district whose deputies vote: its programme's, decided once when it is created.
    jurisdiction = jurisdiction_key()
    title = models.CharField("名称", max_length=200)
    programme = key(Programme, "列入计划", related_name="selection_rounds")
    region = key(Region, "范围", related_name="selection_rounds")
    description = models.TextField("说明", blank=True)
    comment_closes_at = models.DateTimeField("公示截止")
    vote_opens_at = models.DateTimeField("表决开始")
    vote_closes_at = models.DateTimeField("表决截止")
    # A candidate passes when its votes for are more than `pass_percent` % of the base: the
    # deputies present (those who voted in the round) or every deputy on the roll.
    pass_base = models.CharField(
        "通过基数", max_length=10, choices=PassBase.choices, default=PassBase.PRESENT
    )
    pass_percent = models.PositiveSmallIntegerField(
        "通过比例（超过%）",
        default=50,
        validators=[MinValueValidator(50), MaxValueValidator(99)],
    )
    residents_vote = models.BooleanField("开展居民投票", default=False)
    residents_choices = models.PositiveSmallIntegerField(
        "居民每人最多选", default=3, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        "状态", max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    roster_size = models.PositiveIntegerField("应到代表", null=True, blank=True)
    present = models.PositiveIntegerField("出席代表", null=True, blank=True)
    decided_at = models.DateTimeField("结果公布时间", null=True, blank=True)
    created_by = key(User, "创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta(VersionedModel.Meta):
        verbose_name = "民生实事项目票决"
        verbose_name_plural = "民生实事项目票决"
        ordering = ["-created_at", "-id"]
        constraints = [
            *VersionedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(vote_closes_at__gt=F("vote_opens_at"))
                & Q(vote_opens_at__gte=F("comment_closes_at")),
                name="selection_round_windows_in_order",
            ),
            models.CheckConstraint(
                condition=Q(pass_percent__gte=50, pass_percent__lte=99),
                name="selection_round_pass_percent",
            ),
            models.CheckConstraint(
                condition=Q(residents_choices__gte=1), name="selection_round_choices_positive"
            ),
            status_timed("decided", "decided_at", name="selection_round_decided_has_time"),
        ]

    def __str__(self) -> str:
        return self.title


class RoundEvent(Event):
    """Append-only history of a round."""

    round = key(SelectionRound, "票决", related_name="events")

    Meta = event_meta("票决记录", subject="round", index="selection_event_time")

    def __str__(self) -> str:
        return f"{self.round_id} {self.action}"


class Candidate(BaseModel):
    """A candidate project: what it would be as a project of the programme (kind, lead unit,
    dates, budget, one target), where it came from (a unit, an adopted suggestion, a hotspot's
    appeal: the link kept), and, once counted, its tally and the project it became."""

    round = key(SelectionRound, "票决", related_name="candidates")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("类别", max_length=20, choices=ProjectKind.choices)
    summary = models.TextField("项目内容")
    lead_unit = key(Unit, "牵头单位")
    region = optional_key(Region, "实施区域")
    budget = models.DecimalField(
        "预算（万元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField("计划开工")
    end_date = models.DateField("计划完成")
    target_name = models.CharField("指标名称", max_length=100, blank=True)
    target_value = models.DecimalField(
        "目标值", max_digits=16, decimal_places=2, null=True, blank=True
    )
    target_measure = models.CharField("计量单位", max_length=20, blank=True)
    source = models.CharField("来源", max_length=20, choices=Origin.choices, default=Origin.OFFICE)
    proposing_unit = optional_key(Unit, "申报单位")
    suggestion = optional_key(Suggestion, "来源建议", related_name="selection_candidates")
    appeal = optional_key(Appeal, "来源集中投诉", related_name="selection_candidates")
    proposed_by = key(User, "录入人")
    withdrawn = models.BooleanField("已撤回", default=False)
    # The count, kept at the close of the vote (recomputable from DeputyVote).
    votes_for = models.PositiveIntegerField("赞成", null=True, blank=True)
    votes_against = models.PositiveIntegerField("反对", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    passed = models.BooleanField("通过", null=True, blank=True)
    resident_votes = models.PositiveIntegerField("居民得票", null=True, blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name="列入项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selection_candidate",
    )

    class Meta:
        verbose_name = "候选项目"
        verbose_name_plural = "候选项目"
        ordering = ["round", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "suggestion"],
                condition=Q(suggestion__isnull=False, withdrawn=False),
                name="selection_candidate_suggestion_once",
            ),
            models.UniqueConstraint(
                fields=["round", "appeal"],
                condition=Q(appeal__isnull=False, withdrawn=False),
                name="selection_candidate_appeal_once",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="selection_candidate_dates"
            ),
            models.CheckConstraint(
                condition=~Q(source="suggestion") | Q(suggestion__isnull=False),
                name="selection_candidate_suggestion_linked",
            ),
            models.CheckConstraint(
                condition=~Q(source="hotspot") | Q(appeal__isnull=False),
                name="selection_candidate_hotspot_linked",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CandidateComment(models.Model):
    """A resident's comment on a published candidate, for the office and the lead unit (not
    shown publicly; its text is kept with personal data masked). Append-only."""

    candidate = key(Candidate, "候选项目", related_name="comments")
    nickname = models.CharField("称呼", max_length=30, blank=True)
    text = models.TextField("意见")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "候选项目意见"
        verbose_name_plural = "候选项目意见"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.created_at:%Y-%m-%d}"


class RosterEntry(models.Model):
    """A deputy on a round's roll, fixed when the vote opens."""

    round = key(SelectionRound, "票决", related_name="roster")
    deputy = key(Deputy, "代表", related_name="rounds")

    class Meta:
        verbose_name = "应到代表"
        verbose_name_plural = "应到代表"
        constraints = [
            models.UniqueConstraint(fields=["round", "deputy"], name="selection_roster_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.deputy_id}"


class VoteChoice(models.TextChoices):
    FOR = "for", "赞成"
    AGAINST = "against", "反对"
    ABSTAIN = "abstain", "弃权"


class DeputyVote(models.Model):
    """A deputy's vote on one candidate: once, by the unique constraint. Append-only."""

    round = key(SelectionRound, "票决", related_name="deputy_votes")
    candidate = key(Candidate, "候选项目", related_name="deputy_votes")
    deputy = key(Deputy, "代表", related_name="votes")
    choice = models.CharField("表决", max_length=10, choices=VoteChoice.choices)
    created_at = models.DateTimeField("表决时间", default=timezone.now)

    class Meta:
        verbose_name = "代表表决票"
        verbose_name_plural = "代表表决票"
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "deputy"], name="selection_deputy_vote_once"
            )
        ]
        indexes = [models.Index(fields=["round", "deputy"], name="selection_vote_round_deputy")]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.choice}"


class ResidentBallot(models.Model):
    """A resident's ballot in a round: one per confirmed phone (kept as a keyed hash), by the
    unique constraint. Its choices are ResidentChoice rows. Append-only."""

    round = key(SelectionRound, "票决", related_name="resident_ballots")
    phone_hash = models.CharField("手机号摘要", max_length=64)
    created_at = models.DateTimeField("投票时间", default=timezone.now)

    class Meta:
        verbose_name = "居民投票"
        verbose_name_plural = "居民投票"
        constraints = [
            models.UniqueConstraint(
                fields=["round", "phone_hash"], name="selection_resident_ballot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.created_at:%Y-%m-%d}"


class ResidentChoice(models.Model):
    ballot = key(ResidentBallot, "选票", related_name="choices")
    candidate = key(Candidate, "候选项目", related_name="resident_choices")

    class Meta:
        verbose_name = "居民选择"
        verbose_name_plural = "居民选择"
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "candidate"], name="selection_resident_choice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id} {self.candidate_id}"
