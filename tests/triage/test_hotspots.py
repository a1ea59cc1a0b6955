import math
from collections import Counter
from datetime import datetime

import pytest

from minxin.triage.management.commands.triage import parse_time
from minxin.triage.nlp import HotspotInput, cluster_hotspots, find_hotspots, heat_index
from minxin.triage.nlp.hotspots import (
    IDF_PATH,
    Hotspot,
    HotspotIndex,
    fit_idf,
    hotspots_to_merge,
    matter_vector,
    shipped_idf,
)
from minxin.triage.nlp.matter import matter_profile

from .conftest import read_rows

FUMES = [str(i) for i in range(360104, 360110)]
INTERNSHIP = [str(i) for i in range(360110, 360115)]


@pytest.fixture(scope="module")
def board_clusters():
    rows = read_rows("board_with_likes.csv")
    items = [
        HotspotInput(
            r["id"],
            r["title"],
            r["content"],
            parse_time(r["time"]),
            int(r["likes"] or 0),
            r["user"],
        )
        for r in rows
    ]
    result = find_hotspots(items)
    titles = {r["id"]: r["title"] for r in rows}
    return {o.id: o for o in result.rows}, titles, result.summaries


@pytest.mark.parametrize(
    ("ids", "must_mention", "matter_words"),
    [
        (FUMES, "魅力之城", ("油烟", "噪音", "夜宵", "烧烤", "空气")),
        (INTERNSHIP, "经济学院", ("实习", "打工", "工厂", "社会实践")),  # 变相强制“社会实践”
    ],
)
def test_official_example_hotspots(board_clusters, ids, must_mention, matter_words):
    rows, titles, _ = board_clusters
    cluster = {rows[i].cluster_id for i in ids}
    assert len(cluster) == 1 and "" not in cluster
    (cid,) = cluster
    members = [i for i, o in rows.items() if o.cluster_id == cid]
    for i in members:  # nothing unrelated: same place, same matter
        assert must_mention in titles[i], titles[i]
        assert any(w in titles[i] for w in matter_words) or i.startswith("3601"), titles[i]


def test_unrelated_matters_at_the_same_place_stay_apart(board_clusters):
    rows, titles, _ = board_clusters
    fumes = rows["360104"].cluster_id
    cracks = [i for i, t in titles.items() if "魅力之城" in t and "开裂" in t]
    assert cracks and all(rows[i].cluster_id != fumes for i in cracks)


def test_rows_are_ranked_by_heat_and_singletons_have_no_cluster():
    t = datetime(2019, 1, 1)
    items = [
        HotspotInput("1", "A市魅力之城小区油烟扰民", "魅力之城小区底层餐馆油烟扰民", t, 5, "u1"),
        HotspotInput("2", "A市魅力之城小区油烟扰民严重", "魅力之城小区餐馆油烟扰民", t, 0, "u2"),
        HotspotInput("3", "出租车拒载", "的士司机拒载", t, 0, "u3"),
    ]
    out = cluster_hotspots(items)
    assert [o.id for o in out] == ["1", "2", "3"]
    assert out[0].cluster_id == out[1].cluster_id != "" and out[2].cluster_id == ""
    assert out[0].heat == pytest.approx(heat_index(2, 5, 0.0), abs=1e-3)
    assert heat_index(5, 0, 0) > heat_index(5, 0, 365) and heat_index(5, 10, 0) > heat_index(
        5, 0, 0
    )


def test_the_matter_everybody_would_name_first(board_clusters):
    """伊景园滨河苑 · 捆绑销售车位 (issue 19): the messages naming the estate in August 2019 are
    one hotspot, labelled by place and matter."""
    rows, titles, summaries = board_clusters
    named = [i for i, t in titles.items() if "伊景园" in t]
    clusters = Counter(rows[i].cluster_id for i in named)
    (cid, n), *_ = clusters.most_common()
    assert cid and n >= 36
    [summary] = [s for s in summaries if s.cluster_id == cid]
    assert summary.label == "伊景园滨河苑 · 捆绑销售车位"
    assert summary.people >= 30 and summary.first and summary.first.year == 2019


