"""Demo: 考核申诉 through the real services. Units ask that a dissatisfied rating or a missed
deadline not count, a day or so after it happened (within the request window): one approved
(the citizen could not be reached), one refused (the supervision office found the demand
reasonable), one still waiting on the supervision office's list — the main handler's street
first, so its demo login sees them. Taken from the demo's own appeals, whatever their number;
an exemption already there means the seed ran before."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import OPEN_STATUSES, Action
from minxin.core.errors import MinxinError
from minxin.exemptions.models import Exemption
from minxin.exemptions.services import ExemptionDraft, exemption_act, exemption_request
from minxin.exemptions.workflow import ExemptionAction, ExemptionKind, Ground

from . import district as d


@dataclass(frozen=True)
class _Ask:
    kind: str
    ground: str
    statement: str
    decision: str  # the action taken on it, "" to leave it waiting
    reason: str


ASKS = (
    _Ask(
        ExemptionKind.DISSATISFIED,
        Ground.UNREACHABLE,
        "办理期间按诉求人留下的号码先后拨打5次均为空号，两次上门无人应答，已在小区公告栏张贴联系告知；"
        "评价为不满意系诉求人未与承办单位沟通即作出，请求不计入满意率。",
        ExemptionAction.APPROVE,
        "经核查通话记录和上门记录，承办单位已尽到联系义务，同意本次不满意评价不计入考核。",
    ),
    _Ask(
        ExemptionKind.DISSATISFIED,
        Ground.UNREASONABLE,
        "诉求人要求的补偿标准超出现行政策规定，已按政策答复并解释，请求免于考核。",
        ExemptionAction.REFUSE,
        "诉求人反映的问题属实且在本单位职责范围内，答复未说明后续整改安排，申诉理由不成立。",
    ),
    _Ask(
        ExemptionKind.OVERDUE,
        Ground.FORCE_MAJEURE,
        "连续强降雨期间施工队伍停工，管网抢修材料无法进场，已于天晴后第一时间恢复施工，请求本次超期免于考核。",
        "",
        "",
    ),
)


def _handler_of(unit_id: int, main: User | None) -> User | None:
    if main is not None and main.unit_id == unit_id:
        return main
    return User.objects.filter(role=Role.HANDLER, unit_id=unit_id, is_active=True).first()


def _rated(main: User | None, now: datetime, taken: set[int]) -> list[tuple[Appeal, datetime]]:
    """Appeals whose latest dissatisfied rating was given before `now`, the main street's first,
    newest first."""
    rows = (
        AppealEvent.objects.filter(
            action=Action.RATE_DISSATISFIED, created_at__lt=now, appeal__lead_unit__isnull=False
        )
        .exclude(appeal_id__in=taken)
        .select_related("appeal")
        .order_by("-created_at")
    )
    seen: set[int] = set()
    out: list[tuple[Appeal, datetime]] = []
    for event in rows[:400]:
        if event.appeal_id in seen:
            continue
        seen.add(event.appeal_id)
        out.append((event.appeal, event.created_at))
    mine = main.unit_id if main is not None else None
    return sorted(out, key=lambda pair: pair[0].lead_unit_id != mine)


def _overdue(main: User | None, now: datetime, taken: set[int]) -> list[tuple[Appeal, datetime]]:
    """Appeals past their deadline, open or resolved late (a small demo may have no open one at
    some hours), the most recently missed first."""
    late = Q(status__in=OPEN_STATUSES, resolved_at__isnull=True) | Q(
        resolved_at__gt=F("resolve_due")
    )
    rows = (
        Appeal.objects.filter(late, resolve_due__lt=now, lead_unit__isnull=False)
        .exclude(pk__in=taken)
        .order_by("-resolve_due")[:200]
    )
    mine = main.unit_id if main is not None else None
    pairs = [(a, a.resolve_due) for a in rows if a.resolve_due is not None]
    return sorted(pairs, key=lambda pair: pair[0].lead_unit_id != mine)


def exemptions_seed(*, now: datetime | None = None) -> int:
    """The requests made (0 when some exist, or no appeal fits)."""
    now = now or timezone.now()
    if Exemption.objects.exists():
        return 0
    main = User.objects.filter(username=d.MAIN_HANDLER, role=Role.HANDLER).first()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    if supervisor is None:
        return 0
    taken: set[int] = set()
    made = 0
    for ask in ASKS:
        candidates = (
            _rated(main, now, taken)
            if ask.kind == ExemptionKind.DISSATISFIED
            else _overdue(main, now, taken)
        )
        for appeal, since in candidates:
            handler = _handler_of(appeal.lead_unit_id or 0, main)
            if handler is None:
                continue
            # Asked a few working hours after the rating or the missed deadline; decided the
            # next day (never later than now).
            asked = min(since + timedelta(hours=3), now)
            try:
                exemption = exemption_request(
                    actor=handler,
                    draft=ExemptionDraft(
                        appeal_id=appeal.pk,
                        kind=ask.kind,
                        ground=ask.ground,
                        statement=ask.statement,
                    ),
                    at=asked,
                )
                if ask.decision:
                    exemption_act(
                        actor=supervisor,
                        exemption_id=exemption.pk,
                        action=ask.decision,
                        reason=ask.reason,
                        expected_version=exemption.version,
                        at=min(asked + timedelta(days=1), now),
                    )
            except MinxinError:
                continue  # this one does not qualify (e.g. rated again since): the next
            taken.add(appeal.pk)
            made += 1
            break
    return made
