from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import RoutingRule, RoutingRuleHistory
from .services import routing_rule_save


class RoutingRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    note = forms.CharField(
        label="修改说明", max_length=300, required=True, help_text="必填：为什么新增或修改这条规则"
    )

    class Meta:
        model = RoutingRule
        fields = ("category", "region", "unit", "is_active", "note")


class RoutingRuleHistoryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoutingRuleHistory
    extra = 0
    can_delete = False
    fields = (
        "changed_at",
        "changed_by",
        "category_name",
        "region_name",
        "unit_name",
        "is_active",
        "note",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RoutingRuleForm
    list_display = (
        "category",
        "region_or_district",
        "unit",
        "is_active",
        "updated_by",
        "updated_at",
    )
    list_filter = ("is_active", "unit__kind")
    search_fields = ("category__path_name", "unit__name", "region__name")
    autocomplete_fields = ("category", "region", "unit")
    inlines = [RoutingRuleHistoryInline]

    @admin.display(description="区域", ordering="region__name")
    def region_or_district(self, obj: RoutingRule) -> str:
        return obj.region.name if obj.region else "全区"

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        routing_rule_save(rule=obj, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a rule off instead, so its history stays meaningful
