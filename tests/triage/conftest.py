import csv
import random
from pathlib import Path

import pytest

from minxin.triage.nlp import engine
from minxin.triage.nlp.classifier import Example, fit_category_model
from minxin.triage.nlp.dataset import (
    DEFAULT_DATA_DIR,
    DEFAULT_MODEL_PATH,
    load_labelled,
    load_unlabelled,
)


def read_rows(name: str) -> list[dict[str, str]]:
    with (DEFAULT_DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def small_model():
    """A small model (all labels, 800 unlabelled texts, 2**16 buckets): seconds, not minutes."""
    labelled = load_labelled()
    unlabelled = load_unlabelled(exclude=labelled)
    random.Random(0).shuffle(unlabelled)
    return fit_category_model(labelled, unlabelled[:800], n_features=1 << 16)


@pytest.fixture
def installed_model(small_model):
    """Make the small model the one `classify`/`suggest`/the CLI use, without touching var/."""
    previous = engine._models.get(DEFAULT_MODEL_PATH)
    engine._models[DEFAULT_MODEL_PATH] = small_model
    yield small_model
    if previous is None:
        engine._models.pop(DEFAULT_MODEL_PATH, None)
    else:
        engine._models[DEFAULT_MODEL_PATH] = previous


@pytest.fixture
def tiny_examples() -> list[Example]:
    return [
        Example("小区物业乱收费", "物业公司乱收物业费，业主不满", "城乡建设"),
        Example("停水三天", "小区自来水停水三天无人管", "城乡建设"),
        Example("学校补课收费", "学校组织有偿补课，家长负担重", "教育文体"),
        Example("幼儿园入学难", "孩子上幼儿园没有学位", "教育文体"),
    ]


@pytest.fixture
def tmp_csv(tmp_path: Path):
    def write(
        name: str, header: list[str], rows: list[dict[str, str]], encoding: str = "utf-8"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as f:
            w = csv.DictWriter(f, fieldnames=header)
            w.writeheader()
            w.writerows(rows)
        return path

    return write
