"""The demo's other doors in: posts, suggestions and visits made through their services."""

import pytest

from minxin.board.models import AppealSupport, BoardPost
from minxin.board.workflow import ModerationStatus
from minxin.cases.models import Appeal, Channel, Reply
from minxin.demo.seed import seed_demo
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import AdoptionLevel, SuggestionStatus
from minxin.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_has_moderated_answered_posts_suggestions_at_every_outcome_and_visits():
    report = seed_demo(appeals=40, seed=3)
    assert (report.posts, report.suggestions, report.visits) == (18, 8, 3)
    states = {s: BoardPost.objects.filter(status=s).count() for s in ModerationStatus.values}
    assert states == {"pending": 3, "published": 14, "private": 1}
    answered = BoardPost.objects.filter(appeal__in=Reply.objects.values("appeal"))
    assert answered.count() == 8
    assert AppealSupport.objects.exists()
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(SuggestionStatus.values)
    adopted = Suggestion.objects.exclude(adoption_level="")
    levels = set(adopted.values_list("adoption_level", flat=True))
    assert levels == set(AdoptionLevel.values)
    assert Visit.objects.count() == 3
    assert Appeal.objects.filter(channel=Channel.VISIT, visit_matter__isnull=False).count() == 5
    # Seeding again adds no second set.
    assert seed_demo(appeals=0).posts == 0
    assert BoardPost.objects.count() == 18
