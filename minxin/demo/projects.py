"""The demo's livelihood projects (民心工程): a programme of twelve projects in every status,
with targets, milestones planned backwards, responsibility letters, progress reported over
the year, a few behind plan (warned, one under a supervision order), appeals linked and the
residents' verdict. Everything goes through `projects.services` (the machine writes the
timeline), each step back-dated with the services' `at`, in time order per project."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.directory.models import Region, RegionBoundary, Unit
from minxin.notify.phone import phone_hash
from minxin.projects import services as ps
from minxin.projects.models import LinkSource, Origin, Programme, Project, ProjectKind, Verdict
from minxin.projects.selectors import appeals_suggested
from minxin.projects.verdict import project_rate
from minxin.projects.workflow import ProjectAction, ProjectStatus

from . import district as d

S = ProjectStatus
A = ProjectAction
K = ProjectKind


# The pages put the year before the name: "2026 · 民心工程", the year's 民心工程.
PROGRAMME: Final = "民心工程"


@dataclass(frozen=True)
class TargetSpec:
    name: str
    value: int
    measure: str
    reached: float  # share of the value reached at the last report (over 1 allowed)
    unit: str | None = None  # a unit key (below); None: the lead unit
    years: tuple[int, ...] = ()  # a multi-year target's parts, from the start year


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    kind: str
    lead: str
    regions: tuple[str, ...]
    summary: str
    budget: int  # 万元
    start: int  # days from today
    end: int  # days from today; 0: the last day of the year after next (a multi-year plan)
    status: str
    targets: tuple[TargetSpec, ...]
    milestones: tuple[tuple[str, float, str], ...]  # name, share of the time, task
    assisting: tuple[str, ...] = ()
    origin: str = Origin.OFFICE
    origin_note: str = ""
    behind: bool = False  # the last milestone due is left undone
    suspended: int = 0  # days from today
    completed: int = 0
    accepted: int = 0
    revisit: int = 0
    correction: tuple[int, int, str] | None = None  # target index, amount taken back, reason
    words: tuple[str, ...] = ()  # looked for in appeals when none is suggested


# Unit keys: a department's slug (district.DEPARTMENTS) or "office:<street slug>".
PROJECTS: Final[tuple[ProjectSpec, ...]] = (
    ProjectSpec(
        name="桂花坪片区旧区改造（二期）",
        kind=K.OLD_AREA,
        lead="zjj",
        assisting=("office:guihuaping",),
        regions=("桂花坪社区", "金桂社区"),
        summary="对桂花坪片区二级旧里以下房屋实施成片改造，改善860户居民居住条件。",
        budget=18600,
        start=-300,
        end=65,
        status=S.IN_PROGRESS,
        targets=(
            TargetSpec("旧区改造面积", 45000, "平方米", 0.86),
            TargetSpec("受益居民", 860, "户", 0.83, unit="office:guihuaping"),
        ),
        milestones=(
            ("征收意见征询", 0.12, "两轮意见征询，同意率达到90%以上"),
            ("签约与搬迁", 0.30, "居民签约、搬迁安置"),
            ("拆除与施工", 0.45, "房屋拆除、主体施工"),
            ("竣工验收", 0.13, "竣工验收、回搬安置"),
        ),
        correction=(1, 36, "核查发现36户重复统计，更正累计数"),
        words=("旧改", "拆迁", "征收", "改造"),
    ),
    ProjectSpec(
        name="景蓉社区既有多层住宅加装电梯",
        kind=K.ELEVATOR,
        lead="office:guihuaping",
        assisting=("zjj",),
        regions=("景蓉社区",),
        summary="在景蓉小区等既有多层住宅加装电梯36台，方便老年人上下楼。",
        budget=2880,
        start=-240,
        end=60,
        status=S.IN_PROGRESS,
        behind=True,
        targets=(
            TargetSpec("加装电梯", 36, "台", 0.42),
            TargetSpec("受益居民", 432, "户", 0.45),
        ),
        milestones=(
            ("居民意见征询", 0.15, "逐栋征询，形成加装协议"),
            ("设计与审批", 0.20, "方案设计、规划审批"),
            ("施工安装", 0.50, "基础施工、井道与电梯安装"),
            ("验收交付", 0.15, "特种设备验收、交付使用"),
        ),
        words=("电梯",),
    ),
    ProjectSpec(
        name="社区嵌入式养老服务设施建设",
        kind=K.ELDERLY,
        lead="mzj",
        assisting=("wjj", "office:yanghu"),
        regions=("白鹭社区", "洋湖社区", "湘府社区"),
        summary="新建社区养老服务中心和长者食堂，新增养老床位，打造15分钟养老服务圈。",
        budget=6400,
        start=-210,
        end=110,
        status=S.IN_PROGRESS,
        behind=True,
        targets=(
            TargetSpec("社区养老服务中心", 4, "个", 0.25),
            TargetSpec("长者食堂", 6, "个", 0.5, unit="office:yanghu"),
            TargetSpec("新增养老床位", 180, "张", 0.38, unit="wjj"),
        ),
        milestones=(
            ("选址与方案", 0.20, "选址、功能方案"),
            ("改造施工", 0.50, "场地改造、适老化装修"),
            ("设备配置与运营招标", 0.20, "设备配置、运营机构招标"),
            ("开业运营", 0.10, "试运营、开业"),
        ),
        words=("养老", "老人", "助餐"),
    ),
    ProjectSpec(
        name="老旧小区“三旧”变“三新”改造（三年行动）",
        kind=K.ESTATE,
        lead="zjj",
        assisting=("cgzf", "office:wangyuehu", "office:yinpenling"),
        regions=("银杉社区", "望月社区", "桐梓坡社区"),
        summary="旧房子、旧设施、旧环境变成新房子、新设施、新环境：三年完成36万平方米老旧小区改造。",
        budget=52000,
        start=-280,
        end=0,
        status=S.IN_PROGRESS,
        targets=(
            TargetSpec("改造面积", 360000, "平方米", 0.27, years=(100000, 130000, 130000)),
            TargetSpec("受益居民", 7200, "户", 0.29, years=(2000, 2600, 2600)),
            TargetSpec("加装电梯", 60, "台", 0.2, unit="office:wangyuehu", years=(12, 24, 24)),
        ),
        milestones=(
            ("第一年度改造", 0.33, "银杉、望月片区改造"),
            ("第二年度改造", 0.33, "桐梓坡片区改造"),
            ("第三年度改造与整体验收", 0.34, "收尾改造、整体验收"),
        ),
        words=("小区", "改造", "管网"),
    ),
    ProjectSpec(
        name="“早餐工程”便民网点建设",
        kind=K.BREAKFAST,
        lead="swj",
        assisting=("scjg",),
        regions=("梅溪湖社区", "骑龙社区", "学士社区"),
        summary="新建、改建早餐网点，投放流动早餐车，解决居民“买早餐难”。",
        budget=900,
        start=-330,
        end=-20,
        status=S.COMPLETED,
        completed=-28,
        targets=(
            TargetSpec("新建改建早餐网点", 30, "个", 1.36),
            TargetSpec("流动早餐车", 12, "台", 1.25, unit="scjg"),
        ),
        milestones=(
            ("点位规划", 0.20, "摸排需求、规划点位"),
            ("网点建设", 0.60, "网点建设与改造"),
            ("开业运营", 0.20, "网点开业、早餐车投放"),
        ),
        words=("早餐", "早点"),
    ),
    ProjectSpec(
        name="中小学体育场地向社会开放",
        kind=K.SPORTS,
        lead="jyj",
        assisting=("wlj",),
        regions=("学士社区", "咸嘉新村社区"),
        summary="具备条件的中小学在课余时间和节假日向周边居民开放体育场地。",
        budget=600,
        start=-330,
        end=-150,
        status=S.ACCEPTED,
        completed=-160,
        accepted=-130,
        revisit=-15,
        targets=(
            TargetSpec("开放学校", 18, "个", 1.11),
            TargetSpec("改造开放通道", 10, "个", 1.0, unit="wlj"),
        ),
        milestones=(
            ("学校摸排与安全评估", 0.30, "逐校评估开放条件"),
            ("隔离设施与通道改造", 0.50, "教学区隔离、独立通道"),
            ("预约开放", 0.20, "线上预约、对外开放"),
        ),
        words=("操场", "体育", "运动场"),
    ),
    ProjectSpec(
        name="望月湖片区旧区改造（一期）",
        kind=K.OLD_AREA,
        lead="office:wangyuehu",
        assisting=("zjj",),
        regions=("岳华社区", "望月社区"),
        summary="完成望月湖片区一期旧区改造收尾和回搬安置。",
        budget=9800,
        start=-320,
        end=-60,
        status=S.ACCEPTED,
        completed=-70,
        accepted=-45,
        targets=(
            TargetSpec("旧区改造面积", 28000, "平方米", 1.02),
            TargetSpec("受益居民", 520, "户", 1.03),
        ),
        milestones=(
            ("签约搬迁", 0.35, "剩余居民签约搬迁"),
            ("主体施工", 0.50, "主体施工"),
            ("回搬安置", 0.15, "回搬安置、竣工验收"),
        ),
        words=("旧改", "改造", "拆迁"),
    ),
    ProjectSpec(
        name="银盆岭街道多层住宅加装电梯",
        kind=K.ELEVATOR,
        lead="office:yinpenling",
        assisting=("zjj",),
        regions=("银双社区", "银盆南社区"),
        summary="银双、银盆南社区多层住宅加装电梯20台。",
        budget=1600,
        start=-200,
        end=130,
        status=S.SUSPENDED,
        suspended=-75,
        targets=(
            TargetSpec("加装电梯", 20, "台", 0.3),
            TargetSpec("受益居民", 240, "户", 0.3),
        ),
        milestones=(
            ("居民意见征询", 0.20, "逐栋征询"),
            ("设计与审批", 0.20, "方案设计、审批"),
            ("施工安装", 0.45, "施工安装"),
            ("验收交付", 0.15, "验收交付"),
        ),
        words=("电梯",),
    ),
    ProjectSpec(
        name="洋湖社区长者食堂",
        kind=K.ELDERLY,
        lead="office:yanghu",
        assisting=("mzj",),
        regions=("洋湖社区",),
        summary="利用社区用房改建长者食堂2个，为辖区老年人提供助餐服务。",
        budget=320,
        start=20,
        end=200,
        status=S.PLANNED,
        targets=(
            TargetSpec("长者食堂", 2, "个", 0),
            TargetSpec("助餐服务老年人", 300, "户", 0),
        ),
        milestones=(
            ("场地改造", 0.50, "用房改造"),
            ("运营招标", 0.25, "运营机构招标"),
            ("开业运营", 0.25, "开业运营"),
        ),
    ),
    ProjectSpec(
        name="青山新村老旧小区综合改造",
        kind=K.ESTATE,
        lead="office:tianding",
        assisting=("zjj", "cgzf"),
        regions=("青山新村社区",),
        summary="屋面防水、管网更新、停车设施和绿化提升。",
        budget=4300,
        start=10,
        end=280,
        status=S.PLANNED,
        targets=(
            TargetSpec("改造面积", 52000, "平方米", 0),
            TargetSpec("受益居民", 980, "户", 0),
        ),
        milestones=(
            ("方案公示", 0.15, "改造方案征求意见、公示"),
            ("施工", 0.70, "分片施工"),
            ("验收", 0.15, "竣工验收"),
        ),
    ),
    ProjectSpec(
        name="观沙岭街道加装电梯统一规划试点",
        kind=K.ELEVATOR,
        lead="office:guanshaling",
        assisting=("zjj", "zrzy"),
        regions=("钰龙社区", "岳北社区"),
        summary="按片区统一规划加装电梯，简化审批流程。",
        budget=1200,
        start=60,
        end=365,
        status=S.CANDIDATE,
        origin=Origin.SUGGESTION,
        origin_note="人民建议征集：建议老旧小区加装电梯统一规划",
        targets=(TargetSpec("加装电梯", 15, "台", 0),),
        milestones=(("统一规划", 0.3, "片区规划"), ("施工安装", 0.7, "施工安装")),
    ),
    ProjectSpec(
        name="含浦街道学校体育场地开放（新增）",
        kind=K.SPORTS,
        lead="jyj",
        assisting=("office:hanpu",),
        regions=("白鹤社区",),
        summary="含浦街道新增5所学校体育场地向社会开放。",
        budget=150,
        start=90,
        end=300,
        status=S.CANDIDATE,
        origin=Origin.UNIT,
        origin_note="区教育局申报",
        targets=(TargetSpec("开放学校", 5, "个", 0),),
        milestones=(("安全评估", 0.4, "逐校评估"), ("通道改造", 0.6, "通道改造、开放")),
    ),
)

SIGNATORY: Final = "刘卫东（区督查室）"
SUSPEND_REASON: Final = "部分低层住户对加装方案有异议，暂缓施工，重新开展意见征询"
ORDER_TEXT: Final = "项目进度落后于计划，请于7日内报送加快推进的措施和节点安排，逐周报告进度。"
APPEALS_LINKED: Final = 4
# What a unit writes beside its figure.
NOTES: Final = (
    "按计划推进，现场照片已存档",
    "已现场核实",
    "增加施工力量，进度加快",
    "部分居民意见已协调解决",
    "受雨季影响，室外作业有所延迟",
    "",
)
# (verdict, weight, comments): most residents content, some not, none a bare number.
VERDICTS: Final = (
    (Verdict.SATISFIED, 62, ("很满意，家门口就能用上", "施工期间文明规范，效果很好", "")),
    (Verdict.BASICALLY_SATISFIED, 26, ("总体不错，细节还可以再改进", "开放时间希望再长一些", "")),
    (Verdict.DISSATISFIED, 12, ("部分设施质量一般，希望回访整改", "宣传不够，很多居民不知道")),
)
# Raters per project in the completion round, and in the 回头看.
RATERS: Final = 24
REVISIT_RATERS: Final = 15


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    run: Callable[[datetime], object] = field(compare=False)


@dataclass
class ProjectsReport:
    projects: int = 0
    reports: int = 0
    links: int = 0
    warnings: int = 0
    ratings: int = 0


class _Seeder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.report = ProjectsReport()
        self.units = {u.name: u for u in Unit.objects.all()}
        self.handlers: dict[int, User] = {}
        for user in User.objects.filter(role=Role.HANDLER, is_active=True).order_by("pk"):
            if user.unit_id is not None:
                self.handlers.setdefault(user.unit_id, user)
        self.units_by_pk = {u.pk: u for u in self.units.values()}
        self.supervisor = User.objects.get(username="supervisor")
        self.dispatcher = User.objects.get(username="dispatcher")
        self.steps: list[Step] = []

    # --- names to rows ---------------------------------------------------------------

    def unit(self, key: str) -> Unit:
        if key.startswith("office:"):
            slug = key.removeprefix("office:")
            name = next(n for s, n, _, _ in d.SUBDISTRICTS if s == slug)
            return self.units[d.office_name(name)]
        return self.units[next(n for s, n, _ in d.DEPARTMENTS if s == key)]

    def handler(self, unit: Unit) -> User:
        return self.handlers[unit.pk]

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        return min(moment, self.now - timedelta(minutes=5))

    def later(self, at: datetime, step: Callable[[datetime], object]) -> None:
        self.steps.append(Step(at, len(self.steps), step))

    def points(self, regions: list[Region]) -> tuple[ps.PointDraft, ...]:
        """A project in several communities has a point in each, near the community's own
        (its own random numbers: the rest of the demo draws the same as before)."""
        if len(regions) < 2:
            return ()
        inner = {
            pk: (lat, lng)
            for pk, lat, lng in RegionBoundary.objects.filter(region__in=regions).values_list(
                "region_id", "centroid_lat", "centroid_lng"
            )
        }
        jitter = random.Random(len(self.steps))  # noqa: S311  # nosec B311
        return tuple(
            ps.PointDraft(
                f"{inner[r.pk][0] + jitter.uniform(-0.002, 0.002):.6f}",
                f"{inner[r.pk][1] + jitter.uniform(-0.002, 0.002):.6f}",
                r.name,
            )
            for r in regions
            if r.pk in inner
        )

    # --- a project's history -------------------------------------------------------

    def project(self, programme: Programme, spec: ProjectSpec) -> None:
        start = self.day(spec.start)
        end = self.day(spec.end) if spec.end else date(start.year + 2, 12, 31)
        lead = self.unit(spec.lead)
        draft = self._draft(programme, spec, lead, start=start, end=end)
        candidate = spec.status == S.CANDIDATE
        created = self.at(min(start - timedelta(days=45), self.day(-12 - len(self.steps) % 9)))
        project = ps.project_create(
            actor=self.supervisor, draft=draft, planned=not candidate, at=created
        )
        self.report.projects += 1
        if candidate:
            return
        signed = min(start - timedelta(days=20), self.day(-5))
        for i, key in enumerate((spec.lead, *spec.assisting)):
            unit = self.unit(key)
            mine = [t.pk for t in project.targets.all() if t.unit_id == unit.pk]
            if mine:
                self.later(self.at(signed, 15, i), self._letter(project, unit, mine, signed))
        if spec.status == S.PLANNED:
            return
        started = self.at(start, 9)
        self.later(started, self._act(project, A.START, self.handler(lead)))
        stop = self.at(self.day(spec.completed or spec.suspended or -3), 9)
        self._reports(project, spec, started, stop)
        self._milestones(project, spec, stop)
        if spec.suspended:
            self.later(stop, self._act(project, A.SUSPEND, self.supervisor, SUSPEND_REASON))
        if spec.completed:
            note = "各项指标已全部完成，申请验收。"
            self.later(
                stop + timedelta(hours=7), self._act(project, A.COMPLETE, self.handler(lead), note)
            )
        if spec.accepted:
            verdict = "经现场查验，工程质量合格，资料齐全，验收通过。"
            self.later(
                self.at(self.day(spec.accepted)),
                self._act(project, A.ACCEPT, self.supervisor, verdict),
            )
        if spec.revisit:
            why = "完工满三个月，开展“回头看”，再听群众评价。"
            self.later(
                self.at(self.day(spec.revisit)), self._act(project, A.REVISIT, self.supervisor, why)
            )
        self.later(self.at(self.day(-2), 11, self.report.projects), self._links(project, spec))

    def _draft(
        self, programme: Programme, spec: ProjectSpec, lead: Unit, *, start: date, end: date
    ) -> ps.ProjectDraft:
        """The project as its office enters it: targets cut into years, milestones as shares
        of its days."""
        days = (end - start).days + 1
        regions = list(Region.objects.filter(name__in=spec.regions).order_by("pk"))
        return ps.ProjectDraft(
            points=self.points(regions),
            programme_id=programme.pk,
            name=spec.name,
            kind=spec.kind,
            lead_unit_id=lead.pk,
            start_date=start,
            end_date=end,
            summary=spec.summary,
            assisting_unit_ids=tuple(self.unit(k).pk for k in spec.assisting),
            region_ids=tuple(r.pk for r in regions),
            budget=Decimal(spec.budget),
            origin=spec.origin,
            origin_note=spec.origin_note,
            targets=tuple(
                ps.TargetDraft(
                    name=t.name,
                    value=Decimal(t.value),
                    measure=t.measure,
                    unit_id=self.unit(t.unit).pk if t.unit else None,
                    years={start.year + i: Decimal(v) for i, v in enumerate(t.years)},
                )
                for t in spec.targets
            ),
            milestones=tuple(
                ps.MilestoneDraft(name=name, duration_days=int(days * share), task=task)
                for name, share, task in spec.milestones
            ),
        )

    def _reports(
        self, project: Project, spec: ProjectSpec, started: datetime, stop: datetime
    ) -> None:
        """Cumulative values rising towards each target's share at `stop`, a report every few
        weeks from each target's unit (staggered), one correction where the spec has one."""
        span = (stop - started).total_seconds()
        for index, (target, t) in enumerate(zip(project.targets.all(), spec.targets, strict=True)):
            count = self.rng.randint(4, 7)
            reporter = self.handler(self.units_by_pk[target.unit_id])
            last = Decimal(0)
            for n in range(1, count + 1):
                share = n / count
                moment = started + timedelta(seconds=span * share) - timedelta(hours=2 + index)
                if n < count:
                    share *= 1 + self.rng.uniform(-0.08, 0.05)
                value = Decimal(round(t.value * t.reached * share))
                if value <= last:
                    continue
                done = n == count and t.reached >= 1
                note = "全部完成，已现场核实" if done else self.rng.choice(NOTES)
                self.later(moment, self._report(target.pk, reporter, value, note))
                self.report.reports += 1
                if spec.correction and spec.correction[0] == index and n == count // 2:
                    fixed = value - spec.correction[1]
                    reason = spec.correction[2]
                    self.later(
                        moment + timedelta(days=2),
                        self._report(target.pk, reporter, fixed, "", reason),
                    )
                    self.report.reports += 1
                last = value

    def _milestones(self, project: Project, spec: ProjectSpec, stop: datetime) -> None:
        """Milestones due by `stop` done a few days either side of their date; a project
        behind plan has left its latest one undone (a milestone warning)."""
        due = [m for m in project.milestones.all() if m.planned_end < timezone.localdate(stop)]
        if spec.completed:
            due = list(project.milestones.all())
        if spec.behind and due:
            due = due[:-1]
        for m in due:
            done = m.planned_end + timedelta(days=self.rng.randint(-4, 6 if spec.behind else 3))
            done = min(max(done, m.planned_start), timezone.localdate(stop) - timedelta(days=1))
            actor = self.handler(self.units_by_pk[project.lead_unit_id])
            self.later(self.at(done, 16), self._milestone(project.pk, m.pk, done, actor))

    # --- steps, run later in time order ----------------------------------------------

    def _act(
        self, project: Project, action: str, actor: User, reason: str = ""
    ) -> Callable[[datetime], object]:
        def run(at: datetime) -> object:
            return ps.project_act(
                project_id=project.pk,
                action=action,
                actor=actor,
                expected_version=None,
                reason=reason,
                at=at,
            )

        return run

    def _letter(
        self, project: Project, unit: Unit, targets: list[int], signed: date
    ) -> Callable[[datetime], object]:
        def run(at: datetime) -> object:
            return ps.letter_sign(
                actor=self.supervisor,
                project_id=project.pk,
                unit_id=unit.pk,
                target_ids=targets,
                signatories=f"{SIGNATORY}、{self.handler(unit).display_name}（{unit.short_name}）",
                signed_on=signed,
                at=at,
            )

        return run

    def _report(
        self, target_id: int, actor: User, value: Decimal, note: str, correction: str = ""
    ) -> Callable[[datetime], object]:
        def run(at: datetime) -> object:
            draft = ps.ProgressDraft(
                target_id=target_id, value=value, note=note, correction_reason=correction
            )
            return ps.progress_report(actor=actor, draft=draft, at=at)

        return run

    def _milestone(
        self, project_id: int, milestone_id: int, done: date, actor: User
    ) -> Callable[[datetime], object]:
        def run(at: datetime) -> object:
            return ps.milestone_done(
                actor=actor, project_id=project_id, milestone_id=milestone_id, done_on=done, at=at
            )

        return run

    def _links(self, project: Project, spec: ProjectSpec) -> Callable[[datetime], object]:
        """Appeals that name what the project builds (its streets' first, then the
        district's), linked by hand, and those the project page suggests with a named place
        (score 0.5 or more), confirmed by the dispatcher."""

        def run(at: datetime) -> object:
            received = Appeal.objects.filter(received_at__lt=at).order_by("-received_at", "pk")
            picked: list[int] = []
            if spec.words:
                words = Q()
                for word in spec.words:
                    words |= Q(title__contains=word) | Q(content__contains=word)
                streets = Q()
                for region in project.regions.select_related("parent"):
                    streets |= Q(region__path__startswith=(region.parent or region).path)
                for where in (streets, Q()):
                    more = received.filter(words, where).exclude(pk__in=picked)
                    picked += more.values_list("pk", flat=True)[: APPEALS_LINKED - len(picked)]
                    if len(picked) >= 2:
                        break
            suggested = [
                a["pk"]
                for a, score in appeals_suggested(self.dispatcher, project.pk)
                if score >= 0.5 and a["pk"] not in picked and a["received_at"] < at
            ][:2]
            linked = 0
            for ids, source in ((picked, LinkSource.MANUAL), (suggested, LinkSource.SUGGESTED)):
                if ids:
                    linked += ps.appeal_link(
                        actor=self.dispatcher,
                        project_id=project.pk,
                        appeal_ids=ids,
                        source=source,
                        at=at,
                    )
            self.report.links += linked
            return linked

        return run

    # --- the people's verdict ---------------------------------------------------------

    def ratings(self, programme: Programme) -> None:
        """Residents' ratings of the completed and accepted projects (and of a milestone),
        given between completion and now, and again after the 回头看 started."""
        rateable = Project.objects.filter(programme=programme, status__in=[S.COMPLETED, S.ACCEPTED])
        for project in rateable.order_by("pk"):
            assert project.completed_at is not None
            until = project.revisit_at or self.now - timedelta(hours=1)
            self._rate(project, project.completed_at, until, RATERS)
            if project.revisit_at is not None:
                self._rate(
                    project, project.revisit_at, self.now - timedelta(hours=1), REVISIT_RATERS
                )
            done = project.milestones.filter(done_on__isnull=False).order_by("-position").first()
            if done is not None:
                self._rate(project, project.completed_at, until, RATERS // 3, done.pk)

    def _rate(
        self,
        project: Project,
        since: datetime,
        until: datetime,
        raters: int,
        milestone: int | None = None,
    ) -> None:
        span = (until - since).total_seconds()
        weights = [w for _, w, _ in VERDICTS]
        for n in range(raters):
            verdict, _, comments = self.rng.choices(VERDICTS, weights)[0]
            project_rate(
                project_id=project.pk,
                phone_hash=phone_hash(f"139{self.rng.randrange(10**8):08d}"),
                verdict=verdict,
                comment=self.rng.choice(comments),
                milestone_id=milestone,
                at=since + timedelta(seconds=span * (n + 1) / (raters + 1)),
            )
            self.report.ratings += 1


def projects_seed(*, rng: random.Random, now: datetime | None = None) -> ProjectsReport:
    """The year's programme and its projects, once (skipped when the programme exists)."""
    now = now or timezone.now()
    year = timezone.localdate(now).year
    if Programme.objects.filter(name=PROGRAMME, year=year).exists():
        return ProjectsReport()
    seeder = _Seeder(rng, now)
    programme = Programme.objects.create(
        name=PROGRAMME,
        year=year,
        description="区委区政府向社会承诺的年度民心工程，接受群众监督和评价。",
    )
    for spec in PROJECTS:
        seeder.project(programme, spec)
    for step in sorted(seeder.steps):
        step.run(step.at)
    seeder.ratings(programme)
    seeder.report.warnings = ps.project_warnings_raise(today=seeder.today)
    behind = Project.objects.get(programme=programme, name=PROJECTS[1].name)
    ps.project_order_issue(
        actor=seeder.supervisor,
        project_id=behind.pk,
        content=ORDER_TEXT,
        due_at=max(now, timezone.now()) + timedelta(days=7),
    )
    return seeder.report
