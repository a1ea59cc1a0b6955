"""The consultations' machine and the comments' machine."""

from minxin.machine.engine import Machine

from .models import Comment, CommentEvent, Consultation, ConsultationEvent
from .workflow import (
    COMMENT_TRANSITIONS,
    CONSULTATION_TRANSITIONS,
    CommentStatus,
    ConsultationStatus,
)

MISSING = "未找到该征求意见或无权查看"
COMMENT_MISSING = "未找到该意见"

CONSULTATIONS: Machine[Consultation, ConsultationEvent] = Machine(
    name="consultation",
    noun="征求意见",
    statuses=ConsultationStatus,
    table=CONSULTATION_TRANSITIONS,
    subject=Consultation,
    event=ConsultationEvent,
    event_subject="consultation",
    reason_max=2000,
    missing=MISSING,
)

COMMENTS: Machine[Comment, CommentEvent] = Machine(
    name="consultation_comment",
    noun="意见",
    statuses=CommentStatus,
    table=COMMENT_TRANSITIONS,
    subject=Comment,
    event=CommentEvent,
    event_subject="comment",
    reason_max=2000,
    missing=COMMENT_MISSING,
)
