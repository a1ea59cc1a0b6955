from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest

from minxin.accounts.models import User
from minxin.core.errors import MinxinError
from minxin.directory.selectors import serving, the_only_district

from .models import CITY_NAME, RoutingRule, RoutingRuleHistory
from .services import routing_rule_place, routing_rule_save


class RoutingRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    note = forms.CharField(
        label="修改说明", max_length=300, required=True, help_text="必填：为什么新增或修改这条规则"
    )
    actor: User | None = None  # the admin's, set per request (`RoutingRuleAdmin.get_form`)

    class Meta:
        model = RoutingRule
        fields = ("jurisdiction", "category", "region", "unit", "is_active", "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.actor.jurisdiction_scope if self.actor else None
        if scope is not None and self.instance.pk is None:
            # A district's admin adds their district's rules (before the constraints are checked).
            self.instance.jurisdiction_id = scope

    def validate_unique(self) -> None:
        """Then the service's refusals (the district, its region and unit) and the rules'
        constraints with the district decided (a district's admin does not choose it, so the
        form alone would not check it), beside the fields rather than as an error page."""
        super().validate_unique()
        if self.errors:
            return
        try:
            routing_rule_place(rule=self.instance, actor=self.actor)
            self.instance.validate_constraints()
        except MinxinError as error:
            self.add_error(None, error.message)
        except ValidationError as error:
            self.add_error(None, error)


class RoutingRuleHistoryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoutingRuleHistory
    extra = 0
    can_delete = False
    fields = (
        "changed_at",
        "changed_by",
        "jurisdiction_name",
        "category_name",
        "region_name",
        "unit_name",
        "is_active",
        "note",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _scope(request: HttpRequest) -> int | None:
    user = request.user
    return user.jurisdiction_scope if isinstance(user, User) else None


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A district's admins see their district's rules and the city's, and change only their
    own (the district is theirs, not chosen); the city's admins see and change all."""

    form = RoutingRuleForm
    list_display = (
        "category",
        "region_or_district",
        "unit",
        "district_or_city",
        "is_active",
        "updated_by",
        "updated_at",
    )
    list_filter = ("is_active", "unit__kind", "jurisdiction")
    search_fields = ("category__path_name", "unit__name", "region__name")
    autocomplete_fields = ("category", "region", "unit")
    list_select_related = ("category", "region", "unit", "jurisdiction", "updated_by")
    inlines = [RoutingRuleHistoryInline]

    @admin.display(description="区域", ordering="region__name")
    def region_or_district(self, obj: RoutingRule) -> str:
        return obj.region.name if obj.region else "全区"

    @admin.display(description="辖区", ordering="jurisdiction__name")
    def district_or_city(self, obj: RoutingRule) -> str:
        return obj.jurisdiction_name

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoutingRule]:
        return super().get_queryset(request).filter(serving(_scope(request)))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return self.list_filter if _scope(request) is None else ("is_active", "unit__kind")

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        # Chosen by the city's admins only, and only among several districts.
        mine = _scope(request) is not None or the_only_district() is not None
        return ("jurisdiction",) if mine else None

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user if isinstance(request.user, User) else None  # type: ignore[attr-defined]
        return form

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "jurisdiction":
            kwargs["empty_label"] = f"{CITY_NAME}（适用于所有辖区）"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if obj is not None and scope is not None and obj.jurisdiction_id != scope:
            return False  # the city's rule: read only
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        routing_rule_save(rule=obj, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a rule off instead, so its history stays meaningful
