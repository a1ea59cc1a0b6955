from typing import Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from minxin.core.admin import ReadOnlyAdmin

from .models import AuditEvent, AuditKind
from .receivers import PERMISSION_MODELS
from .services import audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "username", "actor", "ip_address", "summary")
    list_filter = ("kind",)
    search_fields = ("username", "summary", "target")
    date_hierarchy = "created_at"


@admin.action(permissions=["delete"], description=delete_selected.short_description)  # type: ignore[attr-defined]
def audited_delete_selected(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Any],
) -> HttpResponse | None:
    """Django's 删除所选 action, with an audit row per deleted object: the admin logs a
    deletion of several objects with one bulk insert, which no post_save listener sees (a
    single one goes through the listener of `receivers`)."""
    confirmed = bool(request.POST.get("post"))
    targets = [(obj.pk, str(obj)) for obj in queryset] if confirmed else []
    response = delete_selected(modeladmin, request, queryset)
    if confirmed and response is None and len(targets) > 1:
        meta = queryset.model._meta
        permission = (meta.app_label, meta.model_name) in PERMISSION_MODELS
        for pk, label in targets:
            audit_record(
                kind=AuditKind.PERMISSION_CHANGE if permission else AuditKind.ADMIN_CHANGE,
                actor=request.user,
                request=request,
                target=f"{meta.verbose_name} {label}"[:200],
                summary=f"删除{meta.verbose_name}「{label}」",
                payload={"model": meta.label_lower, "object_id": str(pk), "action": 3},
            )
    return response


admin.site.add_action(audited_delete_selected, "delete_selected")
