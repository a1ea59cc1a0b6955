"""Model versions of the category classifier: train a candidate, promote it only when it is at
least as good as the model in use on the fixed evaluation set, put any version back in use.

The model in use is the file every process reads (`nlp.dataset.DEFAULT_MODEL_PATH`; the engine
reloads it when the file changes); a version's own file stays under `versions/`. Installing a
file is a side effect done once the decision is committed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import MinxinError
from minxin.triage.nlp import forget_models
from minxin.triage.nlp.calibration import Calibration, fit_calibration
from minxin.triage.nlp.dataset import DEFAULT_MODEL_PATH
from minxin.triage.nlp.versions import (
    EVAL_SET,
    at_least_as_good,
    out_of_fold,
    precision_threshold,
    train_version,
)

from .models import (
    AutoDispatchRule,
    CorrectionField,
    ModelStatus,
    ModelVersion,
    TriageCorrection,
)
from .selectors import triage_training_examples

# The confidence calibration in use (`nlp.calibration`), written by `minxin triage thresholds`.
CALIBRATION_PATH = DEFAULT_MODEL_PATH.with_name("calibration.json")
_calibration: dict[Path, tuple[float, Calibration | None]] = {}


def confidence_calibrated(raw: float, *, path: Path = CALIBRATION_PATH) -> float:
    """The classifier's confidence as the share of such suggestions that were right on held-out
    messages (the calibration in use; the raw value until one has been fitted). The file is
    reread when it changes."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return round(raw, 4)
    cached = _calibration.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, Calibration.load(path))
        _calibration[path] = cached
    mapped = cached[1]
    return round(mapped(raw) if mapped is not None else raw, 4)


def confidence_calibration_fit(
    *, path: Path = CALIBRATION_PATH, scored: Sequence[tuple[str, float, bool]] | None = None
) -> list[tuple[str, float, bool]]:
    """Fit the calibration on held-out suggestions (`out_of_fold`: 5-fold cross-validation of
    the labelled messages, unless given) and put it in use; those suggestions with their
    calibrated confidence (what a stored suggestion's confidence means from now on)."""
    if scored is None:
        scored = out_of_fold()
    mapped = fit_calibration([(c, ok) for _, c, ok in scored])
    mapped.save(path)
    return [(cls, round(mapped(c), 4), ok) for cls, c, ok in scored]


def _artifact(version_id: int, live: Path) -> Path:
    return live.parent / "versions" / f"v{version_id}.npz"


def _install(artifact: Path, live: Path) -> None:
    """Make `artifact` the model in use: copy beside the live file, then rename over it."""
    live.parent.mkdir(parents=True, exist_ok=True)
    tmp = live.with_name(live.name + ".installing.npz")
    shutil.copyfile(artifact, tmp)
    tmp.replace(live)
    forget_models()


def model_version_train(
    *,
    actor: User | None,
    live: Path = DEFAULT_MODEL_PATH,
    train: Callable[..., Any] = train_version,
    **options: Any,
) -> ModelVersion:
    """Train a candidate (the board's labels without the evaluation set, the dispatchers'
    corrections, the annotated and unlabelled messages), store it with its figures, and promote
    it when its macro-F1 on the evaluation set is at least the model in use's; otherwise it is
    kept, marked 未上线. Training runs outside any transaction."""
    model, figures = train(corrections=triage_training_examples(), **options)
    with transaction.atomic(durable=True):
        version = ModelVersion.objects.create(
            trained_on=model.trained_on[:300],
            labelled=figures.labelled,
            corrections=figures.corrections,
            annotated=figures.annotated,
            unlabelled=figures.unlabelled,
            eval_set=EVAL_SET,
            evaluated_on=figures.evaluated_on,
            macro_f1=figures.macro_f1,
            accuracy=figures.accuracy,
            per_class=figures.per_class,
            train_seconds=figures.seconds,
        )
        path = _artifact(version.pk, live)
        model.save(path)
        version.artifact = str(path)
        current = ModelVersion.objects.select_for_update().filter(status=ModelStatus.ACTIVE).first()
        if at_least_as_good(version.macro_f1, current.macro_f1 if current else None):
            mine = f"宏F1 {version.macro_f1:.4f}"
            note = (
                f"自动上线：{mine} ≥ 在用版本 v{current.pk} {current.macro_f1:.4f}"
                if current
                else f"自动上线：首个版本，{mine}"
            )
            _put_in_use(version, current=current, actor=actor, note=note, live=live)
        else:
            assert current is not None
            version.status = ModelStatus.REJECTED
            version.decided_at = timezone.now()
            version.decided_by = actor
            mine = f"宏F1 {version.macro_f1:.4f}"
            version.note = f"未上线：{mine} < 在用版本 v{current.pk} {current.macro_f1:.4f}"
            version.save()
    return version


