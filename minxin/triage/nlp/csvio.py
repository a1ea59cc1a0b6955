"""CSV in and out for the command line: strict input checks, atomic output."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path


class InputError(Exception):
    """Bad input: the message names the problem and is shown to the user as is."""


def read_csv(path: Path, required: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """UTF-8 (with or without BOM) CSV with a header naming at least `required` columns."""
    if not path.exists():
        raise InputError(f"输入文件不存在 (input file not found): {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"输入文件为空 (empty file): {path}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"输入文件不是 UTF-8 编码 (not UTF-8, e.g. GB18030/GBK; re-save it as UTF-8): {path} "
            f"(byte {e.start})"
        ) from None
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # long appeals are fine
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"缺少列 (missing columns): {', '.join(missing)}; "
            f"表头 (header): {', '.join(header) or '(none)'}"
        )
    reader.fieldnames = header
    try:
        rows = [
            {k: (v if v is not None else "") for k, v in r.items() if k is not None} for r in reader
        ]
    except csv.Error as e:
        raise InputError(f"CSV 格式错误 (malformed CSV): {e}") from None
    if not rows:
        raise InputError(f"输入文件没有数据行 (no data rows): {path}")
    return header, rows


def write_csv_atomic(
    path: Path, header: Sequence[str], rows: Iterable[Mapping[str, object]]
) -> None:
    """Write to a temporary file beside `path`, then rename: no partial output on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(header), extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
