"""Model versions: the fixed evaluation set, promotion only when at least as good, rollback."""

from dataclasses import replace
from functools import partial

import pytest

from minxin.core.errors import MinxinError
from minxin.triage.models import ModelStatus, ModelVersion
from minxin.triage.nlp.classifier import fit_category_model, text_key
from minxin.triage.nlp.dataset import load_labelled
from minxin.triage.nlp.versions import (
    VersionFigures,
    at_least_as_good,
    evaluation_split,
    precision_threshold,
    train_version,
)
from minxin.triage.versions import (
    auto_dispatch_thresholds_compute,
    model_version_activate,
    model_version_due,
    model_version_in_use,
    model_version_train,
)


def test_the_evaluation_set_is_fixed_stratified_and_apart():
    labelled = load_labelled()
    train_a, held_a = evaluation_split(labelled)
    _, held_b = evaluation_split(list(labelled))
    assert held_a == held_b and len(held_a) == 99 and len(train_a) == 396
    assert not {text_key(e.title, e.content) for e in held_a} & {
        text_key(e.title, e.content) for e in train_a
    }
    assert {e.label for e in held_a} == {e.label for e in labelled}


def test_a_version_is_measured_on_messages_it_never_saw():
    seen: list[str] = []

    def fit(labelled, unlabelled, **kw):
        seen.extend(text_key(e.title, e.content) for e in labelled)
        seen.extend(text_key(t, c) for t, c in unlabelled)
        seen.extend(text_key(e.title, e.content) for e in kw.get("annotated", ()))
        return partial(fit_category_model, n_features=1 << 16)(labelled, unlabelled, **kw)

    _, held = evaluation_split(load_labelled())
    model, figures = train_version(fit=fit, annotations=False, unlabelled_limit=600)
    assert (figures.evaluated_on, figures.labelled, figures.corrections) == (99, 396, 0)
    assert not {text_key(e.title, e.content) for e in held} & set(seen)
    assert 0.5 < figures.macro_f1 <= 1 and set(figures.per_class) == set(model.classes)


def test_the_promotion_rule():
    assert at_least_as_good(0.85, None)
    assert at_least_as_good(0.85, 0.85) and at_least_as_good(0.86, 0.85)
    assert not at_least_as_good(0.8499, 0.85)


FIGURES = VersionFigures(
    macro_f1=0.0, accuracy=0.9, evaluated_on=99, labelled=396, corrections=0, annotated=0,
    unlabelled=600, seconds=1.0, per_class={},
)  # fmt: skip


@pytest.fixture
def trained(db, small_model, tmp_path, django_capture_on_commit_callbacks):
    """Train versions with set figures (the small model as their artifact); the live file is
    under tmp_path."""
    live = tmp_path / "category_model.npz"

    def train(macro_f1: float) -> ModelVersion:
        def fake(**_: object):
            return small_model, replace(FIGURES, macro_f1=macro_f1)

        with django_capture_on_commit_callbacks(execute=True):
            return model_version_train(actor=None, live=live, train=fake)

    return train, live


def test_a_worse_model_is_not_promoted_and_any_version_can_be_put_back(
    trained, tmp_path, django_capture_on_commit_callbacks
):
    train, live = trained
    first = train(0.80)
    assert first.status == ModelStatus.ACTIVE and model_version_in_use() == first.pk
    assert live.read_bytes() == (tmp_path / "versions" / f"v{first.pk}.npz").read_bytes()
    worse = train(0.70)
    assert worse.status == ModelStatus.REJECTED and "未上线" in worse.note
    assert model_version_in_use() == first.pk  # the worse one is kept out
    better = train(0.85)
    assert better.status == ModelStatus.ACTIVE
    first.refresh_from_db()
    assert first.status == ModelStatus.RETIRED
    assert live.read_bytes() == (tmp_path / "versions" / f"v{better.pk}.npz").read_bytes()
    # A supervisor rolls back to the first version, even though its figure is lower.
    with django_capture_on_commit_callbacks(execute=True):
        model_version_activate(version_id=first.pk, actor=None, reason="测试", live=live)
    assert model_version_in_use() == first.pk
    better.refresh_from_db()
    assert better.status == ModelStatus.RETIRED
    first.refresh_from_db()
    assert "回滚" in first.note
    assert ModelVersion.objects.filter(status=ModelStatus.ACTIVE).count() == 1


def test_rollback_needs_the_version_file(trained):
    train, live = trained
    version = train(0.8)
    version.artifact = "/nonexistent/v0.npz"
    version.save()
    with pytest.raises(MinxinError):
        model_version_activate(version_id=version.pk, actor=None, live=live)


def test_the_lowest_threshold_meeting_a_target_precision():
    scored = [(0.99, True), (0.95, True), (0.9, True), (0.8, False), (0.7, True), (0.6, False)]
    assert precision_threshold(scored, 0.95) == (0.9, 3, 1.0)
    assert precision_threshold(scored, 0.75) == (0.7, 5, 0.8)
    assert precision_threshold([(0.9, False)], 0.5) == (None, 0, 0.0)
    tied = [(0.9, True), (0.9, False), (0.8, True)]
    assert precision_threshold(tied, 0.6)[0] == 0.8  # a tie is taken whole


