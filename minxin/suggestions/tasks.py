"""Telling the proposer each outcome by SMS (run by `minxin db_worker` after commit)."""

import logging

from django_tasks import task

from minxin.notify.sms import sms_send

from .models import SuggestionEvent
from .workflow import AdoptionLevel, SuggestionStatus

logger = logging.getLogger(__name__)


def outcome_text(event: SuggestionEvent) -> str:
    suggestion = event.suggestion
    head = f"【民心】您提出的建议（编号{suggestion.tracking_number}）"
    if event.to_status == SuggestionStatus.DECLINED:
        return f"{head}经审核暂未采纳，理由：{event.reason[:200]}。感谢您的参与。"
    level = AdoptionLevel(suggestion.adoption_level)
    if level == AdoptionLevel.FORWARDED:
        unit = event.payload.get("unit", "相关部门")
        return f"{head}已被采纳，转交{unit}办理。可凭编号和查询码查看办理进度。"
    if level == AdoptionLevel.REPORTED:
        return f"{head}已被采纳，报送市级有关部门研究。感谢您的参与。"
    return f"{head}已被采纳，获区领导批示。感谢您的参与。"


@task()
def suggestion_outcome_sms_task(event_id: int) -> bool:
    """One SMS for one outcome event; the number is read here, never passed through the queue."""
    event = SuggestionEvent.objects.select_related("suggestion").filter(pk=event_id).first()
    if event is None or not event.suggestion.proposer_phone:
        return False
    try:
        sms_send(phone=event.suggestion.proposer_phone, text=outcome_text(event))
    except Exception:
        # The outcome stands whatever the gateway does; the failure is logged, not the number.
        logger.exception("SMS for suggestion event %s failed", event_id)
        return False
    return True
