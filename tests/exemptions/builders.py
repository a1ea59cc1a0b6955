"""Appeals with something to appeal against, and requests made through the services.

Calendar: March 2025 has no statutory holiday; 03-03 is a Monday. An appeal dispatched Monday
03-03 10:00 (normal urgency) must be resolved by Monday 03-17 18:00; a request about that
deadline may be made until the end of the fifth working day after it, Monday 03-24 18:00."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.exemptions.models import Exemption
from minxin.exemptions.services import ExemptionDraft, exemption_act, exemption_request
from minxin.exemptions.workflow import ExemptionAction, ExemptionKind, Ground
from tests.builders import District, appeal_in

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=TZ)


def overdue_appeal(d: District) -> Appeal:
    """In progress since Monday 03-03 10:00, due 03-17 18:00: overdue from then on."""
    with time_machine.travel(at(3), tick=False):
        appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    assert appeal.resolve_due == at(17, 18)
    return appeal


def request(
    d: District,
    appeal: Appeal,
    kind: str = ExemptionKind.DISSATISFIED,
    *,
    who: str = "handler",
    photos: tuple[object, ...] = (),
) -> Exemption:
    return exemption_request(
        actor=d.user(who),
        draft=ExemptionDraft(
            appeal_id=appeal.pk,
            kind=kind,
            ground=Ground.UNREACHABLE,
            statement="已三次上门、五次电话均无法联系诉求人，附通话记录截图。",
            photos=photos,  # type: ignore[arg-type]
        ),
    )


def decide(d: District, exemption: Exemption, action: str = ExemptionAction.APPROVE) -> Exemption:
    return exemption_act(
        actor=d.user("supervisor"),
        exemption_id=exemption.pk,
        action=action,
        reason="经核实，诉求人留的电话为空号，理由成立。"
        if action == ExemptionAction.APPROVE
        else "诉求人有回访记录，可以联系，理由不成立。",
        expected_version=exemption.version,
    )