def test_a_rule_gets_the_threshold_meeting_its_target_on_held_out_folds(district):
    from decimal import Decimal

    from minxin.triage.models import AutoDispatchRule

    top = district.category.top_level
    rule = AutoDispatchRule.objects.create(
        category=district.category, min_confidence=Decimal("0.90"), target_precision=Decimal("0.95")
    )
    untouched = (
        AutoDispatchRule.objects.create(category=top, min_confidence=Decimal("0.80"))
        if top != district.category
        else None
    )
    scored = [(top.name, 0.97, True)] * 19 + [(top.name, 0.97, False)] + [
        (top.name, 0.6, False), ("其他", 0.99, True)
    ] * 10  # fmt: skip
    assert auto_dispatch_thresholds_compute(scored=scored) == 1
    rule.refresh_from_db()
    assert rule.suggested_threshold == 0.97
    assert rule.suggested_share == pytest.approx(20 / 40)
    assert rule.min_confidence == Decimal("0.90")  # the admin decides; the rule is unchanged
    assert top.name in rule.threshold_note
    if untouched is not None:
        untouched.refresh_from_db()
        assert untouched.suggested_threshold is None


def test_scheduled_training_runs_only_with_something_new_to_learn(trained, district, monkeypatch):
    from datetime import timedelta

    from minxin.triage import versions
    from minxin.triage.models import CorrectionField, TriageCorrection
    from minxin.triage.services import triage_correction_record
    from minxin.triage.tasks import train_model_version_task
    from tests.builders import appeal_new

    def correct(field: CorrectionField, suggested: str, chosen: str) -> TriageCorrection:
        made = triage_correction_record(
            appeal_id=appeal.pk, field=field, suggested_value=suggested, chosen_value=chosen,
            actor=None,
        )  # fmt: skip
        assert made is not None
        return made

    assert model_version_due()  # no version yet: the first one is trained
    train, _ = trained
    train(0.8)
    assert not model_version_due()
    appeal = appeal_new(district)
    correct(CorrectionField.URGENCY, "normal", "urgent")
    assert not model_version_due()  # only a category correction is a training example
    runs: list[int] = []
    monkeypatch.setattr(versions, "model_version_train", lambda **_: runs.append(1))
    assert train_model_version_task.call(reschedule=False) is None and runs == []

    correction = correct(CorrectionField.CATEGORY, "城乡建设", "交通运输")
    assert model_version_due()
    version = train(0.7)  # its training took FIGURES.seconds (1 s) before its row was written
    began = version.created_at - timedelta(seconds=1)
    TriageCorrection.objects.filter(pk=correction.pk).update(created_at=began - timedelta(1))
    assert not model_version_due()  # read when the training began
    TriageCorrection.objects.filter(pk=correction.pk).update(
        created_at=began + timedelta(milliseconds=500)
    )
    assert model_version_due()  # recorded while it trained: perhaps not learnt
    monkeypatch.setattr(versions, "model_version_train", lambda **_: version)
    assert train_model_version_task.call(reschedule=False) == version.pk


def test_the_admin_rolls_back_through_its_action_and_view_only_staff_cannot(
    trained, district, django_capture_on_commit_callbacks
):
    """The admin's 启用所选版本（回滚） over HTTP: one version chosen puts it in use (its file is
    installed after the commit); two chosen, or a staff member who may only view the versions,
    change nothing."""
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django.urls import reverse

    from minxin.accounts.models import User

    train, _ = trained
    first, second = train(0.80), train(0.85)
    assert model_version_in_use() == second.pk
    changelist = reverse("admin:triage_modelversion_changelist")
    admin = Client()
    admin.force_login(district.user("admin"))
    listing = admin.get(changelist)
    assert listing.status_code == 200 and "启用所选版本（回滚）" in listing.content.decode()

    def roll(client: Client, *pks: int):
        data = {"action": "put_in_use", "_selected_action": [str(pk) for pk in pks]}
        return client.post(changelist, data, follow=True)

    both = roll(admin, first.pk, second.pk)
    assert "请只选择一个版本" in both.content.decode() and model_version_in_use() == second.pk

    viewer = User.objects.create_user(username="viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    looking = Client()
    looking.force_login(viewer)
    assert looking.get(changelist).status_code == 200
    assert "启用所选版本" not in looking.get(changelist).content.decode()
    roll(looking, first.pk)
    assert model_version_in_use() == second.pk

    with django_capture_on_commit_callbacks(execute=False) as installs:
        done = roll(admin, first.pk)
    assert f"v{first.pk} 已启用" in done.content.decode().lower()  # the admin capitalises it
    assert model_version_in_use() == first.pk and len(installs) == 1  # the file, after commit
    first.refresh_from_db()
    assert first.decided_by == district.user("admin") and "管理后台回滚" in first.note
