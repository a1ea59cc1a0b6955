"""`minxin triage train|classify|hotspots|evaluate` — the contract scripts outside rely on.

Bad input (missing file or columns, empty file, not UTF-8) → a message naming the problem on
stderr, exit status 2, and no output file (output is written to a temporary file and renamed).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.triage.nlp import HotspotInput, classify, cross_validate, find_hotspots, train
from minxin.triage.nlp.csvio import InputError, read_csv, write_csv_atomic
from minxin.triage.nlp.dataset import DEFAULT_DATA_DIR, DEFAULT_MODEL_PATH
from minxin.triage.nlp.hotspots import HotspotSummary

_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
BATCH = 2000
SUMMARY_COLUMNS = (
    "cluster_id",
    "label",
    "place",
    "matter",
    "first_time",
    "last_time",
    "messages",
    "people",
    "likes",
    "heat",
)


def _summary_row(s: HotspotSummary) -> dict[str, object]:
    fmt = "%Y-%m-%d %H:%M:%S"
    return {
        "cluster_id": s.cluster_id,
        "label": s.label,
        "place": s.place,
        "matter": s.matter,
        "first_time": s.first.strftime(fmt) if s.first else "",
        "last_time": s.last.strftime(fmt) if s.last else "",
        "messages": s.messages,
        "people": s.people,
        "likes": s.likes,
        "heat": s.heat,
    }


def parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)  # noqa: DTZ007 — local times, only compared
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _int(value: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


class Command(BaseCommand):
    help = "快速甄别：训练、分类、热点聚类、交叉验证 (train | classify | hotspots | evaluate)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        t = sub.add_parser("train", help="(re)train from the data files plus recorded corrections")
        t.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        t.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
        t.add_argument("--no-corrections", action="store_true", help="ignore the database")
        t.add_argument(
            "--no-annotations", action="store_true", help="leave out the annotated messages"
        )
        a = sub.add_parser(
            "model-align",
            help="rewrite a model saved before its arrays were aligned (memory-mapped since)",
        )
        a.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
        sub.add_parser(
            "words-table",
            help="write jieba's dictionary as the memory-mapped table the processes cut with",
        )
        self._file_actions(sub)

    def _file_actions(self, sub: Any) -> None:
        """The actions on CSV files and the data directory."""
        c = sub.add_parser("classify", help="add category, category_confidence, category_path")
        c.add_argument("--input", type=Path, required=True)
        c.add_argument("--output", type=Path, required=True)
        h = sub.add_parser("hotspots", help="id, cluster_id, heat for every row")
        h.add_argument("--input", type=Path, required=True)
        h.add_argument("--output", type=Path, required=True)
        h.add_argument(
            "--window-days",
            type=float,
            default=365.0,
            help="a message joins a hotspot whose last message is at most this many days older",
        )
        h.add_argument(
            "--summary",
            type=Path,
            help="also write one row per hotspot: label, place, time span, messages, people, likes",
        )
        e = sub.add_parser(
            "evaluate", help="stratified k-fold cross-validation on the labelled file"
        )
        e.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        e.add_argument("--folds", type=int, default=5)
        e.add_argument("--seed", type=int, default=0)
        e.add_argument(
            "--no-annotations", action="store_true", help="leave out the annotated messages"
        )
        sub.add_parser(
            "signatures", help="store the duplicate-lookup signatures of appeals that have none"
        )
        sub.add_parser("hotspots-store", help="put every appeal that has none into its hotspot")
        sub.add_parser(
            "thresholds",
            help="fit the confidence calibration on held-out folds and compute the threshold "
            "meeting each rule's target precision",
        )
        sub.add_parser(
            "train-version",
            help="train a model version; in use only when at least as good on the evaluation set",
        )
        i = sub.add_parser(
            "hotspot-idf", help="rewrite the IDF table the app's hotspots use, from the data files"
        )
        i.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "train":
                self._train(options)
            elif action == "model-align":
                from minxin.triage.nlp.classifier import model_align

                path = options["model"]
                done = "rewritten aligned" if model_align(path) else "already aligned"
                self.stdout.write(f"{path}: {done}")
            elif action == "words-table":
                from minxin.triage.nlp.wordtable import WORDS_PATH, forget_tables, table_write

                self.stdout.write(f"{table_write(WORDS_PATH)} entries → {WORDS_PATH}")
                forget_tables()
            elif action == "classify":
                self._classify(options["input"], options["output"])
            elif action == "hotspots":
                self._hotspots(
                    options["input"], options["output"], options["window_days"], options["summary"]
                )
            elif action == "evaluate":
                self._evaluate(options)
            elif action == "signatures":
                from minxin.triage.duplicates import signatures_backfill

                self.stdout.write(f"stored {signatures_backfill()} signatures")
            elif action == "thresholds":
                from minxin.triage.versions import (
                    auto_dispatch_thresholds_compute,
                    confidence_calibration_fit,
                )

                scored = confidence_calibration_fit()
                self.stdout.write(f"calibration fitted on {len(scored)} held-out suggestions")
                self.stdout.write(f"{auto_dispatch_thresholds_compute(scored=scored)} rules")
            elif action == "train-version":
                from minxin.triage.versions import model_version_train

                v = model_version_train(actor=None)
                self.stdout.write(
                    f"v{v.pk}: macro-F1 {v.macro_f1:.4f} on {v.evaluated_on} "
                    f"({v.get_status_display()}) {v.note}"
                )
            elif action == "hotspots-store":
                from minxin.triage.hotspots import hotspots_backfill

                self.stdout.write(f"placed {hotspots_backfill()} appeals in hotspots")
            elif action == "hotspot-idf":
                from minxin.triage.nlp.hotspots import IDF_PATH, idf_table_write

                n = idf_table_write(options["data_dir"])
                self.stdout.write(f"IDF of {n} messages → {IDF_PATH}")
        except InputError as e:
            raise CommandError(str(e), returncode=2) from None

    def _train(self, options: dict[str, Any]) -> None:
        extra = []
        if not options["no_corrections"]:
            from django.db import DatabaseError

            from minxin.triage.selectors import triage_training_examples

            try:
                extra = triage_training_examples()
            except DatabaseError as e:  # e.g. a fresh clone before `migrate`
                self.stderr.write(f"corrections not read ({e}); training on the data files only")
            else:
                self.stdout.write(f"{len(extra)} corrections from the database")
        model = train(
            data_dir=options["data_dir"],
            extra=extra,
            out=options["model"],
            annotations=not options["no_annotations"],
        )
        self.stdout.write(f"trained on {model.trained_on}; saved {options['model']}")

    def _classify(self, src: Path, dst: Path) -> None:
        header, rows = read_csv(src, ("title", "content"))
        out_header = header + [
            c for c in ("category", "category_confidence", "category_path") if c not in header
        ]
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            for row, s in zip(
                batch, classify([(r["title"], r["content"]) for r in batch]), strict=True
            ):
                row["category"] = s.category
                row["category_confidence"] = f"{s.confidence:.4f}"
                row["category_path"] = s.path
        write_csv_atomic(dst, out_header, rows)
        self.stdout.write(f"{len(rows)} rows → {dst}")

    def _hotspots(self, src: Path, dst: Path, window_days: float, summary: Path | None) -> None:
        _, rows = read_csv(src, ("id", "title", "content", "time"))
        items = [
            HotspotInput(
                id=r["id"],
                title=r["title"],
                content=r["content"],
                time=parse_time(r["time"]),
                likes=_int(r.get("likes", "")),
                user=r.get("user", "") or "",
            )
            for r in rows
        ]
        result = find_hotspots(items, window_days=window_days)
        if summary is not None:
            write_csv_atomic(summary, SUMMARY_COLUMNS, (_summary_row(s) for s in result.summaries))
        write_csv_atomic(
            dst,
            ("id", "cluster_id", "heat"),
            ({"id": o.id, "cluster_id": o.cluster_id, "heat": o.heat} for o in result.rows),
        )
        clustered = sum(1 for o in result.rows if o.cluster_id)
        self.stdout.write(
            f"{len(result.rows)} rows, {len(result.summaries)} clusters, "
            f"{clustered} rows clustered → {dst}" + (f", summary → {summary}" if summary else "")
        )

    def _evaluate(self, options: dict[str, Any]) -> None:
        r = cross_validate(
            data_dir=options["data_dir"],
            folds=options["folds"],
            seed=options["seed"],
            annotations=not options["no_annotations"],
        )
        w = self.stdout.write
        w(f"Stratified {r.folds}-fold cross-validation (seed {r.seed}) on {r.n} labelled messages")
        w(
            "recipe fixed in advance; each fold trained from scratch "
            "without the test fold's labels or texts"
        )
        if r.annotated:
            w(f"plus {r.annotated} annotated messages in every fold's training")
        w(f"macro-F1 (pooled out-of-fold): {r.macro_f1:.4f}")
        folds = ", ".join(f"{f:.4f}" for f in r.fold_macro_f1)
        mean = sum(r.fold_macro_f1) / len(r.fold_macro_f1)
        w(f"macro-F1 per fold: {folds} (mean {mean:.4f})")
        w(f"accuracy: {r.accuracy:.4f}")
        w(f"{'class':<12}{'precision':>10}{'recall':>8}{'F1':>8}{'n':>5}")
        for name, (p, rec, f, n) in r.per_class.items():
            w(f"{name:<12}{p:>10.3f}{rec:>8.3f}{f:>8.3f}{n:>5}")
        w(f"({r.seconds} s)")
