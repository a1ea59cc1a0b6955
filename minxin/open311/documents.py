"""The standard's objects, built from minxin's records. Never the citizen's name, phone or
e-mail; free text goes out with personal data masked."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from minxin.cases.machine import APPEALS
from minxin.cases.models import Appeal, AppealEvent, AppealKind
from minxin.cases.workflow import Action, AppealStatus
from minxin.core.privacy import mask_name, mask_phone, mask_public_text
from minxin.directory.models import Category

from .selectors import Service, open311_status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-21T00:00:00+08:00"


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def public_text(text: str, *, appeal: Appeal) -> str:
    """Mask the appellant's own name and phone wherever they appear, then the public rule
    (core.privacy: phones, ID-shaped numbers, house numbers, names before an honorific …)."""
    text = text or ""
    if appeal.appellant_phone:
        text = text.replace(appeal.appellant_phone, mask_phone(appeal.appellant_phone))
    if len(appeal.appellant_name) >= 2:
        text = text.replace(appeal.appellant_name, mask_name(appeal.appellant_name))
    return mask_public_text(text)


def discovery_document(*, base_url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "向区12345热线中心申请接口密钥（管理后台或 minxin open311_key create）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service_document(service: Service) -> dict[str, Any]:
    category = service.category
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": category.path_name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(category.path_name.split("/")),
        "group": service.group,
    }


def service_definition_document(category: Category) -> dict[str, Any]:
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "诉求类型，不填为投诉",
                "order": 1,
                "description": "诉求类型",
                "values": [{"key": k, "name": str(n)} for k, n in AppealKind.choices],
            }
        ],
    }


def status_notes(appeal: Appeal) -> str:
    status = appeal.status
    if status == AppealStatus.MERGED and appeal.merged_into is not None:
        return f"与受理编号 {appeal.merged_into.tracking_number} 的诉求为同一事项，已合并办理"
    if status == AppealStatus.INVALID:
        return "经甄别为无效诉求"
    replies = list(appeal.replies.all())  # prefetched, oldest first
    if replies and status in (
        AppealStatus.RESOLVED,
        AppealStatus.RATED,
        AppealStatus.ARCHIVED,
        AppealStatus.FOLLOW_UP,
    ):
        return public_text(replies[-1].content, appeal=appeal)
    return str(AppealStatus(status).label)


def request_document(appeal: Appeal) -> dict[str, Any]:
    category = appeal.category
    last_event_at = getattr(appeal, "last_event_at", None) or appeal.updated_at
    return {
        "service_request_id": appeal.tracking_number,
        "status": open311_status(appeal.status),
        "status_notes": status_notes(appeal),
        "service_name": category.name if category else "",
        "service_code": str(category.pk) if category else "",
        "description": public_text(appeal.content, appeal=appeal),
        "agency_responsible": appeal.lead_unit.name if appeal.lead_unit else "",
        "service_notice": "",
        "requested_datetime": w3c(appeal.received_at),
        "updated_datetime": w3c(last_event_at),
        "expected_datetime": w3c(appeal.resolve_due),
        "address": public_text(appeal.place_text, appeal=appeal),
        "address_id": appeal.region.code if appeal.region else "",
        "zipcode": "",
        "lat": float(appeal.latitude) if appeal.latitude is not None else None,
        "long": float(appeal.longitude) if appeal.longitude is not None else None,
        "media_url": "",
    }


def update_document(event: AppealEvent, replies: Mapping[int, str]) -> dict[str, Any]:
    """A mySociety request_update: what happened, with the reply or the question to the
    reporter as its text (as on the citizen's tracking page). The reply goes out when the
    centre's review releases it (APPROVE_REPLY, `replies`: reply id → text), as 办结答复."""
    appeal = event.appeal
    description = APPEALS.label(event.action)
    if event.action == Action.APPROVE_REPLY:
        reply = replies.get((event.payload or {}).get("reply_id", 0), "")
        description = APPEALS.label(Action.RESOLVE)
        if reply:
            description = f"{description}：{public_text(reply, appeal=appeal)}"
    elif event.action == Action.SUSPEND and event.reason:
        description = f"{description}：{public_text(event.reason, appeal=appeal)}"
    return {
        "update_id": str(event.pk),
        "service_request_id": appeal.tracking_number,
        "status": open311_status(event.to_status),
        "updated_datetime": w3c(event.created_at),
        "description": description,
        "media_url": "",
    }
