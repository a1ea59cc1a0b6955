"""议事厅 screens for staff: the topics (the office's all, a street's own), a new topic, and
a topic's page with its steps: schedule, decline, record the meeting (participants by group,
minutes), record decisions (an appeal, a candidate project, a note), close.

Thin: parse, one selector or service, render; a refusal re-renders the page with its Chinese
message and 4xx status."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from minxin.accounts.access import staff_user
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.core.errors import MinxinError, NotFound, PermissionDenied
from minxin.core.posted import datetime_or_none, int_or_none
from minxin.core.steps import RecordPage, posted_action, posted_version
from minxin.directory.selectors import places_to_choose
from minxin.projects.selectors import programmes_to_choose

from . import selectors
from .machine import MISSING, TOPICS
from .models import DecisionKind, Group, Topic
from .permissions import may_see_topics, sees_every_topic
from .services import (
    DecisionDraft,
    TopicDraft,
    decision_record,
    topic_close,
    topic_decline,
    topic_hold,
    topic_propose,
    topic_schedule,
)
from .workflow import TopicAction

VIEWERS = "督查员、领导和街道承办人"


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_topics, VIEWERS)
    return render(request, "deliberation/list.html", {"topics": selectors.topics_for(user)[:100]})


@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request, may_see_topics, VIEWERS)
    context: dict[str, Any] = {"regions": places_to_choose(district=user.jurisdiction_scope)}
    if request.method == "GET":
        return render(request, "deliberation/new.html", context | {"posted": {}})
    try:
        topic = topic_propose(
            actor=user,
            draft=TopicDraft(
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                region_id=int_or_none(request.POST.get("region", "")),
            ),
        )
    except MinxinError as error:
        context |= {"posted": request.POST.dict(), "error": error}
        return render(request, "deliberation/new.html", context, status=error.status_code)
    messages.success(request, "已提出议题")
    return redirect("deliberation:detail", topic.pk)


def _topic_shows(user: User, topic: Topic) -> dict[str, Any]:
    actions = TOPICS.available(
        actor=Actor.of(user), status=topic.status, lead_unit_id=topic.unit_id
    )
    return {
        "t": topic,
        "p": selectors.topic_page(topic),
        "actions": set(actions),
        "forms": TOPICS.forms(actions),
        "groups": Group.choices,
        "kinds": DecisionKind.choices,
        # The topic's district's (the viewer's own; for the city's staff, the topic's).
        "programmes": programmes_to_choose(district=topic.jurisdiction_id),
    }


TOPIC_PAGE = RecordPage(
    "deliberation/detail.html", _topic_shows, selectors.topic_get_for, "deliberation:detail"
)


@login_required
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = staff_user(request, may_see_topics, VIEWERS)
    return TOPIC_PAGE.show(request, user, topic_id)


@login_required
@require_POST
def topic_act(request: HttpRequest, topic_id: int) -> HttpResponse:
    user = staff_user(request, may_see_topics, VIEWERS)
    topic = selectors.topic_get_for(user, topic_id)
    post = request.POST
    version = posted_version(request)
    try:
        action = posted_action(request, TopicAction, excluding=(TopicAction.PROPOSE,))
        if action == TopicAction.SCHEDULE:
            topic_schedule(
                actor=user,
                topic_id=topic.pk,
                meeting_at=datetime_or_none(post.get("meeting_at", "")),
                place=post.get("place", ""),
                expected_version=version,
            )
        elif action == TopicAction.DECLINE:
            topic_decline(
                actor=user,
                topic_id=topic.pk,
                reason=post.get("reason", ""),
                expected_version=version,
            )
        elif action == TopicAction.HOLD:
            topic_hold(
                actor=user,
                topic_id=topic.pk,
                minutes=post.get("reason", ""),
                participants={g: post.get(f"group_{g}", "").splitlines() for g in Group.values},
                expected_version=version,
            )
        elif action == TopicAction.DECIDE:
            decision_record(
                actor=user,
                topic_id=topic.pk,
                draft=DecisionDraft(
                    text=post.get("reason", ""),
                    kind=post.get("kind", ""),
                    note=post.get("note", ""),
                    programme_id=int_or_none(post.get("programme", "")),
                ),
                expected_version=version,
            )
        else:
            topic_close(actor=user, topic_id=topic.pk, expected_version=version)
    except PermissionDenied:
        if not sees_every_topic(user):  # a street's handler: a topic it may not act on
            raise NotFound(MISSING) from None
        raise
    except MinxinError as error:
        return TOPIC_PAGE.refused(request, user, topic_id, error)
    messages.success(request, f"已{TOPICS.label(action)}")
    return redirect("deliberation:detail", topic.pk)