def _put_in_use(
    version: ModelVersion,
    *,
    current: ModelVersion | None,
    actor: User | None,
    note: str,
    live: Path,
) -> None:
    now = timezone.now()
    if current is not None and current.pk != version.pk:
        current.status = ModelStatus.RETIRED
        current.decided_at, current.decided_by = now, actor
        current.note = f"由 v{version.pk} 替换"[:300]
        current.save(update_fields=["status", "decided_at", "decided_by", "note"])
    version.status = ModelStatus.ACTIVE
    version.decided_at, version.decided_by, version.note = now, actor, note[:300]
    version.save()
    artifact = Path(version.artifact)
    transaction.on_commit(lambda: _install(artifact, live))


@transaction.atomic(durable=True)
def model_version_activate(
    *, version_id: int, actor: User | None, reason: str = "", live: Path = DEFAULT_MODEL_PATH
) -> ModelVersion:
    """Put a version back in use (a rollback, or a roll forward), whatever its figures: a
    supervisor's decision, recorded with who and why."""
    version = ModelVersion.objects.select_for_update().get(pk=version_id)
    if not version.artifact or not Path(version.artifact).exists():
        raise MinxinError("该版本的模型文件不存在，无法启用")
    current = ModelVersion.objects.select_for_update().filter(status=ModelStatus.ACTIVE).first()
    if current is not None and current.pk == version.pk:
        return version
    note = f"手动启用（回滚）：{reason}" if reason else "手动启用（回滚）"
    _put_in_use(version, current=current, actor=actor, note=note, live=live)
    return version


def model_version_due() -> bool:
    """Whether a scheduled training has something new to learn: no version yet, or a category
    correction recorded since the last version's training began (it read the corrections
    then; its row is written when it ends)."""
    last = ModelVersion.objects.order_by("-created_at").only("created_at", "train_seconds")
    version = last.first()
    if version is None:
        return True
    began = version.created_at - timedelta(seconds=version.train_seconds)
    return TriageCorrection.objects.filter(
        field=CorrectionField.CATEGORY, created_at__gt=began
    ).exists()


def model_version_in_use() -> int | None:
    """The id of the version in use (None before the first versioned training)."""
    return (
        ModelVersion.objects.filter(status=ModelStatus.ACTIVE).values_list("pk", flat=True).first()
    )


def auto_dispatch_thresholds_compute(
    *, scored: Sequence[tuple[str, float, bool]] | None = None
) -> int:
    """For every rule that states a target precision: the lowest confidence at which the
    classifier's suggestions of the rule's top-level class were right at least that often on
    held-out folds (`out_of_fold`, 5-fold cross-validation of the labelled messages), and the
    share of all appeals its decisions would take; without `scored`, the calibration is fitted
    on those folds first and the thresholds are on the calibrated confidence, as stored
    suggestions carry it. Stored beside the rule for the admin who sets its 最低置信度; the
    rule's own threshold is not changed. How many rules were done."""
    rules = list(
        AutoDispatchRule.objects.filter(target_precision__isnull=False).select_related("category")
    )
    if not rules:
        return 0
    if scored is None:
        scored = confidence_calibration_fit()
    now = timezone.now()
    for rule in rules:
        top = rule.category.top_level.name
        mine = [(c, ok) for cls, c, ok in scored if cls == top]
        target = float(rule.target_precision or 0)
        threshold, taken, precision = precision_threshold(mine, target)
        rule.suggested_threshold = threshold
        rule.suggested_share = taken / len(scored) if threshold is not None else None
        rule.threshold_note = (
            f"{len(scored)}条留出样本中建议为“{top}”的{len(mine)}条：置信度≥{threshold:.3f}时"
            f"取{taken}条，准确率{precision:.3f}"
            if threshold is not None
            else f"建议为“{top}”的{len(mine)}条留出样本达不到目标准确率"
        )[:300]
        rule.threshold_at = now
        rule.save(
            update_fields=[
                "suggested_threshold",
                "suggested_share",
                "threshold_note",
                "threshold_at",
            ]
        )
    return len(rules)
