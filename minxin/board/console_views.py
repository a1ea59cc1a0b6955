"""The moderation screens (留言审核) for staff: the queue and one post's decision page.

Moderators are the dispatcher, the supervisor and the admin (`permissions.may_moderate`);
for anyone else the pages are 404, like missing ones."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from minxin.accounts.access import staff_user
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, NotFound
from minxin.core.pagination import paginate
from minxin.core.privacy import mask_public_text
from minxin.core.steps import posted_version

from .machine import MODERATION
from .permissions import may_moderate
from .selectors import moderation_queue, post_get_for_moderation, public_status
from .services import post_moderate
from .workflow import ModerationAction, ModerationStatus

PAGE_NAME = "派单员、督查员和管理员"
PERSONAL_LABELS = {
    "phone": "电话",
    "id_card": "身份证号",
    "plate": "车牌",
    "email": "邮箱",
    "name": "姓名",
}


def _moderator(request: HttpRequest) -> User:
    user = staff_user(request)
    if not may_moderate(user):
        raise NotFound(f"本页面仅供{PAGE_NAME}使用")
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _moderator(request)
    status = request.GET.get("status", ModerationStatus.PENDING)
    if status not in ModerationStatus.values:
        status = ModerationStatus.PENDING
    page = paginate(request, moderation_queue(user=user, status=status))
    return render(
        request,
        "board/console/queue.html",
        {
            "page": page,
            "query": f"status={status}",
            "status": status,
            "statuses": ModerationStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _moderator(request)
    if request.method == "POST":
        try:
            post = post_moderate(
                actor=user,
                post_id=post_id,
                action=request.POST.get("action", ""),
                # A missing or garbled version can match nothing: the moderator must reload.
                expected_version=posted_version(request) or 0,
                title=request.POST.get("title", ""),
                content=request.POST.get("content", ""),
                reason=request.POST.get("reason", ""),
            )
        except MinxinError as exc:
            return _detail_page(
                request, user=user, post_id=post_id, error=exc.message, status=exc.status_code
            )
        messages.success(
            request, f"{_done(MODERATION.status_label(post.status))}：{post.appeal.title}"
        )
        return redirect("board:moderation_queue")
    return _detail_page(request, user=user, post_id=post_id)


def _done(status_label: str) -> str:
    """The flash after a decision: 已公开 (the label says it already), 已设为不公开."""
    return status_label if status_label.startswith("已") else f"已设为{status_label}"


def _detail_page(
    request: HttpRequest, *, user: User, post_id: int, error: str = "", status: int = 200
) -> HttpResponse:
    view = post_get_for_moderation(user=user, post_id=post_id)  # or 404
    post, appeal = view.post, view.post.appeal
    has_copy = bool(post.public_title)
    # The edit form starts from the current public copy, else from the citizen's own text
    # with personal data already masked (the moderator can still see the original beside it).
    draft_title = post.public_title if has_copy else mask_public_text(appeal.title)
    draft_content = post.public_content if has_copy else mask_public_text(appeal.content)
    if error and request.method == "POST":
        draft_title = request.POST.get("title", draft_title)
        draft_content = request.POST.get("content", draft_content)
    return render(
        request,
        "board/console/detail.html",
        {
            "view": view,
            "post": post,
            "appeal": appeal,
            "public_status": public_status(appeal.status),
            "personal_kinds": sorted({PERSONAL_LABELS.get(s.kind, s.kind) for s in view.personal}),
            "draft_title": draft_title,
            "draft_content": draft_content,
            "reason": request.POST.get("reason", "") if error else "",
            "actions": {action.name: action.value for action in ModerationAction},
            "error": error,
        },
        status=status,
    )
