from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.models import User
from minxin.core.pagination import paginate

from . import selectors, services


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = paginate(request, selectors.notification_list_for(user=user))
    return render(request, "notify/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_read(user=_user(request))
    messages.success(request, f"已将 {marked} 条消息标为已读")
    return redirect("notify:inbox")
