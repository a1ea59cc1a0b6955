"""The moderation history is immutable; nicknames that are names are masked in public."""

import pytest
from django.db import DatabaseError, connection, transaction

from minxin.board.models import ModerationEntry
from minxin.board.templatetags.board import public_nickname, public_text
from minxin.citizen.templatetags.citizen import pct

from .posts import post_published


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_history_rows_cannot_be_changed_or_deleted(district):
    post_published(district)
    entry = ModerationEntry.objects.get()
    for write in (
        lambda: ModerationEntry.objects.filter(pk=entry.pk).update(reason="改写"),
        lambda: ModerationEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            write()
    assert ModerationEntry.objects.get().reason == ""


def test_nickname_that_is_a_name_is_masked():
    assert public_nickname("王小明") == "王**"
    assert public_nickname("怡居居民") == "怡居居民"
    assert public_nickname("网友13912345678") == "网友139******78"


def test_filters():
    assert public_text("身份证11010519491231002X") == "身份证110*************2X"
    assert pct(None) == "—" and pct(0.8571) == "85.7%" and pct(0) == "0.0%"
