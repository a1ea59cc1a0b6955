"""Normalisation, personal data, urgency, validity and places — including hostile text."""

import pytest

from minxin.core.privacy import find_personal_data, id_card_is_valid, mask_personal_data
from minxin.triage.nlp import (
    RegionNode,
    RegionTree,
    extract_places,
    normalize_text,
    suggest_urgency,
    suggest_validity,
)

HOSTILE = [
    "",
    "😀" * 50,
    "<script>alert(1)</script><p>小区&nbsp;停水&lt;三天&gt;</p>",
    "這個社區的停車場問題，請領導關注！停电了" * 500,  # long, traditional + simplified
    "\x00\x01\u200b\ufeff　　ＡＢＣ１２３",
    "A" * 20000,
]


def test_normalize_strips_html_fullwidth_and_traditional():
    assert normalize_text("<b>Ｈｅｌｌｏ</b>　這個&nbsp;社區&amp;電梯") == "Hello 这个 社区&电梯"
    assert normalize_text(None) == ""
    assert normalize_text("<script>x()</script>停水") == "停水"


@pytest.mark.parametrize("text", HOSTILE)
def test_every_suggester_survives_hostile_text(text):
    clean = normalize_text(text)
    suggest_urgency(clean)
    suggest_validity(clean, clean)
    extract_places(clean)
    spans = find_personal_data(clean)
    assert len(mask_personal_data(clean, spans)) == len(clean)


def test_traditional_text_gets_the_same_urgency():
    assert suggest_urgency(normalize_text("社區停電三天")).level == "urgent"


def test_personal_data_spans_and_masking():
    text = (
        "我叫张三，电话138-1234-5678，身份证11010519491231002X，车牌湘A12345，王女士 0731-88888888"
    )
    kinds = [(s.kind, s.text) for s in find_personal_data(text)]
    assert ("name", "张三") in kinds
    assert ("phone", "138-1234-5678") in kinds
    assert ("id_card", "11010519491231002X") in kinds
    assert ("plate", "湘A12345") in kinds
    assert ("phone", "0731-88888888") in kinds
    assert ("name", "王") in kinds
    masked = mask_personal_data(text)
    assert "13812345678" not in masked.replace("-", "") and "张三" not in masked


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("请联系王建国", ["王建国"]),
        ("有事请联系王建国，电话13812345678", ["王建国"]),
        ("找李明。", ["李明"]),
        ("联系方式：13812345678", []),
        ("请联系物业", []),
        ("联系社区工作人员处理", []),
        ("联系张经理处理", []),
        ("联系了他们", []),
    ],
)
def test_a_name_after_contact_words_only_when_it_ends_there(text, names):
    assert [s.text for s in find_personal_data(text) if s.kind == "name"] == names


def test_id_card_checksum():
    assert id_card_is_valid("11010519491231002X")
    assert not id_card_is_valid("110105194912310021")  # wrong check digit
    assert not id_card_is_valid("110105194913310028")  # no 13th month
    assert [s.kind for s in find_personal_data("订单号110105194912310021")] == []


@pytest.mark.parametrize(
    ("text", "level", "reason"),
    [
        ("楼道里闻到很大的煤气味", "critical", "燃气泄漏"),
        ("小区停水三天了，没水喝", "urgent", "停水"),
        ("整栋楼停电", "urgent", "停电"),
        ("暖气不热，室温只有12度", "urgent", "停暖"),
        ("家里有独居老人无人照顾", "urgent", "涉及老人"),
        ("楼顶广告牌松动，随时可能砸到行人，存在安全隐患", "urgent", "安全隐患"),
        ("楼上住着一位八十岁老人，楼道灯坏了", "urgent", "涉及老人"),
        ("我母亲九十多岁，电梯停了下不了楼", "urgent", "涉及老人"),
        ("家中75岁的老人腿脚不便", "urgent", "涉及老人"),
        ("建议增加公交线路", "normal", None),
        ("八十年代的老小区", "normal", None),
    ],
)
def test_urgency_rules_with_reason(text, level, reason):
    s = suggest_urgency(text)
    assert s.level == level
    if reason:
        assert reason in s.reasons and reason in s.reason
    else:
        assert s.reasons == ()


@pytest.mark.parametrize(
    ("title", "content", "reason"),
    [
        ("", "", "内容为空"),
        ("测试", "test", "无实际内容"),
        ("啊啊啊啊啊啊啊啊啊啊", "啊啊啊啊啊", None),
        ("asdfghjkl", "qwertyuiop zxcv", "无意义"),
        ("加微信 abc12345 低息贷款", "快速放款，日结工资", "广告"),
        ("傻逼", "去死吧", "辱骂"),
    ],
)
def test_invalid_text_is_suggested_invalid_with_reason(title, content, reason):
    s = suggest_validity(normalize_text(title), normalize_text(content))
    assert not s.valid
    assert s.reasons
    if reason:
        assert reason in s.reason


def test_real_complaint_with_a_curse_stays_valid_with_a_warning():
    s = suggest_validity(
        "小区物业乱收费", "物业公司每个月多收我们一百元，傻逼物业，请相关部门查处此事。"
    )
    assert s.valid and s.warnings


def test_real_messages_are_valid(small_model):
    from tests.triage.conftest import read_rows

    rows = read_rows("labelled_sample.csv")
    invalid = [
        r["id"]
        for r in rows
        if not suggest_validity(normalize_text(r["title"]), normalize_text(r["content"])).valid
    ]
    assert len(invalid) <= 2


TREE = RegionTree(
    [
        RegionNode("A", "A市", "city"),
        RegionNode("A3", "A3区", "district", "A"),
        RegionNode("A3-01", "桂花坪街道", "subdistrict", "A3"),
        RegionNode("A3-01-01", "景蓉社区", "community", "A3-01"),
        RegionNode("YL", "岳麓区", "district", "A", ("岳麓",)),
        RegionNode("YL-01", "银盆岭街道", "subdistrict", "YL"),
    ]
)


def test_places_against_the_tree_pseudonymised_and_real():
    places = extract_places("反映A3区桂花坪街道景蓉社区景蓉花苑物业问题", TREE)
    assert places[0].region_code == "A3-01-01"
    assert places[0].region_path == ("A市", "A3区", "桂花坪街道", "景蓉社区")
    assert ("景蓉花苑", "estate") in [(p.text, p.kind) for p in places]
    real = extract_places("岳麓银盆岭街道枫林三路的路灯不亮", TREE)
    assert real[0].region_code == "YL-01"
    assert ("枫林三路", "road") in [(p.text, p.kind) for p in real]


def test_free_text_places_without_a_tree():
    found = {(p.text, p.kind) for p in extract_places("A5区劳动东路魅力之城小区临街门面烧烤夜宵摊")}
    assert {("A5区", "district"), ("劳动东路", "road"), ("魅力之城小区", "estate")} <= found


def test_the_library_does_not_need_django():
    import subprocess
    import sys

    code = (
        "import sys, minxin.triage.nlp; assert not any(m.startswith('django') for m in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603


def test_the_reason_names_the_words_only_when_they_say_more():
    assert suggest_urgency("小区停水三天了").reason == "停水"
    assert suggest_urgency("小区断水三天了").reason == "停水（“断水”）"
