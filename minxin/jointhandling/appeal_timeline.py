"""联合处置 on the appeal's timeline (办理记录): each joint visit at the time it was held, beside
the appeal's events (found by `supervision.selectors.appeal_supervision_timeline`). A joint
visit changes nothing of the appeal's state, so it is a row of its own there, not an event of
the appeal's machine."""

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.supervision.selectors import TimelineEntry

from .selectors import visit_lines

TEMPLATE = "jointhandling/_timeline_visit.html"


def entries(*, user: User, appeal: Appeal) -> list[TimelineEntry]:
    """Whoever sees the appeal (the caller checked) sees its joint visits, as on the panel."""
    return [
        TimelineEntry("joint_visit", line.held_at, line, template=TEMPLATE)
        for line in visit_lines(appeal.pk)
    ]
