from minxin.machine.engine import Machine

from .models import Evaluation, EvaluationEvent
from .workflow import TRANSITIONS, EvaluationStatus

MISSING = "未找到该测评或无权查看"

EVALUATIONS: Machine[Evaluation, EvaluationEvent] = Machine(
    name="panel_evaluation",
    noun="测评",
    statuses=EvaluationStatus,
    table=TRANSITIONS,
    subject=Evaluation,
    event=EvaluationEvent,
    event_subject="evaluation",
    reason_max=5000,
    missing=MISSING,
)
