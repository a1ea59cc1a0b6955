"""Deputies, a programme and a selection round made through the real services, for the
selection tests. Times are given (`at`), so a round can be walked through its windows."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.projects.models import Programme, ProjectKind
from minxin.selection.models import Deputy, SelectionRound
from minxin.selection.services import CandidateDraft, RoundDraft, candidate_add, round_create
from tests.builders import District

T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))  # a Monday morning
COMMENT_DAYS = 7
VOTE_DAYS = 2


def deputies_new(d: District, count: int, *, street: int = 0, start: int = 1) -> list[Deputy]:
    """Deputies elected in a community of the street (their accounts: dep<n> / pw-dep<n>)."""
    made = []
    for n in range(start, start + count):
        user = User.objects.create_user(
            username=f"dep{n}",
            password=f"pw-dep{n}",
            role=Role.DEPUTY,
            display_name=f"代表{n}",
        )
        made.append(Deputy.objects.create(user=user, constituency=d.communities[street]))
    return made


def programme_next(year: int = 2027) -> Programme:
    return Programme.objects.create(name="民生实事项目", year=year)


def round_new(
    d: District,
    programme: Programme | None = None,
    *,
    at: datetime = T0,
    **overrides: object,
) -> SelectionRound:
    programme = programme or programme_next()
    fields: dict[str, object] = {
        "title": f"{programme.year}年民生实事项目人大代表票决",
        "programme_id": programme.pk,
        "region_id": d.district.pk,
        "comment_closes_at": at + timedelta(days=COMMENT_DAYS),
        "vote_opens_at": at + timedelta(days=COMMENT_DAYS),
        "vote_closes_at": at + timedelta(days=COMMENT_DAYS + VOTE_DAYS),
        "description": "候选项目来自各单位申报、已采纳的人民建议和集中投诉。",
    }
    fields.update(overrides)
    return round_create(actor=d.user("supervisor"), draft=RoundDraft(**fields), at=at)  # type: ignore[arg-type]


def candidate_draft(
    d: District, name: str = "景蓉小区加装电梯", **overrides: object
) -> CandidateDraft:
    fields: dict[str, object] = {
        "name": name,
        "kind": ProjectKind.ELEVATOR,
        "summary": "为景蓉小区12个单元加装电梯，惠及老年住户",
        "lead_unit_id": d.street_units[0].pk,
        "start_date": date(2027, 3, 1),
        "end_date": date(2027, 12, 31),
        "region_id": d.communities[0].pk,
        "budget": Decimal("960"),
        "target_name": "加装电梯",
        "target_value": Decimal(12),
        "target_measure": "台",
    }
    fields.update(overrides)
    return CandidateDraft(**fields)  # type: ignore[arg-type]


def candidates_add(d: District, selection: SelectionRound, names: list[str], *, at: datetime = T0):
    return [
        candidate_add(
            actor=d.user("supervisor"),
            round_id=selection.pk,
            draft=candidate_draft(d, name),
            at=at,
        )
        for name in names
    ]


def in_vote(at: datetime = T0) -> datetime:
    """A moment inside the builders' vote window."""
    return at + timedelta(days=COMMENT_DAYS, hours=2)


def after_vote(at: datetime = T0) -> datetime:
    return at + timedelta(days=COMMENT_DAYS + VOTE_DAYS, hours=1)
