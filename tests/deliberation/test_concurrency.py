"""One support per person, decided by the database: the same phone supporting a topic from
several requests at the same moment leaves one support; the others are refused with 409."""

import pytest

from minxin.deliberation.models import Topic, TopicSupport
from minxin.deliberation.services import topic_support
from tests.races import needs_concurrent_writers, race, refused

from .builders import hashed, topic_new

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_phones_support_sent_several_times_at_once_is_counted_once(district):
    needs_concurrent_writers()
    topic = topic_new(district)
    results = race(lambda: topic_support(topic_id=topic.pk, phone_hash=hashed(7)), n=4)
    no = refused(results)
    assert len(no) == 3 and all(r.status_code == 409 for r in no)
    assert [r for r in results if not isinstance(r, Exception)] == [1]
    assert TopicSupport.objects.filter(topic=topic).count() == 1
    assert Topic.objects.get(pk=topic.pk).version == topic.version
