"""The small demo scenes' appeals (supplements, sub-dispatch, transfers, the board's answers)
taken through the real services one step at a time: made, screened and dispatched, then acted
on, each step at the appeal's current version."""

from collections.abc import Iterable

from minxin.accounts.actor import Actor
from minxin.cases import services as cases
from minxin.cases.models import Appeal, AppealKind
from minxin.cases.workflow import Action
from minxin.deadlines.models import Urgency


def version(appeal_id: int) -> int:
    return Appeal.objects.values_list("version", flat=True).get(pk=appeal_id)


def appeal_new(
    text: tuple[str, ...], *, channel: str, kind: str = AppealKind.COMPLAINT, place_text: str = ""
) -> Appeal:
    """A citizen's appeal from (title, content, name, phone, ...)."""
    title, content, name, phone = text[:4]
    return cases.appeal_create(
        actor=Actor.citizen(),
        draft=cases.AppealDraft(
            channel=channel,
            kind=kind,
            title=title,
            content=content,
            appellant_name=name,
            appellant_phone=phone,
            place_text=place_text,
        ),
    ).appeal


def dispatched(
    appeal_id: int, *, staff: Actor, category_id: int, region_id: int | None, unit_id: int
) -> None:
    """Screened (normal urgency) and dispatched to `unit_id` as its lead."""
    cases.appeal_screen(
        appeal_id=appeal_id,
        actor=staff,
        expected_version=version(appeal_id),
        category_id=category_id,
        region_id=region_id,
        urgency=Urgency.NORMAL,
    )
    cases.appeal_dispatch(
        appeal_id=appeal_id, actor=staff, expected_version=version(appeal_id), lead_unit_id=unit_id
    )


def acted(appeal_id: int, actor: Actor, steps: Iterable[tuple[Action, str]]) -> None:
    """The handling steps (action, reason) in order, by one actor."""
    for action, reason in steps:
        cases.appeal_act(
            appeal_id=appeal_id,
            action=action,
            actor=actor,
            expected_version=version(appeal_id),
            reason=reason,
        )
