"""The audit log's listeners: Django's login signals, django-axes' lockout, the admin's change
log, and `core.signals.security_event` (what the layers below the audit app report). A
listener only writes its row; nothing depends on it."""

import json
from typing import Any

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from minxin.core.signals import security_event

from .models import AuditKind
from .services import audit_record

# Fields of a member of staff whose change is a change of permissions.
PERMISSION_FIELDS = frozenset(
    {"role", "unit", "is_staff", "is_superuser", "is_active", "groups", "user_permissions"}
)
PERMISSION_MODELS = frozenset({("accounts", "user"), ("auth", "group"), ("auth", "permission")})
PERMISSION_LABELS = frozenset(
    {"角色", "所属单位", "职员状态", "超级用户状态", "有效", "组", "用户权限"} | PERMISSION_FIELDS
)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    security_event.connect(_security_event, dispatch_uid="audit_security_event")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit_admin_change")


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(kind=AuditKind.LOGIN, actor=user, request=request)


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "minxin_logout_reason", "") if request is not None else ""
    audit_record(
        kind=AuditKind.LOGOUT,
        actor=user,
        request=request,
        summary=reason,
        payload={"reason": reason} if reason else {},
    )


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))
    audit_record(kind=AuditKind.LOGIN_FAILED, request=request, username=username)


def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    audit_record(
        kind=AuditKind.LOCKED_OUT,
        request=request,
        username=username or "",
        summary="登录失败次数过多，账号与地址已锁定",
        payload={"ip_address": ip_address},
    )


def _security_event(
    sender: Any,
    kind: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    target: str = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    audit_record(
        kind=kind,
        actor=user,
        request=request,
        username=username if kind == AuditKind.UNLOCK else "",
        target=target or (f"账号 {username}" if username else ""),
        summary=summary,
        payload=detail or {},
    )


def _admin_logged(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    changed = _changed_fields(instance.change_message)
    is_user = (
        instance.content_type is not None
        and (
            instance.content_type.app_label,
            instance.content_type.model,
        )
        in PERMISSION_MODELS
    )
    permission = is_user and (
        instance.action_flag in (ADDITION, DELETION) or bool(changed & PERMISSION_LABELS)
    )
    verb = {ADDITION: "新增", CHANGE: "修改", DELETION: "删除"}.get(instance.action_flag, "")
    model = instance.content_type.name if instance.content_type else ""
    audit_record(
        kind=AuditKind.PERMISSION_CHANGE if permission else AuditKind.ADMIN_CHANGE,
        actor=instance.user,
        target=f"{model} {instance.object_repr}"[:200],
        summary=f"{verb}{model}「{instance.object_repr}」"
        + (f"：{'、'.join(sorted(changed))}" if changed else ""),
        payload={
            "content_type": instance.content_type_id,
            "object_id": instance.object_id,
            "action": instance.action_flag,
            "fields": sorted(changed),
        },
    )


def _changed_fields(message: str) -> set[str]:
    """The field names of an admin change message (a JSON list of {"changed": {"fields": []}})."""
    try:
        parts = json.loads(message or "[]")
    except ValueError:
        return {"password"} if "password" in (message or "").lower() else set()
    fields: set[str] = set()
    for part in parts if isinstance(parts, list) else []:
        for value in part.values() if isinstance(part, dict) else []:
            if isinstance(value, dict):
                fields.update(str(f) for f in value.get("fields", []))
    return fields
