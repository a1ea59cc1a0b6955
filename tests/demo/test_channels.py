"""The demo's other doors in: posts, suggestions and visits made through their services."""

import pytest

from minxin.board.models import AppealSupport, BoardPost
from minxin.board.workflow import ModerationStatus
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Channel,
    Reply,
    SubAssignment,
    Supplement,
    Transfer,
    TransferStatus,
)
from minxin.cases.workflow import Action, AppealStatus
from minxin.demo.seed import seed_demo
from minxin.notify.models import SmsMessage
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
    # 补充: one appeal waits on its citizen, one was supplemented with a photo and resumed.
    supplement = Supplement.objects.get()
    assert supplement.photos.count() == 1
    assert supplement.appeal.status == AppealStatus.IN_PROGRESS
    waiting = Appeal.objects.get(title="小区门口共享单车堆放堵路")
    assert waiting.status == AppealStatus.SUSPENDED
    # 二级派单: the main street passed two appeals down to 景蓉社区; one is reported back.
    subs = {s.status: s for s in SubAssignment.objects.select_related("unit", "appeal")}
    assert set(subs) == {"pending", "reported"}
    for sub in subs.values():
        assert sub.unit.name == "景蓉社区居民委员会"
        assert sub.appeal.lead_unit == sub.unit.parent  # the street stays the lead
        assert sub.due_at <= sub.appeal.resolve_due
    assert subs["reported"].report
    # The appeals made through the services have their citizen SMS recorded.
    assert SmsMessage.objects.filter(subject_id=waiting.pk, template_key="appeal_received").exists()
    # Between units: a transfer request waits for the dispatcher, a refused return is back
    # with the street that returned it.
    transfer = Transfer.objects.get()
    assert transfer.status == TransferStatus.PENDING and transfer.suggested_unit is not None
    assert transfer.appeal.status == AppealStatus.IN_PROGRESS
    refused = AppealEvent.objects.get(action=Action.REFUSE_RETURN).appeal
    assert refused.status == AppealStatus.DISPATCHED
    assert refused.lead_unit_id == transfer.unit_id
    # Seeding again adds no second set.
    assert seed_demo(appeals=0).posts == 0
    assert BoardPost.objects.count() == 18
