"""Every write to an appeal, by stage of the loop (in the manner of Zulip's `actions/`):

- `intake`: new appeals, one at a time or in bulk;
- `screening`: category, place, urgency; duplicates merged;
- `dispatch`: to a lead unit and assisting units; returned by a unit;
- `handling`: first contact, suspend and resume, extensions, the citizen's supplement, the
  reply;
- `subdispatch`: 二级派单, the lead street passing the appeal down to a community or grid unit
  and the community's report back (the appeal's lead and status unchanged);
- `review`: the centre's review of a reply (approve, send back) and the revisits after it;
- `closing`: rating, re-handling, closing and archiving;
- `transfer`: between units — a transfer asked for and decided (转办), a return refused
  (退单审核);
- `peers`: the city link — a work order sent down to a peer platform, what a peer reports back,
  and the delivery of the outbox's messages to peers (docs/citylink.md).

Each service is keyword-only, a durable transaction when views and tasks call it, and changes
the appeal only through the appeals' machine (`cases.machine.APPEALS`), once per action.
`ACTION_SERVICES` maps each action a staff form posts to its service, in one place; an action
that needs no input beyond the reason needs no service: `appeal_act` applies the table's row
with the action's change from `changes.BY_ACTION` (first contact, suspend, resume, close,
archive), or none (accept, a note, a follow-up call, invalid, restore)."""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.core.errors import PermissionDenied
from minxin.machine.engine import NO_CHANGE

from .. import changes
from ..machine import APPEALS
from ..models import Appeal
from ..workflow import TRANSITIONS, Action
from .closing import appeal_rate, appeal_reopen, appeals_unrated_archive
from .contact import phone_reveal
from .dispatch import appeal_dispatch, assignment_return
from .handling import (
    Supplemented,
    appeal_supplement,
    extension_decide,
    extension_request,
    reply_submit,
)
from .intake import (
    AppealDraft,
    BulkAppeal,
    CreatedAppeal,
    Upstream,
    appeal_create,
    appeal_draft_clean,
    appeals_create_bulk,
    query_code_new,
    tracking_numbers_allocate,
)
from .peers import (
    DownstreamRecorded,
    DownstreamUpdate,
    appeal_downstream_record,
    appeal_send_down,
    peer_message_deliver,
)
from .review import reply_approve, reply_release, reply_send_back, revisit_record
from .screening import appeal_merge, appeal_screen
from .subdispatch import appeal_sub_dispatch, appeal_sub_recall, appeal_sub_report
from .transfer import return_refuse, transfer_decide, transfer_pending, transfer_request

__all__ = [
    "ACTION_SERVICES",
    "AppealDraft",
    "BulkAppeal",
    "CreatedAppeal",
    "DownstreamRecorded",
    "DownstreamUpdate",
    "Supplemented",
    "Upstream",
    "appeal_act",
    "appeal_create",
    "appeal_dispatch",
    "appeal_downstream_record",
    "appeal_draft_clean",
    "appeal_merge",
    "appeal_rate",
    "appeal_reopen",
    "appeal_screen",
    "appeal_send_down",
    "appeal_sub_dispatch",
    "appeal_sub_recall",
    "appeal_sub_report",
    "appeal_supplement",
    "appeals_create_bulk",
    "appeals_unrated_archive",
    "assignment_return",
    "extension_decide",
    "extension_request",
    "peer_message_deliver",
    "phone_reveal",
    "query_code_new",
    "reply_approve",
    "reply_release",
    "reply_send_back",
    "reply_submit",
    "return_refuse",
    "revisit_record",
    "tracking_numbers_allocate",
    "transfer_decide",
    "transfer_pending",
    "transfer_request",
]

# The services of the actions a staff form posts (`cases.views.appeal_act`). Each takes
# appeal_id, actor, expected_version, reason and the row's `inputs`, keyword-only.
ACTION_SERVICES: Final[Mapping[str, Callable[..., Any]]] = {
    Action.MERGE: appeal_merge,
    Action.RETURN: assignment_return,
    Action.REFUSE_RETURN: return_refuse,
    Action.REQUEST_EXTENSION: extension_request,
    Action.APPROVE_EXTENSION: partial(extension_decide, approve=True),
    Action.REFUSE_EXTENSION: partial(extension_decide, approve=False),
    Action.REQUEST_TRANSFER: transfer_request,
    Action.APPROVE_TRANSFER: partial(transfer_decide, approve=True),
    Action.REFUSE_TRANSFER: partial(transfer_decide, approve=False),
    Action.RESOLVE: reply_submit,
    Action.APPROVE_REPLY: reply_approve,
    Action.SEND_BACK: reply_send_back,
    Action.REOPEN: appeal_reopen,
    Action.SUB_DISPATCH: appeal_sub_dispatch,
    Action.SUB_REPORT: appeal_sub_report,
    Action.SUB_RECALL: appeal_sub_recall,
}


def appeal_act(
    *,
    appeal_id: int,
    action: str,
    actor: Actor,
    expected_version: int | None,
    reason: str = "",
    inputs: Mapping[str, Any] | None = None,
) -> Any:
    """The action a staff form posted: its service, or for an action that needs no input
    beyond the reason the table's row and its change. Actions of another app's panel or that
    create an appeal have forms of their own."""
    transition = TRANSITIONS.get(action)  # type: ignore[call-overload]
    if transition is None or transition.panel or transition.creates:
        raise PermissionDenied("该操作请在对应的面板中进行")
    named = transition.inputs_of(inputs or {})
    service = ACTION_SERVICES.get(action)
    if service is not None:
        return service(
            appeal_id=appeal_id,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            **named,
        )
    return _appeal_changed(
        appeal_id=appeal_id,
        action=action,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )


@transaction.atomic(durable=True)
def _appeal_changed(
    *, appeal_id: int, action: str, actor: Actor, expected_version: int | None, reason: str
) -> Appeal:
    appeal = APPEALS.lock(
        pk=appeal_id, action=action, actor=actor, expected_version=expected_version
    )
    changed = changes.BY_ACTION.get(action)  # type: ignore[call-overload]
    change = changed(appeal=appeal, at=timezone.now()) if changed else NO_CHANGE
    return APPEALS.apply(appeal, action=action, actor=actor, reason=reason, change=change).subject
