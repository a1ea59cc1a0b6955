"""Two-factor login on django-otp: a TOTP device (an authenticator app) and ten single-use
recovery codes (a static device). Required of the roles in settings.MINXIN_2FA_ROLES (and of
superusers) while MINXIN_2FA_REQUIRED is on; anyone may enrol.

Where a session stands is kept in it (`SECOND_FACTOR_KEY`): "ok" (passed or not needed),
"verify" (has a device, must give a code) or "setup" (must enrol first). It is set at login,
so an ordinary request reads it from the session and costs no query."""

from typing import Final, Literal

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minxin.core.signals import security_event

from .models import User

SECOND_FACTOR_KEY: Final = "minxin_2fa"
RECOVERY_DEVICE: Final = "恢复码"
TOTP_DEVICE: Final = "身份验证器"
RECOVERY_CODES: Final = 10

State = Literal["ok", "verify", "setup"]


def is_required(user: User) -> bool:
    if not settings.MINXIN_2FA_REQUIRED:
        return False
    return user.is_superuser or user.role in settings.MINXIN_2FA_ROLES


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_at_login(user: User) -> State:
    if has_device(user):
        return "verify"
    return "setup" if is_required(user) else "ok"


def session_state(request: HttpRequest) -> State:
    """The session's standing; a session from before this was kept is worked out once."""
    state = request.session.get(SECOND_FACTOR_KEY)
    if state not in ("ok", "verify", "setup"):
        assert isinstance(request.user, User)
        state = state_at_login(request.user)
        request.session[SECOND_FACTOR_KEY] = state
    return state


def _passed(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    request.session[SECOND_FACTOR_KEY] = "ok"


def code_check(request: HttpRequest, user: User, code: str) -> bool:
    """A code from the app, or an unused recovery code (used up by this)."""
    code = "".join(code.split())[:16]
    device = match_token(user, code) if code else None
    if device is None:
        security_event.send(sender=User, kind="otp_failed", request=request, user=user)
        return False
    _passed(request, device)
    recovery = isinstance(device, StaticDevice)
    security_event.send(
        sender=User,
        kind="otp_verified",
        request=request,
        user=user,
        summary="使用恢复码" if recovery else "",
        detail={"recovery_code": recovery},
    )
    return True


def totp_pending(user: User) -> TOTPDevice:
    """The device being enrolled (not yet confirmed by a first code): the same one until then,
    so reloading the page keeps the QR code the user has scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE, confirmed=False)
    return device


@transaction.atomic
def totp_confirm(request: HttpRequest, user: User, code: str) -> list[str] | None:
    """The first code proves the app holds the secret: the device replaces any earlier one and
    the recovery codes are (re)made. Returns them, or None for a wrong code."""
    device = totp_pending(user)
    if not device.verify_token("".join(code.split())[:16]):
        security_event.send(sender=User, kind="otp_failed", request=request, user=user)
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(user)
    _passed(request, device)
    security_event.send(sender=User, kind="otp_enrolled", request=request, user=user)
    return codes


def recovery_codes_new(request: HttpRequest, user: User) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_new(user)
    security_event.send(sender=User, kind="recovery_codes", request=request, user=user)
    return codes


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def second_factor_remove(*, user: User, actor: User, request: HttpRequest | None = None) -> None:
    """Remove the user's devices: by the user (not for a role that requires it), or by an admin
    for a lost phone (the user enrols again at the next login)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    security_event.send(
        sender=User,
        kind="otp_disabled",
        request=request,
        user=actor,
        target=f"账号 {user.username}",
        summary="" if actor == user else f"管理员重置了 {user.username} 的二次验证",
    )
