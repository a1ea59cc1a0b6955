"""The saved model: an ordinary .npz whose large arrays are memory-mapped when loaded (shared
by every process through the page cache, issue 17), files of the earlier layout still read."""

import mmap

import numpy as np

from minxin.triage.nlp.classifier import ALIGN, CategoryModel, _npz_map, model_align

PAIRS = [("停水", "小区停水三天"), ("补课", "学校周末补课收费"), ("", "")]


def _old_layout(model: CategoryModel, path):
    """As the model was saved before: np.savez, members wherever the zip puts them."""
    np.savez(
        path,
        format_version=np.array(3),
        classes=np.array(model.classes),
        lexicon_classes=np.array(model.lexicon_classes),
        n_features=np.array(model.n_features),
        idf=model.idf,
        weights=model.weights,
        bias=model.bias,
        meta_mean=model.meta_mean,
        meta_scale=model.meta_scale,
        meta_coef=model.meta_coef,
        meta_intercept=model.meta_intercept,
        trained_on=np.array(model.trained_on),
    )


def test_large_arrays_are_mapped_not_read(small_model, tmp_path):
    path = tmp_path / "m.npz"
    small_model.save(path)
    loaded = CategoryModel.load(path)
    assert isinstance(loaded.mapping, mmap.mmap)
    # The weights (7 MB here); the IDF of this small model (0.5 MB) is read.
    assert not loaded.weights.flags.writeable and not loaded.weights.flags.owndata
    assert set(_npz_map(path)[1]) == {"weights"}
    with np.load(path) as z:  # still an ordinary .npz
        assert np.array_equal(z["weights"], small_model.weights)
        assert str(z["trained_on"]) == small_model.trained_on
    assert np.array_equal(small_model.predict_proba(PAIRS), loaded.predict_proba(PAIRS))


def test_data_is_aligned_in_the_file(small_model, tmp_path):
    path = tmp_path / "m.npz"
    small_model.save(path)
    memory, mapped = _npz_map(path)
    assert memory is not None
    base = np.frombuffer(memory, dtype=np.uint8).ctypes.data
    for array in mapped.values():
        assert (array.ctypes.data - base) % ALIGN == 0


def test_a_file_of_the_earlier_layout_loads_and_is_realigned(small_model, tmp_path):
    path = tmp_path / "old.npz"
    _old_layout(small_model, path)
    old = CategoryModel.load(path)
    assert np.array_equal(small_model.predict_proba(PAIRS), old.predict_proba(PAIRS))
    assert model_align(path) in (True, False)  # False only when the zip happened to align
    assert model_align(path) is False
    assert set(_npz_map(path)[1]) == {"weights"}
    again = CategoryModel.load(path)
    assert np.array_equal(small_model.predict_proba(PAIRS), again.predict_proba(PAIRS))


def test_a_model_replaced_while_mapped_keeps_answering(small_model, tmp_path):
    """The model in use is replaced by a rename (train, versions): a process that mapped the
    earlier file keeps its pages."""
    path = tmp_path / "m.npz"
    small_model.save(path)
    loaded = CategoryModel.load(path)
    small_model.save(path)  # a new file renamed over it
    assert np.array_equal(small_model.predict_proba(PAIRS), loaded.predict_proba(PAIRS))
