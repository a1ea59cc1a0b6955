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
    return render(request, "notify/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_read(user=staff_user(request))
    messages.success(request, f"已将 {marked} 条消息标为已读")
    return redirect("notify:inbox")
