"""Reads of topics for a viewer (the office: its district's, the city's every district's; a
handler: its street's; the public: the host's district's, nothing personal), and a topic's
page: supporters, participants, decisions with their follow-through."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.directory.selectors import of_district

from .machine import MISSING
from .models import Decision, Participant, Topic, TopicSupport
from .permissions import sees_every_topic
from .services import decision_done
from .workflow import TopicStatus


def _annotated(qs: QuerySet[Topic]) -> QuerySet[Topic]:
    return qs.select_related("region", "unit").annotate(n_supports=Count("supports"))


def topics_for(user: User) -> QuerySet[Topic]:
    topics = Topic.objects.filter(of_district(user.jurisdiction_scope))
    if not sees_every_topic(user):
        topics = topics.filter(unit_id=user.unit_id) if user.unit_id else topics.none()
    return _annotated(topics)


def topic_get_for(user: User, topic_id: int) -> Topic:
    found = topics_for(user).filter(pk=topic_id).first()
    if found is None:
        raise NotFound(MISSING)
    return found


def public_topics(*, district: int | None = None) -> QuerySet[Topic]:
    """The topics of `district` (the host's); every district's for None."""
    return _annotated(Topic.objects.filter(of_district(district)))


def public_topic_get(topic_id: int, *, district: int) -> Topic:
    found = public_topics(district=district).filter(pk=topic_id).first()
    if found is None:
        raise NotFound("未找到该议题")
    return found


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    done: bool
    state: str  # the appeal's or project's status, in Chinese


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    supports: int
    must_schedule: bool
    participants: dict[str, list[Participant]]
    decisions: list[DecisionView]

    @property
    def all_done(self) -> bool:
        return bool(self.decisions) and all(d.done for d in self.decisions)


def topic_page(topic: Topic) -> TopicPage:
    supports = topic.supports.count()
    groups: dict[str, list[Participant]] = {}
    for p in topic.participants.all():
        groups.setdefault(p.get_group_display(), []).append(p)
    views = []
    for d in topic.decisions.select_related("appeal", "project").order_by("position"):
        if d.appeal is not None:
            state = d.appeal.get_status_display()
        elif d.project is not None:
            state = d.project.get_status_display()
        else:
            state = "已办结"
        views.append(DecisionView(d, decision_done(d), state))
    return TopicPage(
        topic=topic,
        supports=supports,
        must_schedule=topic.status == TopicStatus.PROPOSED and supports >= topic.support_needed,
        participants=groups,
        decisions=views,
    )


def topic_supported(topic: Topic, phone_hash: str) -> bool:
    """Whether the confirmed phone already supports the topic."""
    return (
        bool(phone_hash)
        and TopicSupport.objects.filter(topic=topic, phone_hash=phone_hash).exists()
    )
