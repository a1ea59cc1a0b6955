"""Corrections are stored, and `minxin triage train` learns from them."""

import pytest
from django.core.management import call_command

from minxin.triage import services
from minxin.triage.management.commands import triage as triage_command
from minxin.triage.models import CorrectionField, TriageCorrection
from minxin.triage.nlp import suggest
from minxin.triage.selectors import triage_training_examples
from tests.builders import appeal_new

pytestmark = pytest.mark.django_db


def test_correction_is_stored_and_agreement_is_not(district):
    appeal = appeal_new(district)
    dispatcher = next(iter(district.users.values()))
    got = services.triage_correction_record(
        appeal_id=appeal.pk,
        field=CorrectionField.CATEGORY,
        suggested_value="商贸旅游",
        chosen_value="城乡建设/住房保障与房地产/物业服务",
        actor=dispatcher,
    )
    assert got is not None and got.actor == dispatcher
    same = services.triage_correction_record(
        appeal_id=appeal.pk,
        field=CorrectionField.URGENCY,
        suggested_value="normal",
        chosen_value="normal",
        actor=None,
    )
    assert same is None
    assert TriageCorrection.objects.count() == 1
    (example,) = triage_training_examples()
    assert example.label == "城乡建设" and example.title == appeal.title


def test_train_uses_the_corrections(district, monkeypatch, tmp_path):
    appeal = appeal_new(district)
    services.triage_correction_record(
        appeal_id=appeal.pk,
        field=CorrectionField.CATEGORY,
        suggested_value="教育文体",
        chosen_value="环境保护",
        actor=None,
    )
    seen = {}

    def fake_train(*, data_dir, extra, out, annotations):
        seen["extra"] = list(extra)
        seen["out"] = out
        seen["annotations"] = annotations

        class Model:
            trained_on = "stub"

        return Model()

    monkeypatch.setattr(triage_command, "train", fake_train)
    call_command("triage", "train", "--model", str(tmp_path / "m.npz"))
    assert [(e.title, e.label) for e in seen["extra"]] == [(appeal.title, "环境保护")]
    assert seen["annotations"] is True
    call_command("triage", "train", "--model", str(tmp_path / "m.npz"), "--no-annotations")
    assert seen["annotations"] is False


def test_suggest_finds_the_directory_regions(district, installed_model):
    services._tree_cache = None
    s = suggest(
        title="桂花坪街道景蓉社区停水",
        content="景蓉社区停水两天了",
        region_tree=services.region_tree_from_directory(),
    )
    assert s.region is not None and s.region.region_path[-1] == "景蓉社区"
    assert s.urgency.level == "urgent"
