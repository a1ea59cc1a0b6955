"""The hotline form's fields, read once for every page that enters a phone appeal (the console,
and a call the exchange announced: minxin/cti)."""

from django.http import QueryDict

from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft
from minxin.core.posted import int_or_none
from minxin.deadlines.models import Urgency
from minxin.directory.selectors import places_to_choose


def hotline_draft(post: QueryDict, *, phone: str | None = None) -> AppealDraft:
    """The appeal the form describes; `phone` (the caller's number as the exchange gave it)
    stands in for the form's when the form has none."""
    region_id = post.get("region") or None
    return AppealDraft(
        channel=Channel.HOTLINE,
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        content=post.get("content", ""),
        place_text=post.get("place_text", ""),
        region_id=int_or_none(region_id),
        urgency=post.get("urgency", Urgency.NORMAL),
        appellant_name=post.get("appellant_name", ""),
        appellant_phone=post.get("appellant_phone", "").strip() or (phone or ""),
        is_anonymous=post.get("is_anonymous") == "on",
    )


def hotline_form_context(
    posted: dict[str, str] | None = None, *, district: int | None = None
) -> dict[str, object]:
    """What the form's fields (`intake/_appeal_fields.html`) need: the places of the call
    taker's district."""
    return {
        "kinds": AppealKind.choices,
        "urgencies": Urgency.choices,
        "regions": places_to_choose(district=district),
        "posted": posted or {"kind": AppealKind.COMPLAINT, "urgency": Urgency.NORMAL},
    }
