from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import key, one_to_one

from .texts import SmsTemplateKey


class Notification(models.Model):
    """One in-app message to one member of staff. Carries no personal data: tracking numbers and
    titles only, never a citizen's name or phone. `link` is a path inside the site."""

    recipient = key(User, "接收人", related_name="notifications")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(link="") | (Q(link__startswith="/") & ~Q(link__startswith="//")),
                name="notification_link_relative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.title}"


class NoticePreference(models.Model):
    """How a member of staff is told beyond the inbox (消息), which always has every
    notification: by email, by SMS, both or neither. No row: both (where the account has an
    address or a phone)."""

    user = one_to_one(User, "工作人员", related_name="notice_preference")
    by_email = models.BooleanField("邮件通知", default=True)
    by_sms = models.BooleanField("短信通知", default=True)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "通知方式"
        verbose_name_plural = "通知方式"

    def __str__(self) -> str:
        on = {True: "开", False: "关"}
        return f"{self.user_id} 邮件{on[self.by_email]} 短信{on[self.by_sms]}"


class PhoneCode(models.Model):
    """A one-time code sent by SMS to confirm that a person holds a phone (a resident's rating
    of a project, later the residents' and deputies' votes). Neither the number nor the code is
    stored: the phone as a keyed hash (`notify.phone.phone_hash`), the code as a keyed hash of
    itself bound to that phone and purpose. Wrong tries are counted; the fifth locks the code."""

    phone_hash = models.CharField("手机号摘要", max_length=64)
    purpose = models.CharField("用途", max_length=40)
    code_hash = models.CharField("验证码摘要", max_length=64)
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    confirmed_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(fields=["phone_hash", "purpose", "created_at"], name="phone_code_latest"),
            models.Index(fields=["created_at"], name="phone_code_time"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SmsTemplate(models.Model):
    """A citizen SMS's text, edited in the admin (placeholders checked on save,
    `texts.template_text_problems`). `provider_code` is the provider's approved template the
    same text is registered under (Alibaba Cloud's TemplateCode, SMS_…)."""

    key = models.CharField("模板", max_length=40, unique=True, choices=SmsTemplateKey.choices)
    text = models.TextField("短信内容")
    provider_code = models.CharField(
        "服务商模板编号",
        max_length=40,
        blank=True,
        help_text="在短信服务商处审核通过的模板编号（如阿里云的 SMS_123456789）",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "短信模板"
        verbose_name_plural = "短信模板"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"


class SmsMessage(models.Model):
    """One SMS to a citizen, recorded when its event commits and sent by the worker: never the
    number (a keyed hash and a masked form) nor the text (it is made from the template and the
    record at sending time, the query code included)."""

    template_key = models.CharField("模板", max_length=40, choices=SmsTemplateKey.choices)
    subject_type = models.CharField("对象", max_length=20)  # "appeal"
    subject_id = models.BigIntegerField("对象编号")
    phone_hash = models.CharField("手机号摘要", max_length=64)
    phone_masked = models.CharField("手机号", max_length=20)
    status = models.CharField(
        "状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    provider = models.CharField("发送通道", max_length=40, blank=True)
    provider_message_id = models.CharField("服务商回执编号", max_length=80, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "短信记录"
        verbose_name_plural = "短信记录"
        indexes = [
            models.Index(fields=["status", "created_at"], name="sms_status_time"),
            models.Index(fields=["subject_type", "subject_id"], name="sms_subject"),
            models.Index(fields=["phone_hash", "created_at"], name="sms_phone_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_template_key_display()} {self.phone_masked}"


class SmsPreference(models.Model):
    """A phone's choice about notification SMS, append-only: the latest row wins (none: it
    receives them). One-time codes the person asks for are not notifications."""

    phone_hash = models.CharField("手机号摘要", max_length=64)
    opted_out = models.BooleanField("退订")
    source = models.CharField("来源", max_length=40)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "短信退订记录"
        verbose_name_plural = "短信退订记录"
        indexes = [models.Index(fields=["phone_hash", "created_at"], name="sms_pref_latest")]

    def __str__(self) -> str:
        return f"{'退订' if self.opted_out else '恢复'} {self.created_at:%Y-%m-%d %H:%M}"
