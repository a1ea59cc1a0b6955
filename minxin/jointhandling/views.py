"""The appeal page's joint-handling fragment (its joint visits, and the form for those who
may record one) and the recording. Thin: parse, one service, render or redirect."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.models import User
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.cases.workflow import OPEN_STATUSES, Action
from minxin.core.errors import MinxinError
from minxin.core.posted import datetime_or_none, int_or_none
from minxin.directory.selectors import units_handling

from .permissions import may_record_visit
from .selectors import reply_draft, visits_of
from .services import PARTS_MAX, Part, joint_visit_record

ROWS = 4  # unit rows on the form


@login_required
def appeal_panel(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    return render(request, "jointhandling/appeal_panel.html", _panel_context(user, appeal))


def _panel_context(user: User, appeal: Appeal, posted: Any = None) -> dict[str, Any]:
    """The panel's form rows: what was posted, or the lead unit on the first row."""
    may = may_record_visit(user, appeal) and appeal.status in OPEN_STATUSES
    lead = str(appeal.lead_unit_id or "")
    rows = [
        {
            "i": i,
            "unit": posted.get(f"unit_{i}", "") if posted else (lead if i == 0 else ""),
            "people": posted.get(f"people_{i}", "") if posted else "",
            "did": posted.get(f"did_{i}", "") if posted else "",
        }
        for i in range(ROWS)
    ]
    visits = list(visits_of(appeal.pk))
    # The one reply: whoever may reply now gets each visit drafted into the reply form.
    may_reply = bool(visits) and Action.RESOLVE in case_selectors.actions_available(
        user=user, appeal=appeal
    )
    return {
        "appeal": appeal,
        "visits": [(v, reply_draft(v) if may_reply else "") for v in visits],
        "may_record": may,
        "units": units_handling() if may else [],
        "rows": rows,
        "rows_max": PARTS_MAX,
        "posted": posted or {},
    }


@login_required
@require_POST
def visit_record(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """Back to the appeal page, with the outcome or the refusal as a message (the panel is a
    fragment of that page)."""
    user = staff_user(request)
    appeal = case_selectors.appeal_get_for(user=user, appeal_id=appeal_id)
    post = request.POST
    held = datetime_or_none(post.get("held_at"))
    parts = [
        Part(
            unit_id=int_or_none(post.get(f"unit_{i}")),
            people=post.get(f"people_{i}", ""),
            did=post.get(f"did_{i}", ""),
        )
        for i in range(ROWS)
    ]
    try:
        joint_visit_record(
            actor=user,
            appeal_id=appeal.pk,
            held_at=held,
            place=post.get("place", ""),
            outcome=post.get("outcome", ""),
            parts=parts,
        )
    except MinxinError as error:
        # The form again, on a page of its own, with the message and what was typed.
        context = _panel_context(user, appeal, posted=post)
        context.update(error=error, open=True)
        return render(request, "jointhandling/record.html", context, status=error.status_code)
    messages.success(request, "已记录联合处置")
    return redirect("cases:appeal_detail", appeal.pk)
