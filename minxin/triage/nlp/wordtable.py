"""jieba's dictionary as a memory-mapped hash table, so that no process holds it (issue 17).

jieba keeps its dictionary, every word and every prefix of one (498,000 entries), in a Python
dict: about 100 MB in each process that cuts a text, built in seconds on first use (a web
process that computed a triage panel grew by that much). Cutting only asks that dict whether a
string is there and its frequency, so the same answers can come from a file: an open-addressing
table of 64-bit hashes of the strings and their frequencies (24 MB), built once at setup from
the dictionary jieba ships (`minxin triage words-table`), memory-mapped read-only by each
process; the pages live in the page cache, shared, and leave the process after each cut.

The cut is jieba's own (`Tokenizer.lcut`, no HMM) over this table instead of its dict, so the
words are the same; without the file (or for another jieba dictionary) jieba's dict is used as
before.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import mmap
import re
import struct
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np

from .dataset import DEFAULT_MODEL_PATH

# Beside the model: derived data, built by `make setup` (`minxin triage words-table`).
WORDS_PATH: Final = DEFAULT_MODEL_PATH.with_name("jieba_words.table")
MAGIC: Final = b"MXWORDS1"
# magic, slots, entries, jieba's total, the digest of its dictionary: 64 bytes
_HEADER = struct.Struct("<8sQQQ32s")
HEADER_BYTES: Final = 64
_lock = threading.Lock()
_tables: dict[Path, MappedFreq | None] = {}


def _key(word: str) -> int:
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") | 1  # 0 marks an empty slot


def dictionary_file() -> Path:
    """The dictionary jieba reads by default, found without importing jieba (whose import
    alone cost 65 MB here: its HMM emission table, a 1.3 MB Python literal, is compiled)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def dictionary_digest() -> bytes:
    """Which dictionary: the SHA-256 of the file jieba reads by default."""
    return hashlib.sha256(dictionary_file().read_bytes()).digest()


def table_write(path: Path) -> int:
    """Build the table from jieba's default dictionary into `path` (atomically); its entries."""
    import jieba

    with dictionary_file().open("rb") as f:
        freq, total = jieba.Tokenizer.gen_pfdict(f)
    slots = 1 << max(10, (3 * len(freq)).bit_length())  # at most a third full
    mask = slots - 1
    keys = [0] * slots
    values = [0] * slots
    seen: dict[int, str] = {}
    for word, count in freq.items():
        key = _key(word)
        if key in seen:
            raise ValueError(f"hash collision: {word!r} and {seen[key]!r}")
        seen[key] = word
        if not 0 <= count < 2**32:
            raise ValueError(f"frequency out of range: {word!r} {count}")
        i = key & mask
        while keys[i]:
            i = (i + 1) & mask
        keys[i] = key
        values[i] = count
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        out.write(_HEADER.pack(MAGIC, slots, len(freq), total, dictionary_digest()))
        out.write(np.array(keys, dtype=np.uint64).tobytes())
        out.write(np.array(values, dtype=np.uint32).tobytes())
    tmp.replace(path)
    return len(freq)


class MappedFreq(Mapping[str, int]):
    """The table read through a memory map, answering as jieba's FREQ dict does."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as f:
            self._memory = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        magic, slots, self._size, total, self.digest = _HEADER.unpack_from(self._memory)
        if magic != MAGIC or len(self._memory) != HEADER_BYTES + 12 * slots:
            raise ValueError(f"{path}: not a word table")
        self._memory.madvise(mmap.MADV_RANDOM)
        self.total = int(total)
        self._mask = slots - 1
        view = memoryview(self._memory)
        self._keys = view[HEADER_BYTES : HEADER_BYTES + 8 * slots].cast("Q")
        self._values = view[HEADER_BYTES + 8 * slots :].cast("I")

    def _slot(self, word: object) -> int:
        if not isinstance(word, str):
            return -1
        key = _key(word)
        i = key & self._mask
        keys = self._keys
        while True:
            found = keys[i]
            if found == key:
                return i
            if found == 0:
                return -1
            i = (i + 1) & self._mask

    def __contains__(self, word: object) -> bool:
        return self._slot(word) >= 0

    def __getitem__(self, word: str) -> int:
        i = self._slot(word)
        if i < 0:
            raise KeyError(word)
        return int(self._values[i])

    def get(self, word: str, default: Any = None) -> Any:
        i = self._slot(word)
        return default if i < 0 else int(self._values[i])

    def __iter__(self) -> Any:
        raise TypeError("a word table is not iterated")

    def __len__(self) -> int:
        return self._size

    def release(self) -> None:
        """Drop the pages read from this process's page tables (they stay in the page cache):
        the kernel maps whole cached folios around each slot read, which would add up."""
        self._memory.madvise(mmap.MADV_DONTNEED)


def mapped_table(path: Path) -> MappedFreq | None:
    """The table at `path` when it is there and made from jieba's dictionary; else None."""
    with _lock:
        if path not in _tables:
            try:
                table: MappedFreq | None = MappedFreq(path)
            except (OSError, ValueError):
                table = None
            if table is not None and table.digest != dictionary_digest():
                table = None
            _tables[path] = table
        return _tables[path]


def forget_tables() -> None:
    with _lock:
        _tables.clear()


class _Remembered(dict[str, int | None]):
    """The table's answers during one cut: jieba asks about each string two or three times."""

    def __init__(self, table: MappedFreq) -> None:
        super().__init__()
        self._table = table

    def _answer(self, word: str) -> int | None:
        try:
            return dict.__getitem__(self, word)
        except KeyError:
            found = self._table.get(word)
            dict.__setitem__(self, word, found)
            return found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._answer(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._answer(word)
        if found is None:
            raise KeyError(word)
        return found

    def get(self, word: str, default: Any = None) -> Any:
        found = self._answer(word)
        return default if found is None else found


# jieba 0.42.1's own expressions (jieba/__init__.py).
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)
_RE_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)


def cut(text: str, table: MappedFreq) -> list[str]:
    """`jieba.lcut(text, HMM=False)` over the table: jieba's `Tokenizer.cut` with its
    `__cut_DAG_NO_HMM`, `get_DAG` and `calc` (MIT licence), here so that the cut needs no
    import of jieba."""
    freq = _Remembered(table)
    logtotal = math.log(table.total)
    out: list[str] = []
    try:
        for block in _RE_HAN.split(text):
            if not block:
                continue
            if _RE_HAN.match(block):
                out.extend(_cut_dag_no_hmm(block, freq, logtotal))
                continue
            for x in _RE_SKIP.split(block):
                if _RE_SKIP.match(x):
                    out.append(x)
                else:
                    out.extend(x)
    finally:
        table.release()
    return out


def _cut_dag_no_hmm(sentence: str, freq: _Remembered, logtotal: float) -> list[str]:
    n = len(sentence)
    dag: dict[int, list[int]] = {}
    for k in range(n):
        ends = []
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                ends.append(i)
            i += 1
            frag = sentence[k : i + 1]
        dag[k] = ends or [k]
    route: dict[int, tuple[float, int]] = {n: (0.0, 0)}
    for idx in range(n - 1, -1, -1):
        route[idx] = max(
            (math.log(freq.get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x)
            for x in dag[idx]
        )
    out: list[str] = []
    x = 0
    buf = ""
    while x < n:
        y = route[x][1] + 1
        word = sentence[x:y]
        if _RE_ENG.match(word) and len(word) == 1:
            buf += word
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(word)
        x = y
    if buf:
        out.append(buf)
    return out
