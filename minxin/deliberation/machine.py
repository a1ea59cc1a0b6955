"""The topics' machine: the table of `workflow.py` bound to Topic and TopicEvent. A handler
acts for the street office that hosts the topic."""

from minxin.machine.engine import Machine

from .models import Topic, TopicEvent
from .workflow import TRANSITIONS, TopicStatus

MISSING = "未找到该议题或无权查看"


def _unit(topic: Topic) -> tuple[int | None, frozenset[int]]:
    return topic.unit_id, frozenset()


TOPICS: Machine[Topic, TopicEvent] = Machine(
    name="deliberation_topic",
    noun="议题",
    statuses=TopicStatus,
    table=TRANSITIONS,
    subject=Topic,
    event=TopicEvent,
    event_subject="topic",
    reason_max=5000,
    lead_label="组织单位",
    missing=MISSING,
    units=_unit,
)
