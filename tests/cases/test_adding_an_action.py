"""A newcomer adds an action to the appeal table by following docs/architecture.md ("Adding
an action"), here a toy one: a supervisor flags an appeal in progress for attention (标记关注),
with a reason, without changing its status. It needs a row of TRANSITIONS and nothing else
(an action that changes fields would add a change function and a service in ACTION_SERVICES):
the appeal page offers the button to the roles the row names, the post goes through the one
applier and writes one event, everyone else is refused, and the docs list it."""

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.machine import APPEALS
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import TRANSITIONS, AppealStatus
from minxin.machine.docs import workflow_markdown
from minxin.machine.table import Transition
from tests.builders import appeal_in

TOY = "flag"


@pytest.fixture
def toy_action(monkeypatch: pytest.MonkeyPatch) -> str:
    # Step 1 of the guide: the row. (A real action also gets its name in `Action`.)
    monkeypatch.setitem(
        TRANSITIONS,
        TOY,  # type: ignore[arg-type]
        Transition(
            "标记关注",
            frozenset({AppealStatus.IN_PROGRESS}),
            None,
            frozenset({Role.SUPERVISOR}),
            needs_reason=True,
            reason_label="关注原因",
            style="danger",
        ),
    )
    return TOY


def _act(client, appeal: Appeal, **data: object):
    url = reverse("cases:appeal_act", args=[appeal.pk, TOY])
    return client.post(url, {"version": appeal.version, **data})


def test_the_new_row_is_a_button_an_event_and_a_line_of_the_docs(client, district, toy_action):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert f'data-action="{TOY}"' in page and "关注原因" in page and "标记关注" in page

    events = AppealEvent.objects.filter(appeal=appeal)
    before = events.count()
    response = _act(client, appeal, reason="三天内第三次来电")
    assert response.status_code == 302
    event = events.latest("id")
    assert events.count() == before + 1
    assert (event.action, event.from_status, event.to_status) == (TOY, "in_progress", "in_progress")
    assert (event.actor_role, event.reason) == ("supervisor", "三天内第三次来电")
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.version) == (AppealStatus.IN_PROGRESS, appeal.version + 1)
    timeline = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert "标记关注" in timeline and "三天内第三次来电" in timeline

    assert "| `flag` | 标记关注 | `in_progress` | (unchanged) | supervisor |" in (
        workflow_markdown()
    )


def test_the_table_refuses_the_others_and_a_blank_reason(client, district, toy_action):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("handler"))  # the lead unit's handler sees the appeal
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert f'data-action="{TOY}"' not in page
    assert _act(client, appeal, reason="我也想标记").status_code == 403

    client.force_login(district.user("supervisor"))
    blank = _act(client, appeal, reason="  ")
    assert blank.status_code == 400 and "请填写关注原因" in blank.content.decode()

    resolved = appeal_in(district, AppealStatus.RESOLVED)
    assert _act(client, resolved, reason="已办结").status_code == 409
    supervisor = Actor.of(district.user("supervisor"))
    assert APPEALS.refusal(action=TOY, actor=supervisor, status=AppealStatus.RESOLVED)
    assert not AppealEvent.objects.filter(action=TOY).exists()
