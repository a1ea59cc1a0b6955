"""Every read of appeals, taking the viewer: out-of-scope and missing are the same 404.

By part:

- `scope`: which appeals a member of staff sees at all, one appeal for staff or for the
  citizen holding its number and query code;
- `lists`: the district's list (filters, orders, search), the queues, the unit's queue and the
  other lists staff page through;
- `appeal`: one appeal's page (deadline flag, timeline, photos, replies, requests waiting, the
  buttons its viewer may press, the peer platforms' card, the phone reveals);
- `subdispatch`: 二级派单, the sub-tasks a street passes down to its communities."""

from .appeal import (
    DeadlineFlag,
    PeerLink,
    actions_available,
    appeal_assignments,
    appeal_peer_link,
    appeal_photos,
    appeal_replies,
    appeal_supplements,
    appeal_timeline,
    deadline_flag,
    pending_extension,
    pending_revisit,
    pending_transfer,
    phone_reveals_of,
)
from .lists import (
    NEAR_FILTER,
    OPEN_FILTER,
    QUEUE_SORTS,
    SORTS,
    AppealFilters,
    appeal_list_for,
    appeals_by_phone,
    appeals_led,
    appeals_searched,
    extension_requests,
    follow_up_queue,
    is_tracking_number,
    last_events_by_appeal,
    near_deadline_q,
    overdue_q,
    phone_reveal_list,
    queue_filtered,
    revisit_queue,
    screened_queue,
    screening_queue,
    transfer_requests,
    unit_queue,
)
from .scope import (
    LIST_RELATED,
    appeal_get_for,
    appeal_get_for_citizen,
    appeal_scope_for,
    appeal_visible_to,
)
from .subdispatch import (
    SUB_TABS,
    sub_assignment_pending,
    sub_assignments_of,
    sub_due_suggested,
    sub_pending_by_appeal,
    sub_tasks_for,
    sub_units_for,
)

__all__ = [
    "LIST_RELATED",
    "NEAR_FILTER",
    "OPEN_FILTER",
    "QUEUE_SORTS",
    "SORTS",
    "SUB_TABS",
    "AppealFilters",
    "DeadlineFlag",
    "PeerLink",
    "actions_available",
    "appeal_assignments",
    "appeal_get_for",
    "appeal_get_for_citizen",
    "appeal_list_for",
    "appeal_peer_link",
    "appeal_photos",
    "appeal_replies",
    "appeal_scope_for",
    "appeal_supplements",
    "appeal_timeline",
    "appeal_visible_to",
    "appeals_by_phone",
    "appeals_led",
    "appeals_searched",
    "deadline_flag",
    "extension_requests",
    "follow_up_queue",
    "is_tracking_number",
    "last_events_by_appeal",
    "near_deadline_q",
    "overdue_q",
    "pending_extension",
    "pending_revisit",
    "pending_transfer",
    "phone_reveal_list",
    "phone_reveals_of",
    "queue_filtered",
    "revisit_queue",
    "screened_queue",
    "screening_queue",
    "sub_assignment_pending",
    "sub_assignments_of",
    "sub_due_suggested",
    "sub_pending_by_appeal",
    "sub_tasks_for",
    "sub_units_for",
    "transfer_requests",
    "unit_queue",
]
