"""A panel evaluation through its services: invitations, anonymous sheets once per unit in
the window, the scores per unit against a hand-worked example, a hearing whose commitment
becomes a supervision order, and the refusals (a panellist not on the panel, a second sheet,
a score out of range, outside the window) that change nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from minxin.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from minxin.panels import scores
from minxin.panels.models import Commitment, Panellist, Sheet
from minxin.panels.selectors import results
from minxin.panels.services import (
    AlreadyScored,
    HearingDraft,
    evaluation_act,
    hearing_record,
    panellist_invite,
    sheet_submit,
)
from minxin.panels.workflow import EvaluationAction
from minxin.supervision.models import SupervisionOrder

from .builders import T0, deputy_account, evaluation_new

pytestmark = pytest.mark.django_db


def test_the_pure_scores():
    s = scores.unit_score([30, 36, 24])
    # mean 30; deviations 0, 6, -6 → variance 24 → 4.90
    assert (s.panellists, s.mean, s.spread, s.lowest, s.highest) == (3, 30.0, 4.9, 24, 36)
    assert scores.unit_score([]) is None
    assert scores.as_percent(30, 40) == 75.0


def _open(d):
    e = evaluation_new(d)
    sup = d.user("supervisor")
    panel = (("王秀兰", "deputy"), ("陈国强", "cppcc"), ("李大妈", "resident"))
    tokens = [panellist_invite(actor=sup, evaluation_id=e.pk, name=n, group=g)[1] for n, g in panel]
    evaluation_act(actor=sup, evaluation_id=e.pk, action=EvaluationAction.OPEN, at=T0)
    return e, tokens


def test_sheets_and_the_hand_worked_result(district):
    d = district
    e, tokens = _open(d)
    a, b, c = e.items.order_by("position")
    during = T0 + timedelta(days=1)
    unit = d.departments[0].pk
    for token, (x, y, z) in zip(tokens, ((8, 7, 15), (10, 9, 17), (6, 6, 12)), strict=True):
        sheet_submit(token=token, unit_id=unit, values={a.pk: x, b.pk: y, c.pk: z}, at=during)
    sheet_submit(
        token=tokens[0], unit_id=d.departments[1].pk, values={a.pk: 5, b.pk: 5, c.pk: 10}, at=during
    )
    rows = {r.unit_id: r for r in results(e)}
    first = rows[unit]
    # Totals 30, 36, 24 → mean 30, spread 4.9; of 40 → 75 %; item means 8, 7.33, 14.67.
    assert (first.score.panellists, first.score.mean, first.score.spread) == (3, 30.0, 4.9)
    assert first.percent == 75.0
    assert [m for _, m in first.items] == [8.0, 7.33, 14.67]
    assert rows[d.departments[1].pk].score.panellists == 1
    # Once per panellist and unit.
    with pytest.raises(AlreadyScored):
        sheet_submit(token=tokens[0], unit_id=unit, values={a.pk: 1, b.pk: 1, c.pk: 1}, at=during)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sheet.objects.create(evaluation=e, panellist_id=Sheet.objects.first().panellist_id,
                             unit_id=unit, total=1)  # fmt: skip
    # Refusals.
    with pytest.raises(PermissionDenied, match="不在本次测评的评议人员名单中"):
        sheet_submit(token="guess", unit_id=unit, values={}, at=during)
    with pytest.raises(ValidationFailed, match="应在0到20之间"):
        sheet_submit(token=tokens[1], unit_id=d.departments[1].pk,
                     values={a.pk: 1, b.pk: 1, c.pk: 21}, at=during)  # fmt: skip
    with pytest.raises(ValidationFailed, match="请为「办理结果」打分"):
        sheet_submit(token=tokens[1], unit_id=d.departments[1].pk,
                     values={a.pk: 1, b.pk: 1}, at=during)  # fmt: skip
    with pytest.raises(ValidationFailed, match="不在本次测评范围内"):
        sheet_submit(token=tokens[1], unit_id=d.street_units[0].pk,
                     values={a.pk: 1, b.pk: 1, c.pk: 1}, at=during)  # fmt: skip
    with pytest.raises(IllegalTransition, match="不在测评时间内"):
        sheet_submit(token=tokens[1], unit_id=d.departments[1].pk,
                     values={a.pk: 1, b.pk: 1, c.pk: 1}, at=T0 + timedelta(days=11))  # fmt: skip
    assert Sheet.objects.count() == 4
    # No close before the end; then closed.
    sup = d.user("supervisor")
    with pytest.raises(ValidationFailed, match="截止后才能公布结果"):
        evaluation_act(actor=sup, evaluation_id=e.pk, action=EvaluationAction.CLOSE, at=during)
    closed = evaluation_act(
        actor=sup, evaluation_id=e.pk, action=EvaluationAction.CLOSE, at=T0 + timedelta(days=11)
    )
    assert closed.status == "closed"


def test_a_hearing_commitment_becomes_a_supervision_order(district):
    d = district
    e, _ = _open(d)
    sup = d.user("supervisor")
    hearing = hearing_record(
        actor=sup,
        evaluation_id=e.pk,
        draft=HearingDraft(
            unit_id=d.departments[0].pk,
            held_at=T0 + timedelta(days=2),
            question="背街小巷垃圾清运不及时，何时整改？",
            asked_by="王秀兰代表",
            answer="将增加清运频次",
            commitments=["一个月内背街小巷垃圾日产日清", ""],
            due_at=T0 + timedelta(days=3650),
        ),
    )
    commitment = Commitment.objects.get(hearing=hearing)
    order = SupervisionOrder.objects.get(pk=commitment.order_id)
    assert order.unit_id == d.departments[0].pk and "日产日清" in order.content
    with pytest.raises(ValidationFailed, match="须为被测评单位"):
        hearing_record(
            actor=sup,
            evaluation_id=e.pk,
            draft=HearingDraft(d.street_units[0].pk, T0, "问", "人", "答"),
        )
    with pytest.raises(PermissionDenied):
        hearing_record(
            actor=d.user("handler"),
            evaluation_id=e.pk,
            draft=HearingDraft(d.departments[0].pk, T0, "问", "人", "答"),
        )
    assert Commitment.objects.count() == 1


def test_a_deputy_seated_by_account_scores_and_others_are_refused(district):
    d = district
    e = evaluation_new(d)
    sup = d.user("supervisor")
    dep1, dep2 = deputy_account(1), deputy_account(2)
    seat, token = panellist_invite(actor=sup, evaluation_id=e.pk, user_id=dep1.pk)
    assert (seat.user_id, seat.group, seat.name, seat.token_hash, token) == (
        dep1.pk,
        "deputy",
        "代表1",
        None,
        "",
    )
    with pytest.raises(ValidationFailed, match="已在本次测评的评议人员名单中"):
        panellist_invite(actor=sup, evaluation_id=e.pk, user_id=dep1.pk)
    with pytest.raises(ValidationFailed, match="只能选择在任人大代表的账号"):
        panellist_invite(actor=sup, evaluation_id=e.pk, user_id=d.user("handler").pk)
    with pytest.raises(PermissionDenied):
        panellist_invite(actor=d.user("handler"), evaluation_id=e.pk, user_id=dep2.pk)
    panellist_invite(actor=sup, evaluation_id=e.pk, name="陈国强", group="cppcc")
    # Every invitation is one event on the evaluation, by account or by link.
    invites = e.events.filter(action=EvaluationAction.INVITE).order_by("pk")
    assert [ev.payload["by"] for ev in invites] == ["account", "link"]
    assert Panellist.objects.filter(evaluation=e).count() == 2
    evaluation_act(actor=sup, evaluation_id=e.pk, action=EvaluationAction.OPEN, at=T0)

    a, b, c = e.items.order_by("position")
    during, unit = T0 + timedelta(days=1), d.departments[0].pk
    values = {a.pk: 9, b.pk: 8, c.pk: 16}
    sheet_submit(user=dep1, evaluation_id=e.pk, unit_id=unit, values=values, at=during)
    with pytest.raises(AlreadyScored):
        sheet_submit(user=dep1, evaluation_id=e.pk, unit_id=unit, values=values, at=during)
    # Not on this panel: another deputy, a member of staff, or this deputy on another one.
    other = evaluation_new(d)
    for who, on in ((dep2, e.pk), (sup, e.pk), (dep1, other.pk)):
        with pytest.raises(PermissionDenied, match="不在本次测评的评议人员名单中"):
            sheet_submit(user=who, evaluation_id=on, unit_id=unit, values=values, at=during)
    assert Sheet.objects.count() == 1
    row = {r.unit_id: r for r in results(e)}[unit]
    assert (row.score.panellists, row.score.mean) == (1, 33.0)  # type: ignore[union-attr]

    evaluation_act(
        actor=sup, evaluation_id=e.pk, action=EvaluationAction.CLOSE, at=T0 + timedelta(days=11)
    )
    with pytest.raises(IllegalTransition):
        panellist_invite(actor=sup, evaluation_id=e.pk, user_id=dep2.pk)
    assert Panellist.objects.filter(evaluation=e).count() == 2
