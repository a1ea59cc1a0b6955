"""The security audit log: who signed in or failed to, who was locked out or unlocked, what
the admins changed, who exported what. Append-only (a PostgreSQL trigger refuses UPDATE and
DELETE), kept at least MINXIN_AUDIT_RETENTION_DAYS (≥ 180) days."""

from django.db import models
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import optional_key


class AuditKind(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    LOCKED_OUT = "locked_out", "登录锁定"
    UNLOCK = "unlock", "解除锁定"
    OTP_VERIFIED = "otp_verified", "二次验证通过"
    OTP_FAILED = "otp_failed", "二次验证失败"
    OTP_ENROLLED = "otp_enrolled", "启用二次验证"
    OTP_DISABLED = "otp_disabled", "停用二次验证"
    RECOVERY_CODES = "recovery_codes", "重新生成恢复码"
    PASSWORD_CHANGE = "password_change", "修改密码"
    ADMIN_CHANGE = "admin_change", "后台修改"
    PERMISSION_CHANGE = "permission_change", "权限变更"
    EXPORT = "export", "导出"
    PHONE_REVEAL = "phone_reveal", "查看号码"
    QUERY_CODE_LOCKED = "query_code_locked", "查询码锁定"


class AuditEvent(models.Model):
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("事件", max_length=30, choices=AuditKind.choices, db_index=True)
    actor = optional_key(User, "操作人")
    username = models.CharField("账号", max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("地址", null=True, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    summary = models.CharField("说明", max_length=500, blank=True)
    payload = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
