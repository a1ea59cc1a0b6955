"""A demo project's history, written through `projects.services` (the machine writes the
timeline): created, letters signed, started, progress reported over the year (one
correction), milestones done, suspended, completed, accepted, revisited, appeals linked;
each step back-dated with the services' `at` and run later in time order; then the
residents' ratings."""

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
from minxin.projects.models import LinkSource, Programme, Project, Verdict
from minxin.projects.selectors import appeals_suggested
from minxin.projects.verdict import project_rate
from minxin.projects.workflow import ProjectAction, ProjectStatus

from .. import district as d
from .specs import ProjectSpec

S = ProjectStatus
A = ProjectAction

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


class Seeder:
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
