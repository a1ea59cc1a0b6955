"""Tokens: hashed character n-grams (fast, no dictionary) and jieba words (for people reading).

The classifier uses character 1–3-grams hashed into a fixed space with numpy, so it needs no
vocabulary (small model, no out-of-vocabulary words) and runs thousands of appeals a second.
"""

from typing import Final

import numpy as np
import numpy.typing as npt

N_FEATURES_DEFAULT: Final = 1 << 19

_M1: Final = np.uint64(0x9E3779B97F4A7C15)
_M2: Final = np.uint64(0xFF51AFD7ED558CCD)
_M3: Final = np.uint64(0xC4CEB9FE1A85EC53)
_S33: Final = np.uint64(33)
_SALT: Final = (
    np.uint64(0x100000001B3),
    np.uint64(0x27D4EB2F165667C5),
    np.uint64(0x165667B19E3779F9),
)

U64Array = npt.NDArray[np.uint64]


def codepoints(text: str) -> U64Array:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _fmix(x: U64Array) -> U64Array:
    x = x ^ (x >> _S33)
    x = x * _M2
    x = x ^ (x >> _S33)
    x = x * _M3
    return x ^ (x >> _S33)


def ngram_hashes(text: str, ngram_range: tuple[int, int] = (1, 3)) -> U64Array:
    """64-bit hashes of every character n-gram of `text` (n in ngram_range), as in sklearn's
    `analyzer="char"` but without building strings."""
    cps = codepoints(text)
    parts: list[U64Array] = []
    acc: U64Array | None = None
    for n in range(1, ngram_range[1] + 1):
        if len(cps) < n:
            break
        acc = cps[: len(cps) - n + 1].copy() if acc is None else acc[:-1] * _M1 + cps[n - 1 :]
        if n >= ngram_range[0]:
            parts.append(_fmix(acc + _SALT[(n - 1) % 3]))
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    return np.concatenate(parts)


def ngram_buckets(
    text: str, n_features: int = N_FEATURES_DEFAULT, ngram_range: tuple[int, int] = (1, 3)
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """(bucket ids, counts) of the character n-grams of `text` hashed into n_features buckets."""
    h = ngram_hashes(text, ngram_range) & np.uint64(n_features - 1)
    ids, counts = np.unique(h.astype(np.int64), return_counts=True)
    return ids, counts.astype(np.float64)


def words(text: str) -> list[str]:
    """jieba words without spaces (slower; for display and keyword mining, not the classifier).
    Cut over the memory-mapped word table when setup built it (`wordtable`), else over the
    dictionary jieba loads into the process."""
    from .wordtable import WORDS_PATH, cut, mapped_table

    table = mapped_table(WORDS_PATH)
    if table is not None:
        return [w for w in cut(text, table) if w.strip()]
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text, HMM=False) if w.strip()]
