from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.panels.models import Evaluation
from minxin.panels.services import EvaluationDraft, evaluation_create
from tests.builders import District

T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))


def evaluation_new(d: District, *, at: datetime = T0) -> Evaluation:
    return evaluation_create(
        actor=d.user("supervisor"),
        draft=EvaluationDraft(
            title="2026年度职能部门背对背测评",
            opens_at=at,
            closes_at=at + timedelta(days=10),
            unit_ids=(d.departments[0].pk, d.departments[1].pk),
            items=(("服务态度", 10), ("办理效率", 10), ("办理结果", 20)),
        ),
        at=at,
    )


def deputy_account(n: int) -> User:
    """A people's deputy's account (dep<n> / pw-dep<n>), as panels seat them."""
    return User.objects.create_user(
        username=f"dep{n}", password=f"pw-dep{n}", role=Role.DEPUTY, display_name=f"代表{n}"
    )
