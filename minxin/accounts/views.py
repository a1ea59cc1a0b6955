"""Staff login (the one path, the admin's included), the second factor, and 账号安全."""

from io import BytesIO
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from minxin.core.signals import security_event

from . import twofactor
from .access import staff_user
from .models import User


class LoginForm(AuthenticationForm):
    """Django's login form, refusing outright what cannot be a username or a password (its
    username length is only a widget attribute: a 100,000-character name reached the backends
    and overflowed django-axes' column, a 500 on PostgreSQL)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        longest = User._meta.get_field("username").max_length or 150
        if len(username) > longest or len(password) > 1024:
            raise self.get_invalid_login_error()
        return super().clean()


@method_decorator(ratelimit(key="ip", rate="20/m", method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"failure_limit": settings.AXES_FAILURE_LIMIT}


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a login while the account or the address is locked (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "accounts/locked.html", context, status=429)


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login page is not used: staff sign in on one page, with its rate limit,
    lockout and second factor, and come back to the admin."""
    back = _next(request, default=resolve_url("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(back)
        return render(
            request,
            "core/error.html",
            {"message": "本账号没有进入管理后台的权限"},
            status=403,
        )
    return redirect(f"{resolve_url('accounts:login')}?{urlencode({'next': back})}")


def _next(request: HttpRequest, default: str = "") -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="10/m", method="POST", block=True)
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if twofactor.session_state(request) == "ok":
        return redirect(_next(request))
    if twofactor.session_state(request) == "setup":
        return redirect("accounts:otp_setup")
    error = ""
    if request.method == "POST":
        if twofactor.code_check(request, user, request.POST.get("code", "")):
            return redirect(_next(request))
        error = "验证码不正确或已过期（连续输错后需稍等几秒），请重新输入；恢复码每个只能使用一次"
    context = {"error": error, "next": _next(request)}
    return render(request, "accounts/otp_verify.html", context, status=400 if error else 200)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate="10/m", method="POST", block=True)
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    state = twofactor.session_state(request)
    if state == "verify":
        return redirect("accounts:otp_verify")  # a device exists: its code first
    device = twofactor.totp_pending(user)
    error = ""
    if request.method == "POST":
        codes = twofactor.totp_confirm(request, user, request.POST.get("code", ""))
        if codes is not None:
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
        error = "验证码不正确，请确认手机时间准确，稍等几秒后输入身份验证器上当前的 6 位数字"
    context = {
        "secret": _grouped(device.config_url.split("secret=")[1].split("&")[0]),
        "required": twofactor.is_required(user),
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if error else 200)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the device being enrolled (an SVG, never cached)."""
    import segno  # imported on use: only enrolment draws a QR code

    user = staff_user(request)
    device = twofactor.totp_pending(user)
    out = BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "enrolled": twofactor.has_device(user),
            "required": twofactor.is_required(user),
            "codes_left": twofactor.recovery_codes_left(user),
            "idle_minutes": settings.MINXIN_SESSION_IDLE_MINUTES,
            "max_hours": settings.MINXIN_SESSION_MAX_HOURS,
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not twofactor.has_device(user):
        messages.error(request, "请先启用二次验证")
        return redirect("accounts:security")
    codes = twofactor.recovery_codes_new(request, user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": False})


@never_cache
@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if twofactor.is_required(user):
        messages.error(
            request, "您的角色必须使用二次验证，不能停用；更换手机请先在新手机上重新绑定"
        )
        return redirect("accounts:security")
    twofactor.second_factor_remove(user=user, actor=user, request=request)
    messages.success(request, "已停用二次验证")
    return redirect("accounts:security")


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password ends every other session of the account (Django's session hash); this
    one stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")
    form_class = PasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        user = form.user
        assert isinstance(user, User)
        security_event.send(sender=User, kind="password_change", request=self.request, user=user)
        messages.success(self.request, "密码已修改，其他设备上的登录已全部退出")
        return response
