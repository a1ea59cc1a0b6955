"""Entered text, checked in one place: control characters never reach the database (PostgreSQL
refuses NUL), and every field's message names it."""

import pytest

from minxin.accounts.actor import Actor
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.services import AppealDraft, appeal_create
from minxin.core.errors import ValidationFailed
from minxin.core.text import control_free, line_clean, text_clean


def test_control_characters_go_and_tabs_and_newlines_stay():
    assert control_free("a\x00b\x07c\x1bd\x7fe") == "abcde"
    assert control_free("一\t二\n三\r四") == "一\t二\n三\r四"
    assert control_free(None) == ""


def test_a_line_is_folded_and_a_text_only_stripped():
    assert line_clean("  路灯\n 不亮 ", label="标题", max_length=10) == "路灯 不亮"
    assert text_clean("  第一行\n第二行  ", label="内容", max_length=10) == "第一行\n第二行"


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "请填写诉求标题"), ("\x00\x01  ", "请填写诉求标题"), ("长" * 101, "标题不能超过100字")],
)
def test_the_messages_name_the_field(value, message):
    with pytest.raises(ValidationFailed, match=message):
        line_clean(value, label="诉求标题", short="标题", max_length=100)


def test_a_nul_in_an_appeal_is_dropped_before_the_database(district):
    created = appeal_create(
        actor=Actor.citizen(),
        draft=AppealDraft(
            channel=Channel.WEB,
            kind=AppealKind.COMPLAINT,
            title="路灯\x00不亮",
            content="东门\x00路灯坏了\x1b一个月",
            appellant_name="王\x00先生",
            appellant_phone="13812345678",
        ),
    )
    appeal = Appeal.objects.get(pk=created.appeal.pk)
    assert (appeal.title, appeal.content, appeal.appellant_name) == (
        "路灯不亮",
        "东门路灯坏了一个月",
        "王先生",
    )
