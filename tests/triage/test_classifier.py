import numpy as np
import pytest

from minxin.triage.nlp import classify, suggest
from minxin.triage.nlp.classifier import (
    CategoryModel,
    Doc,
    _features,
    block_counts,
    fit_category_model,
)
from minxin.triage.nlp.dataset import load_labelled

from .test_text import HOSTILE, TREE


def test_obvious_messages(installed_model):
    got = classify(
        [
            ("孩子上学难", "小学学位不够，孩子入学难，请教育局解决"),
            ("拖欠工资", "公司拖欠农民工工资半年，劳动监察不管"),
            ("出租车拒载", "的士司机拒载还绕路"),
            ("工厂排放废气", "化工厂夜里偷排废气，气味刺鼻，污染严重"),
        ]
    )
    assert [g.category for g in got] == ["教育文体", "劳动和社会保障", "交通运输", "环境保护"]
    for g in got:
        assert 0 <= g.confidence <= 1
        assert g.path.split("/")[0] == g.category


def test_path_goes_deeper_only_when_sure(installed_model):
    (g,) = classify([("小区物业公司不作为", "小区物业公司服务差，业委会要求更换物业，业主很不满")])
    assert g.path == "城乡建设/住房保障与房地产/物业服务"
    (h,) = classify([("建议", "希望政府多关心")])
    assert h.path == h.category


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_classified(installed_model, text):
    (g,) = classify([(text[:100], text)])
    assert g.category in installed_model.classes and 0 <= g.confidence <= 1


def test_save_and_load_give_the_same_predictions(small_model, tmp_path):
    path = tmp_path / "m.npz"
    small_model.save(path)
    loaded = CategoryModel.load(path)
    pairs = [("停水", "小区停水"), ("补课", "学校补课")]
    assert np.allclose(small_model.predict_proba(pairs), loaded.predict_proba(pairs))


def test_fit_with_few_examples(tiny_examples):
    model = fit_category_model(tiny_examples, [("物业", "物业费太贵")], n_features=1 << 12)
    assert set(model.classes) == {"城乡建设", "教育文体"}


@pytest.mark.parametrize("text", HOSTILE)
def test_full_suggestion_survives_hostile_text(installed_model, text):
    s = suggest(title=text[:100], content=text, region_tree=TREE)
    assert s.category.category in installed_model.classes
    assert s.urgency.level in {"normal", "urgent", "critical"}


def test_full_suggestion(installed_model):
    s = suggest(
        title="A3区桂花坪街道景蓉社区停水三天",
        content="我叫张三，电话13812345678。小区停水三天，家里有独居老人。",
        region_tree=TREE,
    )
    assert s.category.category == "城乡建设"
    assert s.urgency.level == "urgent" and "停水" in s.urgency.reasons
    assert s.validity.valid
    assert s.region is not None and s.region.region_code == "A3-01-01"
    assert {p.kind for p in s.personal_data["content"]} == {"name", "phone"}


def test_a_model_of_an_older_recipe_is_retrained(small_model, tmp_path, monkeypatch):
    from minxin.triage.nlp import engine

    path = tmp_path / "m.npz"
    small_model.save(path)
    with np.load(path) as z:
        fields = dict(z)
    fields["format_version"] = np.array(1)
    np.savez(path, **fields)
    with pytest.raises(ValueError, match="not supported"):
        CategoryModel.load(path)
    trained = []
    monkeypatch.setattr(engine, "train", lambda **kw: trained.append(kw) or small_model)
    assert engine.get_model(path) is small_model
    assert trained and trained[0]["out"] == path


def test_the_product_gives_scipys_numbers(small_model):
    """The prediction's sparse × dense product without scipy: the same float32 numbers as
    scipy's, bit for bit, texts long and short, and empty titles (rows of the title block
    without entries)."""
    labelled = load_labelled()[:300]
    docs = [Doc.of(e.title, e.content) for e in labelled] + [Doc.of("", ""), Doc.of("", "停水")]
    blocks = block_counts(docs, small_model.n_features)
    assert np.diff(blocks[1].indptr)[-2:].tolist() == [0, 0]
    x = _features(blocks, small_model.idf)
    ours = x.times(small_model.weights)
    theirs = x.csr().astype(np.float32) @ small_model.weights
    assert ours.dtype == np.float32 and np.array_equal(ours, theirs)


def test_a_prediction_does_not_import_scipy(small_model, tmp_path):
    """scipy is for training: a web process that classifies an appeal does not load it."""
    import subprocess
    import sys

    path = tmp_path / "m.npz"
    small_model.save(path)
    code = (
        "import sys; from pathlib import Path; from minxin.triage.nlp import CategoryModel; "
        f"p = CategoryModel.load(Path({str(path)!r})).predict_proba([('停水', '小区停水三天')]); "
        "assert p.shape == (1, len(CategoryModel.load(Path("
        f"{str(path)!r})).classes)); assert 'scipy' not in sys.modules, 'scipy imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
