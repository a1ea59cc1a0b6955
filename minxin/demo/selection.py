"""The demo's 民生实事项目票决: twelve people's deputies of the district (their accounts
`deputy`, `deputy2` …), next year's programme, and two rounds through `selection.services`,
back-dated with their `at`:

- the district's round, decided three weeks ago: six candidates (units' proposals, an adopted
  suggestion, the biggest hotspot), a month's public comment with a residents' vote, ten of
  twelve deputies present; four pass and are now projects of next year's programme, two fail;
- a street's round open for comment now, with a residents' vote and a few comments.

Once: skipped when a round exists."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.directory.models import Region, RegionLevel, Unit
from minxin.notify.phone import phone_hash
from minxin.projects.models import Origin, Programme, ProjectKind
from minxin.selection.models import Candidate, Deputy, SelectionRound, VoteChoice
from minxin.selection.services import (
    CandidateDraft,
    RoundDraft,
    candidate_add,
    candidate_comment,
    deputy_vote,
    resident_ballot_cast,
    round_act,
    round_create,
)
from minxin.selection.workflow import RoundAction
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import SuggestionStatus

from . import district as d
from .world import demo_password

DEPUTY_USERNAME = "deputy"
DEPUTIES = (
    "王秀兰", "陈国强", "李红梅", "张建军", "刘淑芬", "杨光明",
    "赵德华", "黄丽萍", "周志勇", "吴桂英", "徐文斌", "孙晓燕",
)  # fmt: skip
PROGRAMME = "民心工程"

F, AG, AB = VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str
    unit: str  # a department slug or "office:<street slug>"
    region: str  # a community name, "" for the district
    summary: str
    budget: int
    target: tuple[str, int, str]
    votes: tuple[int, int, int]  # for, against, abstain of the 10 present
    residents: int  # of the residents' ballots


DECIDED = (
    Spec(
        "老旧小区加装电梯（第二批）", ProjectKind.ELEVATOR, "zjj", "桂花坪社区",
        "对桂花坪、金桂社区具备条件的老旧住宅加装电梯，优先解决高层老年住户出行难。",
        1800, ("加装电梯", 30, "台"), (9, 0, 1), 41,
    ),
    Spec(
        "社区嵌入式养老服务中心", ProjectKind.ELDERLY, "mzj", "银杉社区",
        "在银杉、望月社区各建一处嵌入式养老服务中心，提供助餐、日间照料和康复服务。",
        1200, ("养老服务中心", 2, "个"), (8, 1, 1), 36,
    ),
    Spec(
        "早餐工程：新增流动早餐车", ProjectKind.BREAKFAST, "swj", "",
        "在地铁站口、学校和医院周边新增流动早餐车点位，统一标识、统一监管。",
        300, ("早餐车点位", 40, "个"), (7, 2, 1), 29,
    ),
    Spec(
        "中小学体育场地向社会开放", ProjectKind.SPORTS, "jyj", "",
        "具备条件的中小学在节假日和课后时段向周边居民开放运动场地，实行预约入校。",
        150, ("开放学校", 12, "所"), (6, 3, 1), 18,
    ),
    Spec(
        "背街小巷路面整治", ProjectKind.OTHER, "cgzf", "",
        "对破损严重的背街小巷进行路面修复和排水改造。",
        2600, ("整治道路", 25, "条"), (5, 3, 2), 22,
    ),
    Spec(
        "社区菜市场提质改造", ProjectKind.OTHER, "scjg", "青山新村社区",
        "对青山新村农贸市场进行通风、排水和摊位改造。",
        800, ("改造市场", 1, "个"), (4, 4, 2), 12,
    ),
)  # fmt: skip

OPEN = (
    Spec(
        "景蓉社区口袋公园", ProjectKind.OTHER, "office:guihuaping", "景蓉社区",
        "将景蓉华苑旁闲置地块改建为口袋公园，增设健身器材和座椅。",
        120, ("口袋公园", 1, "个"), (0, 0, 0), 0,
    ),
    Spec(
        "金桂社区停车泊位挖潜", ProjectKind.OTHER, "office:guihuaping", "金桂社区",
        "利用边角地和错时共享新增停车泊位，缓解夜间停车难。",
        260, ("新增泊位", 180, "个"), (0, 0, 0), 0,
    ),
    Spec(
        "桂花坪社区老年食堂", ProjectKind.ELDERLY, "office:guihuaping", "桂花坪社区",
        "在桂花坪社区综合服务中心开设老年食堂，为80岁以上老人提供助餐优惠。",
        90, ("老年食堂", 1, "个"), (0, 0, 0), 0,
    ),
)  # fmt: skip

COMMENTS = (
    "口袋公园建议多种树，夏天有个阴凉的地方，晚上的灯光也要考虑。",
    "支持！小孩子放学后没有地方玩，希望有一些儿童游乐设施。",
    "停车泊位新增后希望优先给本小区业主，收费要公开。",
    "老年食堂的价格要实惠，能不能送餐上门给行动不便的老人？",
)


def _deputies(password: str) -> list[Deputy]:
    communities = list(
        Region.objects.filter(
            level=RegionLevel.COMMUNITY, code__startswith=d.DISTRICT_CODE
        ).order_by("code")
    )
    if not communities:
        return []
    made = []
    for n, name in enumerate(DEPUTIES, start=1):
        username = DEPUTY_USERNAME if n == 1 else f"{DEPUTY_USERNAME}{n}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username,
                display_name=name,
                role=Role.DEPUTY,
                password=make_password(password),
            )
        deputy = Deputy.objects.filter(user=user).first()
        if deputy is None:
            # Spread across the district: every third community or so.
            constituency = communities[((n - 1) * 3) % len(communities)]
            deputy = Deputy.objects.create(
                user=user, constituency=constituency, delegation="A3区人大代表"
            )
        made.append(deputy)
    return made


def _unit(key: str) -> Unit:
    if key.startswith("office:"):
        slug = key.split(":", 1)[1]
        name = next(n for s, n, _, _ in d.SUBDISTRICTS if s == slug)
        return Unit.objects.get(name=d.office_name(name))
    return Unit.objects.get(name=next(n for s, n, _ in d.DEPARTMENTS if s == key))


def _draft(spec: Spec, year: int, **links: object) -> CandidateDraft:
    region = Region.objects.filter(name=spec.region).first() if spec.region else None
    target, value, measure = spec.target
    fields: dict[str, object] = {
        "name": spec.name,
        "kind": spec.kind,
        "summary": spec.summary,
        "lead_unit_id": _unit(spec.unit).pk,
        "start_date": date(year, 3, 1),
        "end_date": date(year, 12, 31),
        "region_id": region.pk if region else None,
        "budget": Decimal(spec.budget),
        "target_name": target,
        "target_value": Decimal(value),
        "target_measure": measure,
        "source": Origin.UNIT,
    }
    fields.update(links)
    return CandidateDraft(**fields)  # type: ignore[arg-type]


def _hotspot() -> Appeal | None:
    return (
        Appeal.objects.annotate(n=Count("duplicates")).filter(n__gt=0).order_by("-n", "pk").first()
    )


def selection_seed(*, now: datetime | None = None) -> int:
    """The rounds made (0 when one exists or the demo has no supervisor)."""
    now = now or timezone.now()
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    if supervisor is None or SelectionRound.objects.exists():
        return 0
    deputies = _deputies(demo_password())
    if not deputies:
        return 0
    year = timezone.localdate(now).year + 1
    programme = Programme.objects.filter(name=PROGRAMME, year=year).first()
    if programme is None:
        programme = Programme.objects.create(
            name=PROGRAMME,
            year=year,
            description="经人大代表票决产生的下一年度民生实事项目。",
        )
    district = Region.objects.get(code=d.DISTRICT_CODE)
    rng = random.Random(13)  # noqa: S311 - repeatable demo data  # nosec B311
    _decided(supervisor, programme, district, deputies, now, rng)
    _open(supervisor, programme, now, rng)
    return 2


def _decided(
    supervisor: User,
    programme: Programme,
    district: Region,
    deputies: list[Deputy],
    now: datetime,
    rng: random.Random,
) -> None:
    """Last year's round: candidates from departments, a suggestion and a hotspot; the
    residents' vote and comments in the public period; the deputies' vote; decided."""
    start = now - timedelta(days=45)
    vote_opens = now - timedelta(days=21)
    selection = round_create(
        actor=supervisor,
        draft=RoundDraft(
            title=f"{programme.year}年民生实事项目人大代表票决",
            programme_id=programme.pk,
            region_id=district.pk,
            comment_closes_at=vote_opens - timedelta(days=1),
            vote_opens_at=vote_opens,
            vote_closes_at=vote_opens + timedelta(hours=4),
            description=(
                "候选项目由各部门申报、人民建议征集和12345集中投诉中产生，"
                "经公示征求意见后，提请区人民代表大会会议票决。"
            ),
            residents_vote=True,
            residents_choices=3,
        ),
        at=start,
    )
    candidates = _candidates_added(supervisor, selection, programme, start=start)
    round_act(
        actor=supervisor,
        round_id=selection.pk,
        action=RoundAction.PUBLISH,
        at=start + timedelta(days=1),
    )
    _residents_heard(selection, candidates, start=start, rng=rng)
    round_act(
        actor=supervisor,
        round_id=selection.pk,
        action=RoundAction.OPEN_VOTE,
        at=vote_opens + timedelta(minutes=5),
    )
    _deputies_voted(selection, candidates, deputies, vote_opens=vote_opens, rng=rng)
    round_act(
        actor=supervisor,
        round_id=selection.pk,
        action=RoundAction.DECIDE,
        at=vote_opens + timedelta(hours=4, minutes=10),
    )


def _candidates_added(
    supervisor: User, selection: SelectionRound, programme: Programme, *, start: datetime
) -> list[Candidate]:
    """DECIDED's candidates; the third from an adopted suggestion, the fifth from a hotspot."""
    suggestion = Suggestion.objects.filter(status=SuggestionStatus.ADOPTED).order_by("pk").first()
    hotspot = _hotspot()
    candidates = []
    for n, spec in enumerate(DECIDED):
        links: dict[str, object] = {}
        if n == 2 and suggestion is not None:
            links = {"source": Origin.SUGGESTION, "suggestion_number": suggestion.tracking_number}
        if n == 4 and hotspot is not None:
            links = {"source": Origin.HOTSPOT, "appeal_number": hotspot.tracking_number}
        candidates.append(
            candidate_add(
                actor=supervisor,
                round_id=selection.pk,
                draft=_draft(spec, programme.year, **links),
                at=start + timedelta(hours=n + 1),
            )
        )
    return candidates


