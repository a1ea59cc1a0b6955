"""The full-text search (minxin/core/search.py) on the database the tests run on (SQLite, or
PostgreSQL with DATABASE_URL): what it finds, what it refuses, how it ranks and marks."""

import pytest
from django.db import connection

from minxin.cases.models import Appeal
from minxin.core.errors import ValidationFailed
from minxin.core.search import (
    SearchQuery,
    bigrams,
    few_matches,
    highlight,
    search_filter,
    snippet,
    title_first,
)
from tests.builders import appeal_new

FIELDS = ["title", "content"]


def _found(text: str) -> list[str]:
    query = SearchQuery.parse(text)
    appeals = search_filter(Appeal.objects.all(), query, fields=FIELDS)
    ordered = appeals.alias(rank=title_first(query)).order_by("rank", "-id")
    return list(ordered.values_list("title", flat=True))


@pytest.fixture
def appeals(district):
    appeal_new(
        district, title="楼下烧烤店油烟扰民", content="每天晚上十点以后烧烤油烟很大，噪音也大。"
    )
    appeal_new(
        district, title="小区电梯经常停运", content="景蓉华苑3栋电梯一周坏了三次，老人上下楼困难。"
    )
    appeal_new(
        district, title="道路积水", content="下雨后银杉路积水严重，电梯井进水，车辆无法通行。"
    )
    appeal_new(district, title="WiFi 信号差", content="社区服务中心的 wifi 经常断线。")
    return district


def test_two_character_words_are_found_in_title_and_content(appeals):
    assert _found("电梯") == ["小区电梯经常停运", "道路积水"]  # the title hit first
    assert _found("油烟") == ["楼下烧烤店油烟扰民"]
    assert _found("噪音") == ["楼下烧烤店油烟扰民"]


def test_few_matches_counts_no_further_than_its_bound(appeals, django_assert_num_queries):
    query = SearchQuery.parse("电梯")
    found = search_filter(Appeal.objects.all(), query, fields=FIELDS)  # two appeals
    # PostgreSQL read the index's candidates (two): their number decides, with no query;
    # SQLite counts, no further than the bound
    with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
        assert few_matches(found, limit=2)
    assert not few_matches(found, limit=1)
    assert few_matches(Appeal.objects.none(), limit=0)
    # Not searched through the index: the planner's estimate, then a count, decide
    assert not few_matches(Appeal.objects.all(), limit=2)


def test_a_common_word_walks_the_order_and_is_not_ranked(
    appeals, monkeypatch, django_assert_num_queries
):
    """PostgreSQL: past CANDIDATE_LIMIT the matches are found by walking the list's order;
    ranking them would mean finding them all, so few_matches says no without counting.
    SQLite has no such path and counts."""
    monkeypatch.setattr("minxin.core.search.CANDIDATE_LIMIT", 0)
    found = search_filter(Appeal.objects.all(), SearchQuery.parse("电梯"), fields=FIELDS)
    if connection.vendor == "postgresql":
        with django_assert_num_queries(0):
            assert not few_matches(found, limit=2)
    else:
        assert few_matches(found, limit=2)
    assert found.count() == 2  # the mark selects nothing and filters nothing


def test_every_word_must_appear_and_the_words_whole(appeals):
    assert _found("电梯 老人") == ["小区电梯经常停运"]
    assert _found("电梯 噪音") == []
    # every bigram of 梯进水 is in the first elevator appeal's text ("电梯一周", "进")? no: the
    # phrase itself must be there, not only its pieces
    assert _found("电梯井进水") == ["道路积水"]
    assert _found("梯井坏") == []


@pytest.mark.parametrize("limit", [0, 1])
def test_past_the_candidate_limit_the_rows_are_checked_whole_with_the_same_result(
    appeals, monkeypatch, limit
):
    """A common word's candidates are not read (PostgreSQL; SQLite has no such limit): each
    row is checked, and what is found is the same."""
    monkeypatch.setattr("minxin.core.search.CANDIDATE_LIMIT", limit)
    assert _found("电梯") == ["小区电梯经常停运", "道路积水"]
    assert _found("电梯 老人") == ["小区电梯经常停运"]
    assert _found("电梯井进水") == ["道路积水"]
    assert _found("梯井坏") == []
    assert _found("WIFI") == ["WiFi 信号差"]


def test_case_is_ignored_for_latin_letters(appeals):
    assert _found("WIFI") == ["WiFi 信号差"]
    assert _found("wifi 断线") == ["WiFi 信号差"]


def test_the_index_follows_edits_of_the_text(appeals):
    appeal = Appeal.objects.get(title="道路积水")
    Appeal.objects.filter(pk=appeal.pk).update(content="路面塌陷")
    assert _found("路面塌陷") == ["道路积水"]
    assert _found("积水严重") == []
    Appeal.objects.filter(pk=appeal.pk).update(status=appeal.status)  # no text change
    assert _found("路面塌陷") == ["道路积水"]


def test_quotes_and_operators_are_only_text(appeals):
    appeal_new(appeals, title='他说"AND" OR 不行', content="NEAR(a b) * ^ -x")
    assert _found('"AND"') == ['他说"AND" OR 不行']
    assert _found("NEAR(a") == ['他说"AND" OR 不行']
    assert _found("%%") == []
    assert _found("__") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请输入"),
        ("电", "至少 2 个字"),
        ("电梯 水", "“水”太短"),
        ("甲乙 丙丁 戊己 庚辛 壬癸 子丑 寅卯", "最多同时搜索"),
        ("字" * 101, "最多 100"),
    ],
)
def test_what_cannot_be_searched_is_refused_in_chinese(text, message):
    with pytest.raises(ValidationFailed) as refused:
        SearchQuery.parse(text)
    assert message in refused.value.message


def test_bigrams_match_the_databases_function(db):
    text = "小区噪音\t扰民 WiFi x\u3000全角，Ab"
    assert bigrams(text) == [
        "小区",
        "区噪",
        "噪音",
        "扰民",
        "wi",
        "if",
        "fi",
        "全角",
        "角，",
        "，a",
        "ab",
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT minxin_bigrams(%s)", [text])
            assert cursor.fetchone()[0] == bigrams(text)


def test_highlight_escapes_the_text_and_marks_the_words():
    query = SearchQuery.parse("电梯 <b>")
    marked = highlight("<script>x</script>电梯坏了<b>", query)
    assert marked == "&lt;script&gt;x&lt;/script&gt;<mark>电梯</mark>坏了<mark>&lt;b&gt;</mark>"
    assert highlight("<i>", None) == "&lt;i&gt;"


def test_snippet_is_cut_around_the_first_word():
    text = "前面很长的一段话。" * 20 + "这里电梯坏了" + "后面的话。" * 30
    piece = snippet(text, SearchQuery.parse("电梯"), width=40)
    assert piece.startswith("…") and piece.endswith("…")
    assert "<mark>电梯</mark>" in piece


@pytest.mark.django_db
def test_postgresql_keeps_a_larger_sample_of_the_searched_fields():
    """The planner reads how common a word is from the fields' histograms (PG_STATISTICS)."""
    if connection.vendor != "postgresql":
        pytest.skip("column statistics targets are PostgreSQL's; SQLite plans without them")
    from minxin.core.search import PG_STATISTICS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'cases_appeal'::regclass AND attname IN ('title', 'content')"
        )
        assert dict(cursor.fetchall()) == {"title": PG_STATISTICS, "content": PG_STATISTICS}