def test_place_and_matter_profile():
    p = matter_profile("关于伊景园滨河苑捆绑销售车位的维权投诉", "")
    assert p.places == ("伊景园", "滨河苑") and p.display_place == "伊景园滨河苑"
    assert {"捆绑", "销售", "车位"} <= set(p.terms) and "投诉" not in p.terms
    q = matter_profile("A3区公园旁夜间噪音扰民", "")
    assert q.places == () and q.area == "A3区"


def _add_all(texts):
    profiles = [matter_profile(t, c) for t, c in texts]
    index = HotspotIndex(fit_idf(profiles))
    t0 = datetime(2019, 8, 1).timestamp()
    return [index.add(i, p, t0 + i * 3600).number for i, p in enumerate(profiles)], index


def test_same_matter_at_two_places_stays_apart_and_paraphrases_join():
    numbers, _ = _add_all(
        [
            ("A市伊景园滨河苑捆绑销售车位", "开发商要求购房必须购买车位"),
            ("坚决反对伊景园滨河苑强制捆绑车位", "购房同时必须买车位"),
            ("A市魅力之城小区捆绑销售车位", "开发商要求购房必须购买车位"),
            ("A市伊景园滨河苑小区门口路灯不亮", "晚上出行不便"),
        ]
    )
    assert numbers[0] == numbers[1]
    assert numbers[2] != numbers[0]  # the same matter elsewhere
    assert numbers[3] != numbers[0]  # another matter at the same place


def test_a_message_outside_the_window_starts_a_new_hotspot():
    profiles = [matter_profile("A市伊景园滨河苑捆绑销售车位", "")] * 2
    index = HotspotIndex(fit_idf(profiles), window_days=30)
    first = index.add(0, profiles[0], datetime(2019, 1, 1).timestamp())
    later = index.add(1, profiles[1], datetime(2019, 6, 1).timestamp())
    assert first is not later


def test_a_message_naming_no_place_joins_a_place_only_when_it_names_it_further_on():
    numbers, _ = _add_all(
        [
            ("请加快A市汉王陵考古遗址公园建设力度", "汉王陵考古遗址公园规划多年"),
            ("请加快汉王陵考古遗址公园的建设力度", "希望早日建成汉王陵考古遗址公园"),
            ("请A市加快轨道交通建设力度", "地铁建设极为落后，希望加快建设力度"),
            ("请A市加快建设力度", "。" * 400 + "汉王陵考古遗址公园规划多年至今未动工"),
        ]
    )
    assert numbers[0] == numbers[1]
    assert numbers[2] != numbers[0]  # names no place, and not this one
    assert numbers[3] == numbers[0]  # names it, past the start of the content


def test_merges_do_not_depend_on_the_order_of_the_candidates():
    texts = [
        ("A市魅力之城小区底层餐馆油烟扰民", "餐馆油烟"),
        ("A市魅力之城小区底层商铺噪音扰民", "商铺营业到凌晨 噪音"),
        ("A市魅力之城小区底层餐馆噪音扰民", "餐馆 噪音"),
        ("A市魅力之城小区底层商铺油烟噪音扰民", "油烟 噪音"),
    ]
    profiles = [matter_profile(t, c) for t, c in texts]
    idf = fit_idf(profiles)
    hotspots = []
    for i, p in enumerate(profiles[:3]):
        h = Hotspot(number=i, area=None)
        h.absorb(i, p, matter_vector(p, idf), None)
        hotspots.append(h)
    best, others = hotspots[0], hotspots[1:]
    best.absorb(3, profiles[3], matter_vector(profiles[3], idf), None)
    forward = hotspots_to_merge(best, profiles[3], [best, *others])
    backward = hotspots_to_merge(best, profiles[3], [*reversed(others), best])
    assert {h.number for h in forward} == {h.number for h in backward} != set()


def test_the_shipped_idf_weighs_each_word_of_the_file():
    """Each word of the file by its document frequency, as `fit_idf` weighs them; a word not
    in it as one message's."""
    head, *lines = IDF_PATH.read_text(encoding="utf-8").splitlines()
    n = int(head.split("\t")[1])
    idf = shipped_idf()
    for line in lines[:: len(lines) // 50] + lines[-3:]:
        term, df = line.split("\t")
        assert idf(term) == math.log((1 + n) / (1 + int(df))) + 1.0
    assert idf("并非文件中的词语") == math.log((1 + n) / 2) + 1.0
