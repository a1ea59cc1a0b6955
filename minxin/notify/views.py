from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.core.pagination import paginate

from . import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    page = paginate(request, selectors.notification_list_for(user=user))
    by_email, by_sms = selectors.notice_preference_for(user=user)
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "by_email": by_email,
            "by_sms": by_sms,
            "has_email": bool(user.email),
            "has_phone": bool(user.phone),
        },
    )


@login_required
@require_POST
def preference_set(request: HttpRequest) -> HttpResponse:
    """Ticked boxes: how notifications reach this member of staff beyond the inbox."""
    user = staff_user(request)
    preference = services.notice_preference_set(
        user=user,
        by_email=request.POST.get("by_email") == "1",
        by_sms=request.POST.get("by_sms") == "1",
    )
    ways = [w for w, on in (("邮件", preference.by_email), ("短信", preference.by_sms)) if on]
    messages.success(
        request, f"已保存：消息同时以{'和'.join(ways)}通知" if ways else "已保存：消息只在本页查看"
    )
    return redirect("notify:inbox")


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_read(user=staff_user(request))
    messages.success(request, f"已将 {marked} 条消息标为已读")
    return redirect("notify:inbox")