def _residents_heard(
    selection: SelectionRound, candidates: list[Candidate], *, start: datetime, rng: random.Random
) -> None:
    """The residents' vote during the public comment (60 phones, up to three choices each),
    and two comments."""
    ballots: list[list[int]] = [[] for _ in range(60)]
    for candidate, spec in zip(candidates, DECIDED, strict=True):
        for i in rng.sample(range(60), spec.residents):
            ballots[i].append(candidate.pk)
    for i, chosen in enumerate(ballots):
        picked = chosen[:3]
        if picked:
            resident_ballot_cast(
                round_id=selection.pk,
                phone_hash=phone_hash(f"1390000{i:04d}"),
                candidate_ids=picked,
                at=start + timedelta(days=2, hours=i % 20, minutes=i),
            )
    for k, text in enumerate(COMMENTS[:2]):
        candidate_comment(
            candidate_id=candidates[k].pk, text=text, at=start + timedelta(days=3 + k)
        )


def _deputies_voted(
    selection: SelectionRound,
    candidates: list[Candidate],
    deputies: list[Deputy],
    *,
    vote_opens: datetime,
    rng: random.Random,
) -> None:
    """Ten of twelve present: each candidate's (for, against, abstain) dealt out to them."""
    present = deputies[:10]
    sheets: list[dict[int, str]] = [{} for _ in present]
    for candidate, spec in zip(candidates, DECIDED, strict=True):
        yes, no, abstain = spec.votes
        choices = [F] * yes + [AG] * no + [AB] * abstain
        rng.shuffle(choices)
        for sheet, choice in zip(sheets, choices, strict=True):
            sheet[candidate.pk] = choice
    for i, (deputy, sheet) in enumerate(zip(present, sheets, strict=True)):
        deputy_vote(
            actor=deputy.user,
            round_id=selection.pk,
            choices=sheet,
            at=vote_opens + timedelta(minutes=20 + i),
        )


