from django.contrib import admin

from .models import DeadlinePolicy, WorkingDayOverride

_WEEKDAYS = "一二三四五六日"


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "weekday", "is_working_day", "note", "updated_at")
    list_filter = ("is_working_day",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date",)

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: WorkingDayOverride) -> str:
        return f"星期{_WEEKDAYS[obj.date.weekday()]}"


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "scope",
        "urgency",
        "first_contact_hours",
        "resolve_days",
        "transfer_restarts_clock",
        "refused_return_restarts_clock",
        "note",
    )
    list_filter = (
        "urgency",
        ("category", admin.EmptyFieldListFilter),
        "transfer_restarts_clock",
        "refused_return_restarts_clock",
    )
    search_fields = ("category__path_name", "note")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)

    @admin.display(description="适用范围", ordering="category__path_name")
    def scope(self, obj: DeadlinePolicy) -> str:
        return obj.category.path_name if obj.category else "全区默认"
