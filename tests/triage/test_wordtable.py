"""jieba's dictionary as a memory-mapped table (issue 17): the same words as jieba's own cut,
without jieba's dict (or jieba itself) in the process."""

import pytest

from minxin.triage.nlp import wordtable
from minxin.triage.nlp.tokenize import words

from .conftest import read_rows

TEXTS = [
    "小区门口的路灯坏了一个多星期，晚上很黑，老人出行不便，请尽快修复。",
    "A3区桂花坪街道景蓉社区停水三天 WiFi 5G, 联系电话13800138000!!",
    "  \r\n  ",
    "",
    "abc123 def-456 #标签 50%的人 3.5元",
]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "jieba_words.table"
    assert wordtable.table_write(path) > 400_000
    wordtable.forget_tables()
    yield wordtable.mapped_table(path)
    wordtable.forget_tables()


def _messages(n: int) -> list[str]:
    rows = read_rows("labelled_sample.csv")[:n]
    return [f"{r.get('title', '')} {r.get('content', '')}" for r in rows]


def test_the_same_words_as_jieba(table):
    import jieba

    for text in TEXTS + _messages(150):
        assert wordtable.cut(text, table) == jieba.lcut(text, HMM=False), text


def test_answers_as_jiebas_dict(table):
    import jieba

    jieba.initialize()
    for word in ("路灯", "路", "路灯坏", "小区", "不存在的词语组合", "x"):
        assert (word in table) == (word in jieba.dt.FREQ)
        assert table.get(word) == jieba.dt.FREQ.get(word)
    assert table.total == jieba.dt.total
    assert len(table) == len(jieba.dt.FREQ)


def test_no_table_or_another_dictionary_means_jiebas_own(tmp_path):
    assert wordtable.mapped_table(tmp_path / "missing.table") is None
    bad = tmp_path / "bad.table"
    bad.write_bytes(b"not a table" * 10)
    assert wordtable.mapped_table(bad) is None
    wordtable.forget_tables()


def test_words_use_the_table_when_there(table, monkeypatch):
    monkeypatch.setattr(wordtable, "mapped_table", lambda path: table)
    cut = []
    real = wordtable.cut
    monkeypatch.setattr(wordtable, "cut", lambda text, t: cut.append(t) or real(text, t))
    text = "小区门口的路灯坏了"
    assert words(text) == [w for w in real(text, table) if w.strip()]
    assert cut == [table]
