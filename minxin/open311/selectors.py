"""Reads of the Open311 server: the service catalogue, published appeals and their updates."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet

from minxin.cases.models import Appeal, AppealEvent, Channel, Reply
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus
from minxin.core.errors import NotFound
from minxin.directory.models import Category, Jurisdiction, jurisdiction_default
from minxin.directory.selectors import jurisdiction_by_code, jurisdiction_for_host

from .models import Open311Request

S = AppealStatus
# Open311 knows two statuses. "closed" = the loop is over for the reporter: answered (resolved,
# rated, archived), or left it (invalid, merged into another appeal). A dissatisfied rating
# (follow_up) is open again: it may be reopened. Everything before the reply is open.
CLOSED_STATUSES: Final = frozenset({S.RESOLVED, S.RATED, S.ARCHIVED, S.INVALID, S.MERGED})
OPEN_STATUSES: Final = frozenset(set(S) - CLOSED_STATUSES)
PUBLIC_ACTIONS: Final = frozenset(a.value for a, t in TRANSITIONS.items() if t.public)
MAX_PAGE_SIZE: Final = 1000
# Checked before any query: odd characters (a NUL above all) must never reach the database.
TRACKING_NUMBER: Final = re.compile(r"[0-9]{1,20}")
_CODE: Final = re.compile(r"[0-9]{1,12}")
_TOKEN: Final = re.compile(r"[0-9a-f]{1,40}")


def open311_status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def jurisdiction_id() -> str:
    """The jurisdiction_id of the install's first district (its only one on a district's own
    install): what a client sends when it names none."""
    return Jurisdiction.objects.values_list("code", flat=True).get(pk=jurisdiction_default())


# A district's code: word characters, dots and dashes (a domain, "A市A3区"), checked before any
# query like every other identifier.
_JURISDICTION: Final = re.compile(r"[\w.\-]{1,60}")


def jurisdiction_resolve(value: str, *, host: str) -> int:
    """The district a request is for: the one its jurisdiction_id names, else the one whose
    host it came to (the install's first when none claims the host). An unknown id is 404."""
    value = value.strip()
    if not value:
        return jurisdiction_for_host(host)
    found = jurisdiction_by_code(value) if _JURISDICTION.fullmatch(value) else None
    if found is None:
        raise NotFound("jurisdiction_id 不存在")
    return found


def published_channels() -> list[str]:
    """Only appeals that came in through Open311 are published by default: a hotline caller
    or a board writer never agreed to an open list (MINXIN["OPEN311_PUBLISHED_CHANNELS"])."""
    return list(settings.MINXIN.get("OPEN311_PUBLISHED_CHANNELS") or [Channel.API])


# --- services = the category catalogue ---------------------------------------------------


@dataclass(frozen=True)
class Service:
    category: Category
    group: str  # the top-level category's name


def services_list() -> list[Service]:
    """Active categories with no active sub-category: what a report can be filed under."""
    names = dict(Category.objects.values_list("pk", "name"))
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    leaves = Category.objects.filter(is_active=True).exclude(children__is_active=True)
    services = []
    for category in leaves.order_by("path_name"):
        top = category.pk
        while parents.get(top) is not None:
            top = parents[top]
        services.append(Service(category=category, group=names[top]))
    return services


def service_get(*, code: str) -> Category:
    code = (code or "").strip()
    if not _CODE.fullmatch(code):
        raise NotFound("service_code 不存在")
    category = (
        Category.objects.filter(pk=int(code), is_active=True)
        .exclude(children__is_active=True)
        .first()
    )
    if category is None:
        raise NotFound("service_code 不存在")
    return category


# --- service requests --------------------------------------------------------------------


def published_appeals(*, district: int) -> QuerySet[Appeal]:
    """The district's appeals that Open311 publishes."""
    return (
        Appeal.objects.filter(jurisdiction_id=district, channel__in=published_channels())
        .select_related("category", "lead_unit", "region", "merged_into")
        .annotate(last_event_at=Max("events__created_at"))
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.filter(released_at__isnull=False).order_by(
                    "created_at", "id"
                ),
            )
        )
    )


@dataclass
class RequestFilters:
    district: int
    ids: Sequence[str] = ()
    service_codes: Sequence[int] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()  # "open" / "closed"
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def service_request_list(*, filters: RequestFilters) -> list[Appeal]:
    """Newest first. Ids override every other filter, as the standard says."""
    appeals = published_appeals(district=filters.district)
    if filters.ids:
        appeals = appeals.filter(tracking_number__in=list(filters.ids))
    else:
        if filters.service_codes:
            appeals = appeals.filter(category_id__in=list(filters.service_codes))
        if filters.start is not None:
            appeals = appeals.filter(received_at__gte=filters.start)
        if filters.end is not None:
            appeals = appeals.filter(received_at__lte=filters.end)
        wanted: set[str] = set()
        for status in filters.statuses:
            wanted |= CLOSED_STATUSES if status == "closed" else OPEN_STATUSES
        if filters.statuses:
            appeals = appeals.filter(status__in=sorted(wanted))
    offset = (filters.page - 1) * filters.page_size
    return list(appeals.order_by("-received_at", "-id")[offset : offset + filters.page_size])


def service_request_get(*, district: int, service_request_id: str) -> Appeal:
    value = (service_request_id or "").strip()
    appeal = (
        published_appeals(district=district).filter(tracking_number=value).first()
        if TRACKING_NUMBER.fullmatch(value)
        else None
    )
    if appeal is None:
        raise NotFound("service_request_id 不存在")
    return appeal


def service_request_for_token(*, token: str) -> Open311Request:
    token = (token or "").strip()
    record = (
        Open311Request.objects.select_related("appeal").filter(token=token).first()
        if _TOKEN.fullmatch(token)
        else None
    )
    if record is None:
        raise NotFound("token 不存在")
    return record


def request_updates(
    *,
    district: int,
    start: datetime,
    end: datetime,
    page: int = 1,
    page_size: int = MAX_PAGE_SIZE,
) -> list[AppealEvent]:
    """Public events of the district's published appeals, oldest first (a client follows them
    in order)."""
    events = (
        AppealEvent.objects.filter(
            appeal__jurisdiction_id=district,
            appeal__channel__in=published_channels(),
            action__in=sorted(PUBLIC_ACTIONS),
            created_at__gte=start,
            created_at__lte=end,
        )
        .select_related("appeal")
        .order_by("created_at", "id")
    )
    offset = (page - 1) * page_size
    return list(events[offset : offset + page_size])


def released_replies(events: Sequence[AppealEvent]) -> dict[int, str]:
    """The replies these events released (reply id → text), in one query."""
    ids = [e.payload.get("reply_id") for e in events if e.action == Action.APPROVE_REPLY]
    wanted = [i for i in ids if isinstance(i, int)]
    return dict(Reply.objects.filter(pk__in=wanted).values_list("pk", "content"))
