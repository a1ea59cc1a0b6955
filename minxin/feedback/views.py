"""Staff side of feedback: recording a rating taken by phone (电话回访代为评价)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.cases import selectors as case_selectors
from minxin.cases.workflow import Satisfaction
from minxin.core.steps import posted_version_required

from .services import rating_submit


@login_required
def panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = case_selectors.appeal_get_for(user=staff_user(request), appeal_id=appeal_id)
    return render(
        request,
        "feedback/panel.html",
        {
            "appeal": appeal,
            "choices": Satisfaction.choices,
        },
    )


@login_required
@require_POST
def rate(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    version = posted_version_required(request)
    rating_submit(
        appeal_id=appeal.pk,
        actor=Actor.of(user),
        expected_version=version,
        satisfaction=request.POST.get("satisfaction", ""),
        comment=request.POST.get("comment", ""),
    )
    messages.success(request, "已记录回访评价")
    return redirect("cases:appeal_detail", appeal.pk)