def _open(supervisor: User, programme: Programme, now: datetime, rng: random.Random) -> None:
    street = Region.objects.filter(name=d.SUBDISTRICTS[0][1]).first()
    if street is None:
        return
    start = now - timedelta(days=5)
    selection = round_create(
        actor=supervisor,
        draft=RoundDraft(
            title=f"{street.name}{programme.year}年社区民生微实事票决",
            programme_id=programme.pk,
            region_id=street.pk,
            comment_closes_at=now + timedelta(days=10),
            vote_opens_at=now + timedelta(days=12),
            vote_closes_at=now + timedelta(days=12, hours=6),
            description="街道社区微实事项目，公示期间欢迎居民提意见、投票，公示结束后由本街道选区的人大代表票决。",
            residents_vote=True,
            residents_choices=2,
        ),
        at=start,
    )
    candidates = [
        candidate_add(
            actor=supervisor,
            round_id=selection.pk,
            draft=_draft(spec, programme.year),
            at=start + timedelta(hours=n + 1),
        )
        for n, spec in enumerate(OPEN)
    ]
    round_act(
        actor=supervisor,
        round_id=selection.pk,
        action=RoundAction.PUBLISH,
        at=start + timedelta(days=1),
    )
    for k, text in enumerate(COMMENTS):
        candidate_comment(
            candidate_id=candidates[min(k // 2 + k % 2, 2)].pk,
            text=text,
            at=start + timedelta(days=2, hours=k),
        )
    for i in range(23):
        picked = rng.sample([c.pk for c in candidates], rng.choice((1, 2)))
        resident_ballot_cast(
            round_id=selection.pk,
            phone_hash=phone_hash(f"1380000{i:04d}"),
            candidate_ids=picked,
            at=start + timedelta(days=2, hours=i),
        )
