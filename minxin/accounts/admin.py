from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import lockout, twofactor
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "display_name", "role", "unit", "is_unit_head", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("unit",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("岗位", {"fields": ("display_name", "role", "unit", "is_unit_head", "phone")}),
    )
    actions = ("unlock_login", "reset_second_factor")

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
        """Locked accounts are named above the list, with the way to unlock them."""
        locked = sorted({lock.username for lock in lockout.locks_current() if lock.username})
        if locked:
            messages.warning(
                request,
                "以下账号因登录失败次数过多已锁定："
                + "、".join(locked)
                + "。勾选账号后选择“解除登录锁定”即可解锁。",
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        names = [user.username for user in queryset]
        for name in names:
            lockout.login_unlock(actor=request.user, username=name)
        self.message_user(request, f"已解除 {len(names)} 个账号的登录锁定", messages.SUCCESS)

    @admin.action(description="重置二次验证（手机丢失时）")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User)
        users = list(queryset)
        for user in users:
            twofactor.second_factor_remove(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            f"已重置 {len(users)} 个账号的二次验证，他们下次登录时重新绑定",
            messages.SUCCESS,
        )
