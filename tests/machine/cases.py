"""For each machine beside the appeals' (which has its own, finer matrix in tests/cases): how
to make one subject through its real service, how to put it in any status (a test-only
update that satisfies the model's constraints), and what each action changes besides the
status, so the shared applier can be tried on every cell."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.board.machine import MODERATION
from minxin.board.models import BoardPost
from minxin.board.workflow import ModerationStatus
from minxin.cases.workflow import AppealStatus
from minxin.consultation.machine import COMMENTS, CONSULTATIONS
from minxin.consultation.models import Comment, Consultation
from minxin.consultation.services import CommentDraft, comment_submit
from minxin.consultation.workflow import CommentStatus, ConsultationStatus
from minxin.cti.machine import CALLS
from minxin.cti.models import Call
from minxin.cti.services import CallNotice, call_notice_receive, pbx_create
from minxin.cti.workflow import CallStatus
from minxin.deliberation.machine import TOPICS
from minxin.deliberation.models import Topic
from minxin.deliberation.workflow import TopicStatus
from minxin.exemptions.machine import EXEMPTIONS
from minxin.exemptions.models import Exemption
from minxin.exemptions.workflow import ExemptionStatus
from minxin.issuelists.machine import ITEMS
from minxin.issuelists.models import IssueItem
from minxin.issuelists.services import ItemDraft, issue_item_add
from minxin.issuelists.workflow import ItemStatus
from minxin.knowledge.machine import ARTICLES
from minxin.knowledge.models import Article
from minxin.knowledge.workflow import ArticleStatus
from minxin.machine.engine import Change, Machine
from minxin.panels.machine import EVALUATIONS
from minxin.panels.models import Evaluation
from minxin.panels.workflow import EvaluationStatus
from minxin.proactive.machine import TASKS
from minxin.proactive.models import ProactiveTask
from minxin.proactive.services import TaskDraft, proactive_task_propose
from minxin.proactive.workflow import TaskStatus
from minxin.projects.machine import PROJECTS
from minxin.projects.models import Project
from minxin.projects.workflow import ProjectStatus
from minxin.selection.machine import ROUNDS
from minxin.selection.models import SelectionRound
from minxin.selection.workflow import RoundStatus
from minxin.suggestions.machine import SUGGESTIONS
from minxin.suggestions.models import Suggestion
from minxin.suggestions.services import SuggestionDraft, suggestion_submit
from minxin.suggestions.workflow import TRANSITIONS as SUGGESTION_TABLE
from minxin.suggestions.workflow import SuggestionStatus
from minxin.supervision.machine import ORDERS
from minxin.supervision.models import SupervisionOrder
from minxin.supervision.services import supervision_order_issue
from minxin.supervision.workflow import OrderStatus
from minxin.taskforces.machine import TASK_FORCES
from minxin.taskforces.models import TaskForce
from minxin.taskforces.services import task_force_set_up
from minxin.taskforces.workflow import TaskForceStatus
from tests.board.posts import post_new
from tests.builders import District, appeal_in
from tests.consultation.builders import draft_new, during, open_new
from tests.deliberation.builders import topic_new
from tests.exemptions.builders import request as exemption_request
from tests.knowledge.builders import article_new
from tests.panels.builders import evaluation_new
from tests.projects.builders import project_new
from tests.selection.builders import round_new


@dataclass(frozen=True)
class Case:
    machine: Machine[Any, Any]
    build: Callable[[District], int]  # a new subject's pk, made by the app's own service
    force: Callable[[int], dict[str, Any]]  # the fields that put a subject in a status
    change: Callable[[str], Change]  # what the action changes besides the status


def _suggestion(d: District) -> int:
    draft = SuggestionDraft(
        field="transport",
        title="在桂花坪小学门口增设护学岗",
        content="上下学高峰时段校门口车辆拥堵，建议增设护学岗。",
        proposer_name="王小明",
        proposer_phone="",
    )
    return suggestion_submit(actor=Actor.citizen(), draft=draft).suggestion.pk


def _suggestion_fields(status: str) -> dict[str, Any]:
    adopted = status == SuggestionStatus.ADOPTED
    return {"status": status, "adoption_level": "reported" if adopted else ""}


def _suggestion_change(action: str) -> Change:
    level = SUGGESTION_TABLE[action].level  # type: ignore[index]
    return Change({"adoption_level": level or "", "decided_at": timezone.now()})


def _order(d: District) -> int:
    order = supervision_order_issue(
        actor=d.user("supervisor"),
        content="请三日内反馈",
        due_at=timezone.now() + timedelta(days=3),
        unit_id=d.street_units[0].pk,
    )
    return order.pk


def _order_fields(status: str) -> dict[str, Any]:
    answered = status == OrderStatus.ANSWERED
    return {"status": status, "answered_at": timezone.now() if answered else None}


def _order_change(action: str) -> Change:
    if action == "answer":
        return Change({"answer": "已办", "answered_at": timezone.now()})
    return Change()


def _task(d: District) -> int:
    draft = TaskDraft(
        title="入夏前排查垃圾清运点位",
        content="增加清运频次",
        unit_id=d.street_units[0].pk,
        due_at=timezone.now() + timedelta(days=14),
    )
    return proactive_task_propose(actor=d.user("supervisor"), draft=draft).pk


def _task_fields(status: str) -> dict[str, Any]:
    done = status == TaskStatus.DONE
    return {"status": status, "completed_at": timezone.now() if done else None}


def _task_change(action: str) -> Change:
    if action == "complete":
        return Change({"result": "已办", "completed_at": timezone.now()})
    return Change()


def _item(d: District) -> int:
    draft = ItemDraft(
        "背街小巷照明不足", "年内补齐路灯", timezone.localdate() + timedelta(days=60), "李科长"
    )
    today = timezone.localdate()
    return issue_item_add(
        actor=d.user("supervisor"), unit_id=d.street_units[0].pk, year=today.year, draft=draft
    ).pk


def _item_fields(status: str) -> dict[str, Any]:
    closed = status == ItemStatus.CLOSED
    return {"status": status, "closed_at": timezone.now() if closed else None}


def _item_change(action: str) -> Change:
    if action == "close":
        return Change({"closed_at": timezone.now()})
    return Change()


def _round_fields(status: str) -> dict[str, Any]:
    decided = status == RoundStatus.DECIDED
    return {"status": status, "decided_at": timezone.now() if decided else None}


def _round_change(action: str) -> Change:
    if action == "decide":
        return Change({"decided_at": timezone.now()})
    return Change()


def _task_force(d: District) -> int:
    return task_force_set_up(
        actor=d.user("supervisor"),
        name="物业纠纷专班",
        purpose="协调化解",
        lead_unit_id=d.street_units[0].pk,
    ).pk


def _task_force_fields(status: str) -> dict[str, Any]:
    closed = status == TaskForceStatus.CLOSED
    return {"status": status, "closed_at": timezone.now() if closed else None}


def _task_force_change(action: str) -> Change:
    if action == "close":
        return Change({"closed_at": timezone.now()})
    return Change()


def _consultation_fields(status: str) -> dict[str, Any]:
    reported = status == ConsultationStatus.REPORTED
    return {"status": status, "reported_at": timezone.now() if reported else None}


def _consultation_change(action: str) -> Change:
    if action == "report":
        return Change({"reported_at": timezone.now()})
    return Change()


def _comment(d: District) -> int:
    consultation = open_new(d)
    draft = CommentDraft(text="建议明确业委会选举的时限")
    return comment_submit(consultation_id=consultation.pk, draft=draft, at=during()).pk


def _comment_change(action: str) -> Change:
    if action == "answer":
        return Change(
            {"decision": "adopted", "decision_reason": "好", "answered_at": timezone.now()}
        )
    return Change()


def _topic_fields(status: str) -> dict[str, Any]:
    met = status not in (TopicStatus.PROPOSED, TopicStatus.DECLINED)
    return {
        "status": status,
        "meeting_at": timezone.now() if met else None,
        "meeting_place": "社区党群服务中心" if met else "",
    }


def _topic_change(action: str) -> Change:
    if action == "schedule":
        return Change({"meeting_at": timezone.now(), "meeting_place": "社区党群服务中心"})
    if action == "close":
        return Change({"closed_at": timezone.now()})
    return Change()


def _call(d: District) -> int:
    pbx, _ = pbx_create(name="A3区12345交换机")
    notice = CallNotice(event="newCall", call_id="m-1", direction="in", from_number="13812345678")
    return call_notice_receive(pbx=pbx, notice=notice).call.pk


def _call_fields(status: str) -> dict[str, Any]:
    answered = status in (CallStatus.ANSWERED, CallStatus.ENDED)
    return {"status": status, "answered_at": timezone.now() if answered else None}


def _call_change(action: str) -> Change:
    if action in ("hang_up", "miss"):
        return Change({"ended_at": timezone.now(), "cause": "normalClearing"})
    return Change()


def _post_fields(status: str) -> dict[str, Any]:
    return {"status": status, "published_at": timezone.now()}


def _exemption(d: District) -> int:
    return exemption_request(d, appeal_in(d, AppealStatus.FOLLOW_UP)).pk


CASES = {
    "call": Case(CALLS, _call, _call_fields, _call_change),
    "exemption": Case(
        EXEMPTIONS, _exemption, lambda status: {"status": status}, lambda action: Change()
    ),
    "knowledge_article": Case(
        ARTICLES,
        lambda d: article_new(d, published=False).pk,
        lambda status: {"status": status},
        lambda action: Change(),
    ),
    "panel_evaluation": Case(
        EVALUATIONS, lambda d: evaluation_new(d).pk, lambda st: {"status": st}, lambda a: Change()
    ),
    "deliberation_topic": Case(TOPICS, lambda d: topic_new(d).pk, _topic_fields, _topic_change),
    "consultation": Case(
        CONSULTATIONS, lambda d: draft_new(d).pk, _consultation_fields, _consultation_change
    ),
    "consultation_comment": Case(
        COMMENTS, _comment, lambda status: {"status": status}, _comment_change
    ),
    "suggestion": Case(SUGGESTIONS, _suggestion, _suggestion_fields, _suggestion_change),
    "moderation": Case(
        MODERATION,
        lambda d: post_new().pk,
        _post_fields,
        lambda action: Change({"published_at": timezone.now()}),
    ),
    "supervision_order": Case(ORDERS, _order, _order_fields, _order_change),
    "proactive_task": Case(TASKS, _task, _task_fields, _task_change),
    "selection_round": Case(ROUNDS, lambda d: round_new(d).pk, _round_fields, _round_change),
    "issue_item": Case(ITEMS, _item, _item_fields, _item_change),
    "task_force": Case(TASK_FORCES, _task_force, _task_force_fields, _task_force_change),
    "project": Case(
        PROJECTS,
        lambda d: project_new(d, planned=False, assisting_unit_ids=()).pk,
        lambda status: {"status": status},
        lambda action: Change(),
    ),
}
SUBJECT_MODELS = {
    "call": Call,
    "exemption": Exemption,
    "knowledge_article": Article,
    "panel_evaluation": Evaluation,
    "deliberation_topic": Topic,
    "consultation": Consultation,
    "consultation_comment": Comment,
    "suggestion": Suggestion,
    "moderation": BoardPost,
    "supervision_order": SupervisionOrder,
    "project": Project,
    "proactive_task": ProactiveTask,
    "selection_round": SelectionRound,
    "issue_item": IssueItem,
    "task_force": TaskForce,
}
STATUSES = {
    "call": list(CallStatus),
    "exemption": list(ExemptionStatus),
    "knowledge_article": list(ArticleStatus),
    "panel_evaluation": list(EvaluationStatus),
    "deliberation_topic": list(TopicStatus),
    "consultation": list(ConsultationStatus),
    "consultation_comment": list(CommentStatus),
    "suggestion": list(SuggestionStatus),
    "moderation": list(ModerationStatus),
    "supervision_order": list(OrderStatus),
    "project": list(ProjectStatus),
    "proactive_task": list(TaskStatus),
    "selection_round": list(RoundStatus),
    "issue_item": list(ItemStatus),
    "task_force": list(TaskForceStatus),
}
