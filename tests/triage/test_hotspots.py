from datetime import datetime

import pytest

from minxin.triage.management.commands.triage import parse_time
from minxin.triage.nlp import HotspotInput, cluster_hotspots, heat_index

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
    out = cluster_hotspots(items)
    titles = {r["id"]: r["title"] for r in rows}
    return {o.id: o for o in out}, titles


@pytest.mark.parametrize(
    ("ids", "must_mention", "matter_words"),
    [
        (FUMES, "魅力之城", ("油烟", "噪音", "夜宵", "烧烤", "空气")),
        (INTERNSHIP, "经济学院", ("实习", "打工", "工厂")),
    ],
)
def test_official_example_hotspots(board_clusters, ids, must_mention, matter_words):
    rows, titles = board_clusters
    cluster = {rows[i].cluster_id for i in ids}
    assert len(cluster) == 1 and "" not in cluster
    (cid,) = cluster
    members = [i for i, o in rows.items() if o.cluster_id == cid]
    for i in members:  # nothing unrelated: same place, same matter
        assert must_mention in titles[i], titles[i]
        assert any(w in titles[i] for w in matter_words) or i.startswith("3601"), titles[i]


def test_unrelated_matters_at_the_same_place_stay_apart(board_clusters):
    rows, titles = board_clusters
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
