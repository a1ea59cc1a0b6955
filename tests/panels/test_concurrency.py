"""One sheet per panellist and unit, decided by the database: the same sheet sent at the same
moment from a link and from a seated account each leaves one sheet (and its scores); the
others are refused with 409."""

from datetime import timedelta

import pytest

from minxin.panels.models import Score, Sheet
from minxin.panels.services import evaluation_act, panellist_invite, sheet_submit
from minxin.panels.workflow import EvaluationAction
from tests.races import needs_concurrent_writers, race, refused

from .builders import T0, deputy_account, evaluation_new

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sheet_sent_several_times_at_once_is_counted_once(district):
    needs_concurrent_writers()
    d = district
    e = evaluation_new(d)
    sup = d.user("supervisor")
    _, token = panellist_invite(actor=sup, evaluation_id=e.pk, name="王秀兰", group="resident")
    deputy = deputy_account(1)
    panellist_invite(actor=sup, evaluation_id=e.pk, user_id=deputy.pk)
    evaluation_act(actor=sup, evaluation_id=e.pk, action=EvaluationAction.OPEN, at=T0)
    a, b, c = e.items.order_by("position")
    values = {a.pk: 8, b.pk: 7, c.pk: 15}
    unit, during = d.departments[0].pk, T0 + timedelta(days=1)

    by_link = race(lambda: sheet_submit(token=token, unit_id=unit, values=values, at=during), n=3)
    by_account = race(
        lambda: sheet_submit(
            user=deputy, evaluation_id=e.pk, unit_id=unit, values=values, at=during
        ),
        n=3,
    )
    for results in (by_link, by_account):
        no = refused(results)
        assert len(no) == 2 and all(r.status_code == 409 for r in no)
    assert Sheet.objects.filter(evaluation=e, unit_id=unit).count() == 2
    assert Score.objects.filter(sheet__evaluation=e).count() == 6
