from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from minxin.core.admin import ReadOnlyAdmin

from .models import (
    NoticePreference,
    Notification,
    PhoneCode,
    SmsMessage,
    SmsPreference,
    SmsTemplate,
)
from .texts import PLACEHOLDER_LABELS, PLACEHOLDERS, template_text_problems


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient",)
    date_hierarchy = "created_at"


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "by_email", "by_sms", "updated_at")
    list_filter = ("by_email", "by_sms")
    raw_id_fields = ("user",)


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "purpose", "attempts", "expires_at", "confirmed_at")
    list_filter = ("purpose",)
    exclude = ("phone_hash", "code_hash")


class SmsTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SmsTemplate
        fields = ("text", "provider_code", "is_active")
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 80})}

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", "")).strip()
        problems = template_text_problems(self.instance.key, text)
        if problems:
            raise forms.ValidationError(problems)
        return text


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The texts are edited here; which templates exist is the code's (one per event)."""

    form = SmsTemplateForm
    list_display = ("key", "text", "provider_code", "is_active", "updated_at")
    readonly_fields = ("key", "placeholders")
    fields = ("key", "placeholders", "text", "provider_code", "is_active")

    @admin.display(description="可用占位符")
    def placeholders(self, obj: SmsTemplate) -> str:
        spec = PLACEHOLDERS.get(obj.key)
        if spec is None:
            return ""
        names = sorted(spec.allowed, key=lambda n: (n not in spec.required, n))
        return "；".join(
            f"${{{n}}} {PLACEHOLDER_LABELS.get(n, n)}{'（必填）' if n in spec.required else ''}"
            for n in names
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "template_key",
        "subject_type",
        "subject_id",
        "phone_masked",
        "status",
        "attempts",
        "provider_message_id",
        "error",
    )
    list_filter = ("status", "template_key")
    exclude = ("phone_hash",)
    date_hierarchy = "created_at"


@admin.register(SmsPreference)
class SmsPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "opted_out", "source")
    list_filter = ("opted_out", "source")
    exclude = ("phone_hash",)
