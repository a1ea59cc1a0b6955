from typing import ClassVar

import pytest
from django.core.cache import cache

from minxin.accounts.actor import Actor
from minxin.notify.sms import Sms, SmsBackend
from minxin.suggestions import services
from minxin.suggestions.models import Suggestion


class CollectingSms(SmsBackend):
    """An SMS backend that keeps what it was asked to send."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def deliver(self, sms: Sms) -> str:
        self.sent.append((sms.phone, sms.text))
        return ""


@pytest.fixture(autouse=True)
def _suggestion_settings(settings):
    # Rate limits count across tests in the locmem cache; only the test about them enables them.
    settings.RATELIMIT_ENABLE = False
    settings.MINXIN_SMS_BACKEND = "tests.suggestions.conftest.CollectingSms"
    CollectingSms.sent.clear()
    cache.clear()
    yield
    CollectingSms.sent.clear()


@pytest.fixture
def sms() -> list[tuple[str, str]]:
    return CollectingSms.sent


def suggestion_new(**overrides: str) -> Suggestion:
    values = {
        "field": "transport",
        "title": "在桂花坪小学门口增设护学岗",
        "content": "上下学高峰时段校门口车辆拥堵，学生过马路危险，建议增设护学岗和临时停车区。",
        "proposer_name": "王小明",
        "proposer_phone": "13912345678",
    }
    values.update(overrides)
    return services.suggestion_submit(
        actor=Actor.citizen(), draft=services.SuggestionDraft(**values)
    ).suggestion


def under_review(district, **overrides: str) -> Suggestion:
    s = suggestion_new(**overrides)
    return services.suggestion_review_start(
        suggestion_id=s.pk, actor=Actor.of(district.user("supervisor")), expected_version=s.version
    )
