from typing import Any

import pytest
from django.utils import timezone

from minxin.cases.models import AppealKind
from minxin.core.errors import ValidationFailed
from minxin.imports.mapping import (
    RowRules,
    directory_load,
    mapping_clean,
    mapping_guess,
    received_at_parse,
    row_key,
    row_to_appeal,
)

from .files import GOOD, HEADER


def test_mapping_is_guessed_from_common_header_names():
    assert mapping_guess(HEADER) == {
        "external_id": 0,
        "title": 1,
        "content": 2,
        "received_at": 3,
        "appellant_name": 4,
        "appellant_phone": 5,
        "place_text": 6,
        "category": 7,
        "region": 8,
        "kind": 9,
    }
    other = ["Title", "内容", "受理时间 ", "来电号码", "地址", "ID", "备注"]
    assert mapping_guess(other) == {
        "title": 0,
        "content": 1,
        "received_at": 2,
        "appellant_phone": 3,
        "place_text": 4,
        "external_id": 5,
    }
    # Containment: "反映问题描述" holds 问题描述; a column serves one field only.
    assert mapping_guess(["事项标题（必填）", "反映问题描述"]) == {"title": 0, "content": 1}
    assert mapping_guess(["甲", "乙"]) == {}


def test_mapping_clean_requires_title_and_content_and_distinct_columns():
    assert mapping_clean({"title": "0", "content": "1", "kind": ""}, column_count=2) == {
        "title": 0,
        "content": 1,
    }
    with pytest.raises(ValidationFailed, match="请为“诉求内容”选择对应的列"):
        mapping_clean({"title": "0"}, column_count=2)
    with pytest.raises(ValidationFailed, match="同一列不能同时对应"):
        mapping_clean({"title": "0", "content": "0"}, column_count=2)
    with pytest.raises(ValidationFailed, match="列对应有误"):
        mapping_clean({"title": "0", "content": "7"}, column_count=2)
    for odd in ("<b>", "²", "99999999999"):  # "²".isdigit() is true; int("²") fails
        with pytest.raises(ValidationFailed, match="列对应有误"):
            mapping_clean({"title": "0", "content": odd}, column_count=2)


def test_received_at_formats():
    now = timezone.now()
    for text in (
        "2024-05-01 09:30",
        "2024/5/1 9:30:00",
        "2024年5月1日 09:30",
        "2024-05-01T09:30:00.000",
    ):
        parsed = received_at_parse(text, now=now)
        assert timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M") == "2024-05-01 09:30", text
    assert timezone.localtime(received_at_parse("20240501", now=now)).hour == 0
    with pytest.raises(ValidationFailed, match="无法识别"):
        received_at_parse("昨天下午", now=now)
    with pytest.raises(ValidationFailed, match="晚于当前时间"):
        received_at_parse("2999-01-01", now=now)
    with pytest.raises(ValidationFailed, match="早于2000年"):
        received_at_parse("1999-12-31", now=now)


def rules(**overrides: Any) -> RowRules:
    values: dict[str, Any] = {
        "mapping": mapping_guess(HEADER),
        "source_system": "市12345平台",
        "default_kind": AppealKind.COMPLAINT,
        "directory": directory_load(),
        "now": timezone.now(),
    }
    values.update(overrides)
    return RowRules(**values)


def test_a_good_row_becomes_a_clean_draft_with_directory_matches(district):
    first = row_to_appeal(GOOD[0], rules())
    assert first.draft.channel == "import"
    assert first.draft.kind == AppealKind.COMPLAINT
    assert first.draft.category_id == district.category.pk  # full path_name
    assert first.draft.region_id == district.communities[0].pk  # by name
    assert first.draft.appellant_phone == "13812345678"
    assert not first.draft.is_anonymous
    assert len(first.submission_key) == 64
    assert timezone.localtime(first.received_at).strftime("%Y-%m-%d %H:%M") == "2024-05-01 09:30"
    second = row_to_appeal(GOOD[1], rules())
    assert second.draft.category_id == district.category.pk  # unique leaf name
    assert second.draft.region_id == district.streets[1].pk
    assert second.draft.kind == AppealKind.HELP
    third = row_to_appeal(GOOD[2], rules())
    assert third.draft.is_anonymous and third.draft.category_id is None  # left for the dispatcher
    assert third.draft.kind == AppealKind.INQUIRY


def test_unknown_directory_text_is_left_empty(district):
    row = list(GOOD[0])
    row[7], row[8] = "不存在的分类", "火星社区"
    appeal = row_to_appeal(row, rules())
    assert appeal.draft.category_id is None and appeal.draft.region_id is None


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (1, "", "请填写诉求标题"),
        (2, "   ", "请填写诉求内容"),
        (1, "长" * 101, "标题不能超过100字"),
        (2, "长" * 5001, "诉求内容不能超过5000字"),
        (5, "12345", "联系电话格式不正确"),
        (3, "2024-13-45", "受理时间“2024-13-45”无法识别"),
        (9, "吐槽", "诉求类型“吐槽”无法识别"),
        (4, "名" * 51, "姓名或昵称不能超过50字"),
    ],
)
def test_bad_rows_give_the_reason(district, column, value, reason):
    row = list(GOOD[0])
    row[column] = value
    with pytest.raises(ValidationFailed, match=reason):
        row_to_appeal(row, rules())


def test_phone_forms_are_normalised(district):
    for phone in ("+86 138 1234 5678", "8613812345678", "138 1234 5678"):
        row = list(GOOD[0])
        row[5] = phone
        assert row_to_appeal(row, rules()).draft.appellant_phone == "13812345678"


def test_the_row_key_is_the_external_id_when_there_is_one_else_the_values():
    a = {"external_id": "SZ-1", "title": "甲", "content": "乙"}
    b = {"external_id": "SZ-1", "title": "丙", "content": "丁"}
    assert row_key(a, source_system="X") == row_key(b, source_system="X")
    assert row_key(a, source_system="X") != row_key(a, source_system="Y")
    c = {"title": "甲", "content": "乙"}
    assert row_key(c, source_system="X") == row_key(dict(reversed(c.items())), source_system="X")
    assert row_key(c, source_system="X") != row_key(
        {"title": "甲", "content": "乙2"}, source_system="X"
    )
    assert len(row_key(c, source_system="X")) == 64
