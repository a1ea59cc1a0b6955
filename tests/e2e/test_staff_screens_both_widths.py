"""Every staff screen at 1366 and 390 px, with a screenshot of each (issue 14's "Done when"):
every page of the staff bar of each staff role, and the screens the bar does not reach (an
appeal in a leader's charge, a call, a consultation's comments, a round's candidates...). Each
loads without a server error, passes the workbench's layout check (no page wider than the screen,
no short label broken over lines) and is saved as docs/screenshots/<name>-1366.png and -390.png.

The data is built once through the services, the pages opened by one desk and one phone per
role: the whole walk stays within a few minutes on the CI's two cores."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from minxin.cases.workflow import AppealStatus
from minxin.consultation.services import (
    CommentDraft,
    comment_moderate,
    comment_submit,
    consultation_act,
)
from minxin.consultation.workflow import CommentAction, ConsultationAction
from minxin.cti.services import CallNotice, call_notice_receive, pbx_create
from minxin.projects.models import Programme
from minxin.review.models import ReviewRule
from minxin.selection.models import VoteChoice
from minxin.selection.services import deputy_vote, round_act
from minxin.selection.workflow import RoundAction
from minxin.supervision.services import appeal_take_charge
from minxin.taskforces.services import Scope, task_force_set_up
from tests.builders import District, appeal_in, appeal_new
from tests.consultation.builders import after, during, open_new
from tests.deliberation.builders import topic_new
from tests.knowledge.builders import article_new
from tests.panels.builders import evaluation_new
from tests.selection.builders import (
    T0,
    candidates_add,
    deputies_new,
    in_vote,
    programme_next,
    round_new,
)
from tests.selection.builders import after_vote as vote_ended

from .conftest import login, snap
from .test_map import _card, _outlines, _ready
from .test_workbench import ROLES, fits

pytestmark = pytest.mark.django_db(transaction=True)

Ready = Callable[[Page], None]
SETTLED = "() => document.readyState === 'complete' && !document.querySelector('.htmx-request')"


class Screens:
    """One desk (1366 px) and one phone (390 px) per role, signed in; every page opened in both,
    checked, and saved once under its name. What fails is collected, to see all at once."""

    def __init__(self, new_page) -> None:  # type: ignore[no-untyped-def]
        self.new_page = new_page
        self.pages: dict[str, tuple[Page, Page]] = {}
        self.saved: set[str] = set()
        self.failed: list[str] = []
        self.server_errors: list[str] = []

    def of(self, role: str) -> tuple[Page, Page]:
        if role not in self.pages:
            pair = (self.new_page(), self.new_page(phone=True))
            for page in pair:
                page.on("response", self._watch)
                login(page, role, f"pw-{role}")
            self.pages[role] = pair
        return self.pages[role]

    def _watch(self, response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def visit(self, role: str, path: str, name: str | None, ready: Ready | None = None) -> None:
        """`path` as `role` at both widths; saved as `name` unless a screen already was."""
        for page, width in zip(self.of(role), (1366, 390), strict=True):
            response = page.goto(path)
            if response is None or response.status != 200:
                self.failed.append(f"{role} {path}: {response.status if response else '-'}")
                continue
            # Loaded, and the panels it fetches after (HTMX) are in: waiting for the network to
            # idle would cost half a second on each of the walk's ~150 pages.
            page.wait_for_function(SETTLED)
            if ready:
                ready(page)
            try:
                fits(page, f"{role} {path}")
            except AssertionError as refused:
                self.failed.append(str(refused).splitlines()[0])
            if name and f"{name}-{width}" not in self.saved | SAVED_ELSEWHERE:
                snap(page, f"{name}-{width}")
                self.saved.add(f"{name}-{width}")


def _nav_name(path: str) -> str:
    """A page of the bar, named by its path: /console/cti/calls/ → staff-cti-calls."""
    rest = path.removeprefix("/console/").strip("/").replace("/", "-")
    return f"staff-{rest or 'home'}"


def _data(d: District) -> dict[str, str]:
    """What the screens off the bar show, built through the services; their paths by name."""
    now = timezone.now()
    paths: dict[str, str] = {}

    led = appeal_in(d, AppealStatus.IN_PROGRESS)
    appeal_take_charge(actor=d.user("leader"), appeal_id=led.pk, note="涉及多个部门，亲自协调")
    paths["appeal-led"] = reverse("cases:appeal_detail", args=[led.pk])

    dissatisfied = appeal_in(d, AppealStatus.FOLLOW_UP)
    paths["revisit-panel"] = reverse("cases:appeal_detail", args=[dissatisfied.pk])
    held = appeal_in(d, AppealStatus.REVIEWING)
    # The rule after the appeals: with it, the dissatisfied one's reply would wait for review.
    ReviewRule.objects.create(name="全区抽样审核", sample_percent=30, pass_score=85)
    paths["review-panel"] = reverse("cases:appeal_detail", args=[held.pk])

    appeal_new(
        d, title="楼下烧烤店油烟扰民", content="每晚十点后烧烤油烟和噪音很大，窗户都不敢开。"
    )
    paths["search-appeals"] = reverse("cases:appeal_list") + "?q=油烟+噪音"
    article_new(
        d, title="老旧小区加装电梯怎么申请", body="业主协商一致后向街道申请，每台最高补贴20万元。"
    )
    paths["knowledge-list"] = reverse("knowledge:list") + "?q=电梯+补贴"

    pbx, _ = pbx_create(name="A3区12345交换机")
    base = {"call_id": "shots-1", "direction": "in", "users": ("call_taker",)}
    call_notice_receive(
        pbx=pbx,
        notice=CallNotice(event="newCall", from_number="13812345678", to_number="12345", **base),
    )
    noticed = call_notice_receive(
        pbx=pbx, notice=CallNotice(event="answer", answering_number="8001", **base)
    )
    paths["cti-call"] = reverse("cti:call_detail", args=[noticed.call.pk])

    # 征求意见: one open with a comment to moderate, one closed with a published comment.
    moderate = open_new(d, at=now - timedelta(days=3))
    comment_submit(
        consultation_id=moderate.pk,
        draft=CommentDraft(text="公示内容应当包括停车费标准", author="景蓉居民"),
        at=now - timedelta(days=1),
    )
    paths["consultation-moderate"] = reverse("consultation:detail", args=[moderate.pk])
    start = now - timedelta(days=40)
    closed = open_new(d, at=start, title="《A3区生活垃圾分类管理办法（征求意见稿）》")
    comment = comment_submit(
        consultation_id=closed.pk,
        draft=CommentDraft(text="建议明确垃圾分类亭的清运频次"),
        at=during(start),
    )
    comment_moderate(
        actor=d.user("dispatcher"),
        comment_id=comment.pk,
        action=CommentAction.PUBLISH,
        at=during(start),
    )
    consultation_act(
        actor=d.user("supervisor"),
        consultation_id=closed.pk,
        action=ConsultationAction.CLOSE,
        at=after(start),
    )
    paths["consultation-answer"] = reverse("consultation:detail", args=[closed.pk])
    paths["consultation-new"] = reverse("consultation:new")

    topic = topic_new(d)
    paths["deliberation-host"] = reverse("deliberation:detail", args=[topic.pk])
    evaluation = evaluation_new(d, at=now - timedelta(hours=1))
    paths["panels-evaluation"] = reverse("panels:detail", args=[evaluation.pk])
    paths["proactive-new"] = reverse("proactive:task_propose") + f"?appeal={led.pk}&source=hotspot"

    # 票决: a draft round (its candidate form), a published one, one counted.
    programme = programme_next(2027)  # the year of the builders' candidates
    draft = round_new(d, programme, at=now)
    paths["selection-new"] = reverse("selection:round_new")
    paths["selection-candidate"] = reverse("selection:candidate_new", args=[draft.pk])
    published = round_new(d, programme, at=now)
    candidates_add(d, published, ["景蓉小区加装电梯", "景蓉华苑垃圾分类亭改造"], at=now)
    round_act(actor=d.user("supervisor"), round_id=published.pk, action=RoundAction.PUBLISH)
    paths["selection-round"] = reverse("selection:round_detail", args=[published.pk])
    paths["selection-decided"] = reverse("selection:round_detail", args=[_decided(d, programme).pk])

    force_appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    task_force_set_up(
        actor=d.user("supervisor"),
        name="老旧小区物业纠纷工作专班",
        purpose="住建局牵头，街道和城管参加，两个月内化解物业纠纷",
        lead_unit_id=d.departments[1].pk,
        member_ids=[d.street_units[0].pk, d.departments[0].pk],
        leader_id=d.user("leader").pk,
        scope=Scope(tracking_numbers=[force_appeal.tracking_number]),
    )
    paths["taskforces-list"] = reverse("taskforces:task_force_list")
    paths["taskforces-new"] = reverse("taskforces:task_force_new")
    return paths


def _decided(d: District, programme: Programme):  # type: ignore[no-untyped-def]
    """A round the deputies voted on (two for the first candidate, one against) and counted."""
    deputies = deputies_new(d, 3, start=20)
    selection = round_new(d, programme)
    first, second = candidates_add(d, selection, ["银杉社区长者食堂", "望月湖路口信号灯"])
    office = d.user("supervisor")
    round_act(
        actor=office, round_id=selection.pk, action=RoundAction.PUBLISH, at=T0 + timedelta(hours=1)
    )
    round_act(
        actor=office,
        round_id=selection.pk,
        action=RoundAction.OPEN_VOTE,
        at=in_vote() - timedelta(hours=1),
    )
    for deputy, choice in zip(
        deputies, (VoteChoice.FOR, VoteChoice.FOR, VoteChoice.AGAINST), strict=True
    ):
        deputy_vote(
            actor=deputy.user,
            round_id=selection.pk,
            choices={first.pk: choice, second.pk: VoteChoice.AGAINST},
            at=in_vote(),
        )
    return round_act(
        actor=office, round_id=selection.pk, action=RoundAction.DECIDE, at=vote_ended()
    )


# Who sees each screen off the bar (its existing screenshot's role).
WHO = {
    "appeal-led": "leader",
    "review-panel": "dispatcher",
    "revisit-panel": "call_taker",
    "search-appeals": "supervisor",
    "knowledge-list": "supervisor",
    "cti-call": "call_taker",
    "consultation-moderate": "dispatcher",
    "consultation-answer": "supervisor",
    "consultation-new": "supervisor",
    "deliberation-host": "handler",
    "panels-evaluation": "supervisor",
    "proactive-new": "supervisor",
    "selection-new": "supervisor",
    "selection-candidate": "supervisor",
    "selection-round": "supervisor",
    "selection-decided": "supervisor",
    "taskforces-list": "supervisor",
    "taskforces-new": "supervisor",
}
# Pages of the bar whose screenshots already have a name.
NAMED = {"/console/review/": "review-queue", "/console/follow-up/": "revisit-queue"}
# The widths other tests save from their richer data: the walk checks those pages at that
# width too but leaves their files alone (it saves the width they lacked).
_PHONE_ELSEWHERE = ("review-panel", "revisit-panel", "review-queue", "revisit-queue")
SAVED_ELSEWHERE = {
    *(f"{name}-1366" for name in WHO if name not in _PHONE_ELSEWHERE),
    *(f"{name}-390" for name in _PHONE_ELSEWHERE),
    "dashboard-map-1366",
}


def _map_card(name: str) -> Ready:
    """The dashboard's map is saved as its card, as test_map saves it at 1366 px."""

    def ready(page: Page) -> None:
        _ready(page, ".sv-map [data-map]")
        width = page.viewport_size["width"] if page.viewport_size else 0
        if f"{name}-{width}" not in SAVED_ELSEWHERE:
            _card(page, ".sv-map", f"{name}-{width}")

    return ready


def test_every_staff_screen_at_both_widths(new_page, live_district: District) -> None:
    d = live_district
    _outlines(d)
    paths = _data(d)
    screens = Screens(new_page)
    for name, role in WHO.items():
        screens.visit(role, paths[name], name)
    screens.visit("supervisor", reverse("metrics:dashboard"), None, _map_card("dashboard-map"))
    walked = 0
    for role in ROLES:
        desk, _ = screens.of(role)
        desk.goto("/console/")
        bar = desk.eval_on_selector_all(".mainnav a", "els => els.map(e => e.pathname)")
        for path in bar:
            screens.visit(role, path, NAMED.get(path) or _nav_name(path))
            walked += 1
    assert walked > 30
    assert not screens.server_errors, screens.server_errors
    assert not screens.failed, "\n".join(screens.failed)
    assert {"review-queue-1366", "revisit-queue-1366", "appeal-led-390"} <= screens.saved
    assert not screens.saved & SAVED_ELSEWHERE
