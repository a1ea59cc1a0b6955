"""The demo's texts come from an Excel export: its _x000D_ escapes must not reach any page."""

import importlib

from django.apps import apps

from minxin.board.models import BoardPost
from minxin.cases.models import Appeal, Reply
from minxin.cases.workflow import AppealStatus
from minxin.demo.texts import excel_unescaped, messages_load
from tests.board.posts import post_new
from tests.builders import appeal_in, appeal_new

ESCAPED = "各位领导好_x000D_\n\u3000\u3000我是双水湾小区的_x000D_业主"


def test_excel_escapes_become_line_breaks():
    assert excel_unescaped(ESCAPED) == "各位领导好\n\u3000\u3000我是双水湾小区的\n业主"
    assert excel_unescaped("A_x0009_B\r\nC") == "A\tB\nC"
    assert excel_unescaped("x_x00ZZ_y") == "x_x00ZZ_y"  # not an escape


def test_the_demo_messages_carry_no_escapes():
    messages = messages_load()
    assert len(messages) > 1000
    for message in messages:
        for text in (message.title, message.content, message.reply):
            assert "_x000D_" not in text and "\r" not in text


def test_the_migrations_clean_what_was_seeded_before(district):
    appeal = appeal_in(district, AppealStatus.RESOLVED)
    Appeal.objects.filter(pk=appeal.pk).update(content=ESCAPED, title="路灯_x000D_坏了")
    Reply.objects.filter(appeal=appeal).update(content="已修复_x000D_\n谢谢")
    post = post_new(title="东门")
    BoardPost.objects.filter(pk=post.pk).update(public_title="东门", public_content=ESCAPED)
    clean_cases = importlib.import_module("minxin.cases.migrations.0006_excel_escapes_cleaned")
    clean_board = importlib.import_module("minxin.board.migrations.0005_excel_escapes_cleaned")

    clean_cases.forwards(apps, None)
    clean_board.forwards(apps, None)

    appeal.refresh_from_db()
    post.refresh_from_db()
    assert appeal.content == "各位领导好\n\u3000\u3000我是双水湾小区的\n业主"
    assert appeal.title == "路灯 坏了"
    assert Reply.objects.get(appeal=appeal).content == "已修复\n谢谢"
    assert "_x000D_" not in post.public_content
    untouched = appeal_new(district, content="没有转义的内容")
    clean_cases.forwards(apps, None)
    untouched.refresh_from_db()
    assert untouched.content == "没有转义的内容"
