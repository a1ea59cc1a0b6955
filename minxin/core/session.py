"""What a citizen's browser session holds for the public pages: the records it may follow (a
grant, given by the receipt or by the tracking number + query code, never by the URL), and the
one-time keys that make a resubmitted form find what it already created."""

import re
import uuid
from typing import Any, Final, Protocol, TypeGuard

from django.contrib.sessions.backends.base import SessionBase

# The appeals a browser may follow on the citizen's tracking pages; other apps grant them too
# (a board post, a suggestion that became an appeal), so the key is shared here.
APPEAL_GRANTS_KEY: Final = "track_grants"
# The receipt (tracking number and query code) of the appeal this browser just submitted, on
# the phone page or as a board post; shown by the receipt page of either.
APPEAL_RECEIPT_KEY: Final = "board_receipt"
GRANTS_MAX: Final = 20  # the most recent ones; older grants are forgotten
_ONE_TIME_KEY: Final = re.compile(r"^[0-9a-f]{32}$")


def grants(session: SessionBase, key: str) -> list[int]:
    raw = session.get(key, [])
    return [g for g in raw if isinstance(g, int)] if isinstance(raw, list) else []


def grant(session: SessionBase, key: str, item_id: int) -> None:
    held = [g for g in grants(session, key) if g != item_id] + [item_id]
    session[key] = held[-GRANTS_MAX:]


def one_time_key_new() -> str:
    return uuid.uuid4().hex


def is_one_time_key(value: object) -> TypeGuard[str]:
    """A key this module could have made (anything else is ignored, not trusted)."""
    return isinstance(value, str) and bool(_ONE_TIME_KEY.match(value))


class Numbered(Protocol):
    pk: Any
    tracking_number: str
    query_code: str


def submission_keep(
    session: SessionBase, record: Numbered, *, grants_key: str, receipt_key: str, **extra: Any
) -> None:
    """What a browser keeps of what it just submitted: the grant to follow it, and its receipt
    (the tracking number and query code to write down) for the receipt page."""
    grant(session, grants_key, record.pk)
    session[receipt_key] = {
        "tracking_number": record.tracking_number,
        "query_code": record.query_code,
        **extra,
    }


def submission_keep_saved(
    session: SessionBase, record: Numbered, *, grants_key: str, receipt_key: str
) -> None:
    """`submission_keep`, and the session written at once: called inside the transaction that
    made `record`, the receipt commits with it (one commit for a citizen's submission; the
    middleware's save at the end of the request finds nothing new to write)."""
    submission_keep(session, record, grants_key=grants_key, receipt_key=receipt_key)
    session.save()


def receipt_held(session: SessionBase, key: str) -> dict[str, Any] | None:
    receipt = session.get(key)
    return receipt if isinstance(receipt, dict) else None
