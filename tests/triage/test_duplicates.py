from minxin.triage.nlp import DuplicateIndex

DAY = 86400.0
TITLE = "A5区劳动东路魅力之城小区油烟扰民"
CONTENT = "小区底层餐馆油烟直排，严重扰民，晚上开到凌晨，请环保部门尽快处理。"


def make_index() -> DuplicateIndex:
    ix = DuplicateIndex()
    ix.add(1, TITLE, CONTENT, time=100 * DAY, place="魅力之城", person="13800000001")
    ix.add(2, "学校乱收费", "某某学校违规收取补课费，家长负担重", time=100 * DAY)
    for i in range(3, 200):
        ix.add(i, f"第{i}号路灯不亮", f"某路第{i}号路灯坏了很久没人修，晚上很黑", time=100 * DAY)
    return ix


def test_finds_the_earlier_appeal_and_tells_a_repeat():
    ix = make_index()
    got = ix.query(TITLE, CONTENT + "！", time=110 * DAY, place="魅力之城", person="13800000001")
    assert got[0].key == 1 and got[0].same_person and got[0].same_place
    other = ix.query(TITLE, CONTENT, time=110 * DAY, person="13900000002")
    assert other[0].key == 1 and not other[0].same_person


def test_time_window_and_place_filter():
    ix = make_index()
    assert ix.query(TITLE, CONTENT, time=400 * DAY, window_days=90) == []
    assert ix.query(TITLE, CONTENT, time=110 * DAY, place="别的小区") == []
    assert ix.query(TITLE, CONTENT, time=110 * DAY, place=None)[0].key == 1


def test_unrelated_text_finds_nothing_and_compaction_keeps_results():
    ix = make_index()
    assert ix.query("出租车拒载", "的士司机拒载还绕路", min_similarity=0.5) == []
    ix.compact()
    assert ix.query(TITLE, CONTENT)[0].key == 1
    assert len(ix) == 199


def test_signing_a_text_does_not_import_numpy_ma():
    """np.unique would import numpy.ma (3 MB a process) to ask whether its argument is masked:
    the signature's own unique gives the same values without it."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from minxin.triage.nlp.duplicates import _unique, signature\n"
        "signature('小区停水', '小区停水三天了')\n"
        "assert 'numpy.ma' not in sys.modules, 'numpy.ma imported'\n"
        "x = np.array([5, 3, 5, 0, 3], dtype=np.uint64)\n"
        "assert np.array_equal(_unique(x), np.unique(x)) and _unique(x[:0]).shape == (0,)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
