"""The annotated messages: read from the data files by id, never a labelled message's text, and
used by the classifier as inputs of their own beside the board's labels."""

import csv

import numpy as np

from minxin.triage.nlp.classifier import Example, fit_category_model
from minxin.triage.nlp.dataset import (
    ANNOTATIONS,
    DEFAULT_DATA_DIR,
    TAXONOMY,
    UNLABELLED,
    load_annotated,
    load_labelled,
)
from minxin.triage.nlp.engine import _annotated
from minxin.triage.nlp.taxonomy import cached_taxonomy

from .conftest import read_rows


def test_the_shipped_file_names_real_messages_and_catalogue_classes():
    with ANNOTATIONS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) >= 3000
    assert {r["file"] for r in rows} <= set(UNLABELLED)
    assert {r["confidence"] for r in rows} == {"sure", "unsure"}
    assert {r["label"] for r in rows} <= set(cached_taxonomy(DEFAULT_DATA_DIR / TAXONOMY).top_level)
    assert len({(r["file"], r["id"]) for r in rows}) == len(rows)
    ids = {name: {r["id"] for r in read_rows(name)} for name in {r["file"] for r in rows}}
    assert all(r["id"] in ids[r["file"]] for r in rows)


def test_loaded_texts_come_from_the_named_file_and_row(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    with (data / "unlabelled.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "user", "title", "time", "content"])
        w.writerow(["7", "u", "小区停水", "2019/1/1 8:00:00", "停水三天"])
        w.writerow(["8", "u", "学校补课", "2019/1/1 8:00:00", "有偿补课"])
    path = tmp_path / "annotations.tsv"
    path.write_text(
        "file\tid\tlabel\tconfidence\tbatch\n"
        "unlabelled.csv\t8\t教育文体\tsure\t1\n"
        "unlabelled.csv\t99\t城乡建设\tsure\t1\n"  # no such row: left out
        "board_with_likes.csv\t7\t城乡建设\tsure\t1\n"  # no such file here: left out
        "unlabelled.csv\t7\t城乡建设\tunsure\t1\n",
        encoding="utf-8",
    )
    got = load_annotated(data, path=path)
    assert got == [
        Example("学校补课", "有偿补课", "教育文体"),
        Example("小区停水", "停水三天", "城乡建设"),
    ]
    # a labelled message's text never comes back as an annotated one (it may be a test message)
    assert load_annotated(data, path=path, exclude=[Example("小区停水", "停水三天", "x")]) == [
        Example("学校补课", "有偿补课", "教育文体")
    ]
    assert load_annotated(data, path=tmp_path / "missing.tsv") == []


def test_engine_keeps_the_labelled_classes_only():
    labelled = load_labelled()
    got = _annotated(DEFAULT_DATA_DIR, labelled)
    assert len(got) > 2500
    assert {e.label for e in got} == {e.label for e in labelled}


def test_annotated_messages_add_their_own_base_models(tiny_examples):
    annotated = [
        Example("垃圾没人清", "小区垃圾堆积无人清运", "城乡建设"),
        Example("老师乱收费", "学校老师收取资料费", "教育文体"),
        Example("派出所不立案", "报警后不立案", "政法"),  # not a labelled class: ignored
    ]
    plain = fit_category_model(tiny_examples, [], n_features=1 << 12)
    with_ann = fit_category_model(tiny_examples, [], annotated=annotated, n_features=1 << 12)
    assert plain.weights.shape[1] == 4 and with_ann.weights.shape[1] == 8
    assert with_ann.meta_coef.shape == (2, with_ann.meta_mean.shape[0])
    p = with_ann.predict_proba([("小区垃圾", "垃圾清运")])
    assert p.shape == (1, 2) and np.isclose(p.sum(), 1.0)
    # one class among the annotations says nothing: the model is the plain one
    one_class = fit_category_model(tiny_examples, [], annotated=annotated[:1], n_features=1 << 12)
    assert one_class.weights.shape[1] == 4
