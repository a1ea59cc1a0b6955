"""The top-level category classifier: a stack of small linear models over hashed character
n-grams and the weak-label rule file, trained on the labelled messages plus unlabelled text.

Recipe (fixed; see docs/triage.md for how it was chosen and measured):
1. Features, two blocks side by side: character 1–3-grams of "title 。 content" and of the title
   alone, each hashed into 2**19 buckets, sublinear TF × IDF (each IDF fitted on every text
   available for training, labelled or not), L2-normalised. The title block lets the models
   weigh the title's words apart from the same words deep in the content.
2. Rule features: the weak-label rule file scored on title and on content (14 numbers).
3. Supervised models: a linear SVM and a complement naive Bayes on the labelled messages (and the
   dispatchers' corrections); another SVM and NB on the annotated messages (labelled by our
   annotators from the catalogue alone, whose conventions differ from the board's).
4. A logistic regression over [rule features, supervised models, annotated models], the
   supervised inputs taken out-of-fold, so it learns how far to trust each.
Every base model is linear, so at prediction time the whole stack is one sparse × dense product
and a logistic regression over 42 inputs (28 without annotations).

The features are plain CSR arrays (`Rows`) and a prediction multiplies them with numpy alone:
scipy (15 MB a process) is imported only to train, where sklearn needs its sparse matrices, not
in the web processes that classify one appeal at a time.
"""

from __future__ import annotations

import hashlib
import itertools
import mmap
import struct
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

from .lexicon import Lexicon, default_lexicon
from .normalize import normalize_text
from .tokenize import N_FEATURES_DEFAULT, ngram_buckets

if TYPE_CHECKING:
    import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_CONTENT_CHARS: Final = 3000
SVM_C: Final = 1.0
NB_ALPHA: Final = 0.03
META_C: Final = 0.03
FORMAT_VERSION: Final = 3
# Arrays this large are memory-mapped from the saved file instead of read (see `load`).
MAP_BYTES: Final = 1 << 20
ALIGN: Final = 64  # where a saved array's data starts in the file (a multiple of)
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local header (30 bytes)
_ZIP64_EXTRA: Final = 20  # the sizes a member written with force_zip64 adds to that header
_PADDING_ID: Final = 0xD935  # the extra field zipalign pads with; readers skip it


class OutdatedModel(ValueError):
    """A saved model of another format version."""


@dataclass(frozen=True)
class Example:
    title: str
    content: str
    label: str


@dataclass(frozen=True)
class Doc:
    """A normalised title and content: what every model reads."""

    title: str
    content: str

    @classmethod
    def of(cls, title: str | None, content: str | None) -> Doc:
        return cls(normalize_text(title), normalize_text(content)[:MAX_CONTENT_CHARS])

    @property
    def text(self) -> str:
        return f"{self.title} 。 {self.content}"


def text_key(title: str | None, content: str | None) -> str:
    """A hash of the letters of a message, to find the same message in two files."""
    doc = Doc.of(title, content)
    letters = "".join(ch for ch in doc.title + doc.content if ch.isalnum())
    return hashlib.blake2b(letters.encode("utf-8"), digest_size=12).hexdigest()


class Rows(NamedTuple):
    """A sparse matrix as the CSR arrays scipy uses (row i's entries are
    data[indptr[i]:indptr[i+1]] in columns indices[same]), without scipy."""

    data: FloatArray
    indices: IntArray
    indptr: IntArray
    shape: tuple[int, int]

    def row_ids(self) -> IntArray:
        """The row of each entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def csr(self) -> sp.csr_matrix:
        """The scipy matrix of these arrays, to train on (imported here: see the docstring)."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)

    def times(self, dense: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """self.astype(float32) @ dense, as scipy computes it: each row's entries times the rows
        of `dense` they name, summed in entry order in float32 (the same numbers). A row at a
        time, so the temporary is one text's entries (a few hundred KB), not a batch's."""
        out = np.zeros((self.shape[0], dense.shape[1]), dtype=np.float32)
        data = self.data.astype(np.float32)
        for row, (lo, hi) in enumerate(itertools.pairwise(self.indptr.tolist())):
            if hi > lo:
                out[row] = np.add.reduce(data[lo:hi, None] * dense[self.indices[lo:hi]], axis=0)
        return out


def count_matrix(texts: Sequence[str], n_features: int) -> Rows:
    indptr = [0]
    indices: list[IntArray] = []
    data: list[FloatArray] = []
    for text in texts:
        ids, counts = ngram_buckets(text, n_features)
        indices.append(ids)
        data.append(counts)
        indptr.append(indptr[-1] + len(ids))
    return Rows(
        np.concatenate(data) if data else np.zeros(0),
        np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
        np.asarray(indptr, dtype=np.int64),
        (len(texts), n_features),
    )


def block_counts(docs: Sequence[Doc], n_features: int) -> tuple[Rows, Rows]:
    """Counts of the two feature blocks: the whole text, the title alone."""
    return count_matrix([d.text for d in docs], n_features), count_matrix(
        [d.title for d in docs], n_features
    )


def fit_idf(counts: Rows) -> FloatArray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def tfidf(counts: Rows, idf: FloatArray) -> Rows:
    # On the arrays: scipy's sparse products allocate a row as wide as the 2**19 buckets, which
    # made one appeal's features cost 0.7 ms.
    data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    rows = counts.row_ids()
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    norms[norms == 0] = 1.0
    return Rows(data / norms[rows], counts.indices.copy(), counts.indptr.copy(), counts.shape)


def _side_by_side(left: Rows, right: Rows) -> Rows:
    """Each row of `left` followed by the same row of `right` (its columns after left's), as
    scipy's hstack orders them."""
    n, width = left.shape
    left_len, right_len = np.diff(left.indptr), np.diff(right.indptr)
    indptr = np.concatenate([[0], np.cumsum(left_len + right_len)]).astype(np.int64)
    data = np.empty(len(left.data) + len(right.data))
    indices = np.empty(len(data), dtype=np.int64)
    # An entry's place: its row's start, plus its place within its block's row (and after
    # left's entries of the row, for right's).
    lrows, rrows = left.row_ids(), right.row_ids()
    at_left = indptr[lrows] + np.arange(len(left.data)) - left.indptr[lrows]
    at_right = indptr[rrows] + left_len[rrows] + np.arange(len(right.data)) - right.indptr[rrows]
    data[at_left], indices[at_left] = left.data, left.indices
    data[at_right], indices[at_right] = right.data, right.indices + width
    return Rows(data, indices, indptr, (n, width + right.shape[1]))


def _features(blocks: tuple[Rows, Rows], idf: FloatArray) -> Rows:
    """The two blocks' TF-IDF side by side; `idf` holds both blocks' IDFs one after the other."""
    n = blocks[0].shape[1]
    return _side_by_side(tfidf(blocks[0], idf[:n]), tfidf(blocks[1], idf[n:]))


def rule_features(lexicon: Lexicon, docs: Sequence[Doc]) -> FloatArray:
    if not docs:
        return np.zeros((0, 2 * len(lexicon.classes)))
    return np.log1p(np.array([lexicon.scores(d.title, d.content) for d in docs]))


@dataclass
class CategoryModel:
    classes: tuple[str, ...]
    n_features: int
    idf: npt.NDArray[np.float32]  # (2 * n_features,): text block, title block
    weights: npt.NDArray[np.float32]  # (2 * n_features, n_base)
    bias: FloatArray  # (n_base,)
    meta_mean: FloatArray
    meta_scale: FloatArray
    meta_coef: FloatArray  # (n_classes, n_meta)
    meta_intercept: FloatArray
    lexicon_classes: tuple[str, ...]
    trained_on: str = ""
    # The saved file mapped in memory when `idf` and `weights` are views of it (`load`).
    mapping: mmap.mmap | None = field(default=None, repr=False, compare=False)

    # --- prediction -------------------------------------------------------------------------
    def predict_docs(self, docs: Sequence[Doc], lexicon: Lexicon | None = None) -> FloatArray:
        lexicon = lexicon or default_lexicon()
        if not docs:
            return np.zeros((0, len(self.classes)))
        x = _features(block_counts(docs, self.n_features), self.idf)  # type: ignore[arg-type]
        # float32 × float32: no upcast copy of the (2 · n_features × n_base) weights per call
        base = np.asarray(x.times(self.weights), dtype=np.float64) + self.bias
        if self.mapping is not None:
            # The rows read stay in the page cache, shared by every process, but leave this
            # process's page tables: the kernel maps a whole cached folio (up to megabytes)
            # around each row read, so a few hundred scattered rows would otherwise add tens
            # of MB to each process's RSS, and the whole 117 MB after a few hundred texts.
            self.mapping.madvise(mmap.MADV_DONTNEED)
        z = np.hstack([rule_features(lexicon, docs), base])
        z = (z - self.meta_mean) / self.meta_scale
        logits = z @ self.meta_coef.T + self.meta_intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def predict_proba(self, pairs: Sequence[tuple[str | None, str | None]]) -> FloatArray:
        return self.predict_docs([Doc.of(t, c) for t, c in pairs])

    # --- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """An ordinary .npz (`np.load` reads it), its members stored uncompressed with their
        data 64-byte aligned in the file, so that `load` can memory-map the large ones."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        _npz_write_aligned(
            tmp,
            {
                "format_version": np.array(FORMAT_VERSION),
                "classes": np.array(self.classes),
                "lexicon_classes": np.array(self.lexicon_classes),
                "n_features": np.array(self.n_features),
                "idf": self.idf,
                "weights": self.weights,
                "bias": self.bias,
                "meta_mean": self.meta_mean,
                "meta_scale": self.meta_scale,
                "meta_coef": self.meta_coef,
                "meta_intercept": self.meta_intercept,
                "trained_on": np.array(self.trained_on),
            },
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CategoryModel:
        """The saved model. Its large arrays (the weights, 117 MB, and the IDF) are read-only
        views of the file mapped in memory, not copies: every process maps the same pages of
        the page cache, and a prediction brings in only the rows it reads. A file saved
        before they were aligned (or compressed by hand) is read into memory as before. The
        model in use is replaced by renaming a new file over it, so a mapped file never
        changes under a process that still uses it."""
        mapping, mapped = _npz_map(path)
        with np.load(path, allow_pickle=False) as z:

            def get(name: str) -> npt.NDArray[Any]:
                return mapped[name] if name in mapped else z[name]

            if int(get("format_version")) != FORMAT_VERSION:
                raise OutdatedModel(
                    f"{path}: model format {int(get('format_version'))} is not supported"
                )
            return cls(
                classes=tuple(str(c) for c in get("classes")),
                lexicon_classes=tuple(str(c) for c in get("lexicon_classes")),
                n_features=int(get("n_features")),
                idf=get("idf"),
                weights=get("weights"),
                bias=get("bias"),
                meta_mean=get("meta_mean"),
                meta_scale=get("meta_scale"),
                meta_coef=get("meta_coef"),
                meta_intercept=get("meta_intercept"),
                trained_on=str(get("trained_on")),
                mapping=mapping,
            )


def model_align(path: Path) -> bool:
    """Save again (aligned, see `CategoryModel.save`) a model file whose large arrays cannot be
    mapped, as files saved before this layout: True when it was rewritten."""
    with zipfile.ZipFile(path) as zf:
        large = {i.filename.removesuffix(".npy") for i in zf.infolist() if i.file_size >= MAP_BYTES}
    mapping, mapped = _npz_map(path)
    if mapping is not None:
        mapping.close()
    if large <= set(mapped):
        return False
    CategoryModel.load(path).save(path)
    return True


def _npz_write_aligned(path: Path, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """`np.savez` with each member's data starting at a multiple of ALIGN in the file: the
    local header's extra field is padded (as zipalign does) so the .npy member starts
    aligned, and the .npy header is itself padded to 64 bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            header = _LOCAL_HEADER.size + len(info.filename.encode()) + _ZIP64_EXTRA + 4
            offset = zf.fp.tell() if zf.fp is not None else 0
            pad = -(offset + header) % ALIGN
            info.extra = struct.pack("<HH", _PADDING_ID, pad) + bytes(pad)
            with zf.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def _npz_map(path: Path) -> tuple[mmap.mmap | None, dict[str, npt.NDArray[Any]]]:
    """Read-only views, on one memory map of the file, of its members of MAP_BYTES or more
    that are stored uncompressed and aligned (all of them when `save` wrote the file)."""
    found: dict[str, tuple[tuple[int, ...], bool, np.dtype[Any], int]] = {}
    with path.open("rb") as raw, zipfile.ZipFile(raw) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED or info.file_size < MAP_BYTES:
                continue
            raw.seek(info.header_offset)
            fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
            raw.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
            else:
                continue
            start = raw.tell()
            if dtype.hasobject or start % dtype.alignment:
                continue
            found[info.filename.removesuffix(".npy")] = (shape, fortran, dtype, start)
        if not found:
            return None, {}
        memory = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
    # A prediction reads a few hundred scattered rows: no read-ahead around each of them.
    memory.madvise(mmap.MADV_RANDOM)
    views = {}
    for name, (shape, fortran, dtype, start) in found.items():
        view = np.ndarray(
            shape, dtype=dtype, buffer=memory, offset=start, order="F" if fortran else "C"
        )
        view.flags.writeable = False  # a write would fault: the mapping is read-only
        views[name] = view
    return memory, views


def _linear_bases(
    x: sp.csr_matrix, y: npt.NDArray[np.int64], n_classes: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """Weights (n_features, 2k) and bias of the supervised SVM and complement NB (centred)."""
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    k = n_classes
    w = np.zeros((x.shape[1], 2 * k))
    b = np.zeros(2 * k)
    present = np.unique(y)
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=seed).fit(x, y)
    if len(present) == 2:  # binary LinearSVC has one row; expand to one column per class
        w[:, present[1]] = svm.coef_[0]
        b[present[1]] = svm.intercept_[0]
        w[:, present[0]] = -svm.coef_[0]
        b[present[0]] = -svm.intercept_[0]
    else:
        w[:, present] = svm.coef_.T
        b[present] = svm.intercept_
    nb = ComplementNB(alpha=NB_ALPHA).fit(x, y)
    flp = nb.feature_log_prob_
    flp = flp - flp.mean(axis=0, keepdims=True)
    w[:, k + present] = flp.T
    return w, b


def _out_of_fold_scores(
    xl: sp.csr_matrix, y: npt.NDArray[np.int64], k: int, seed: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The base models' scores of each labelled message from models that did not see it
    (stratified folds), and the base weights trained on all of them."""
    from sklearn.model_selection import StratifiedKFold

    n_splits = int(min(5, np.bincount(y).min()))
    oof = np.zeros((len(y), 2 * k))
    if n_splits >= 2:
        skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        for tr, te in skf.split(np.zeros(len(y)), y):
            w, b = _linear_bases(xl[tr], y[tr], k, seed)
            oof[te] = np.asarray(xl[te] @ w) + b
    w_sup, b_sup = _linear_bases(xl, y, k, seed)
    if n_splits < 2:
        oof = np.asarray(xl @ w_sup) + b_sup
    return oof, w_sup, b_sup


def _meta_fit(
    z: FloatArray, y: npt.NDArray[np.int64], k: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The meta-model over standardised inputs: (mean, scale, coefficients, intercepts), one
    row per class (a two-class fit gives class 1's row; class 0's stays zero)."""
    from sklearn.linear_model import LogisticRegression

    mean = z.mean(axis=0)
    scale = z.std(axis=0)
    scale[scale == 0] = 1.0
    meta = LogisticRegression(C=META_C, max_iter=5000, class_weight="balanced")
    meta.fit((z - mean) / scale, y)
    coef = np.zeros((k, z.shape[1]))
    intercept = np.zeros(k)
    if k == 2:
        coef[1], intercept[1] = meta.coef_[0], meta.intercept_[0]
    else:
        coef[meta.classes_] = meta.coef_
        intercept[meta.classes_] = meta.intercept_
    return mean, scale, coef, intercept


def fit_category_model(
    labelled: Sequence[Example],
    unlabelled: Sequence[tuple[str, str]],
    *,
    annotated: Sequence[Example] = (),
    lexicon: Lexicon | None = None,
    n_features: int = N_FEATURES_DEFAULT,
    seed: int = 0,
    trained_on: str = "",
) -> CategoryModel:
    """Train the stack. The unlabelled messages give the IDF of both blocks (which n-grams are
    common on this board); the labelled ones give the supervised weights and the meta-model.
    `annotated` (messages our annotators labelled from the catalogue) train a second SVM and NB
    of their own, which the meta-model weighs against the board's labels: their conventions
    differ from the board's, so they inform the stack rather than join its training labels."""
    lexicon = lexicon or default_lexicon()
    classes = tuple(sorted({e.label for e in labelled}))
    if len(classes) < 2:
        raise ValueError("training needs labelled messages of at least two classes")
    y = np.array([classes.index(e.label) for e in labelled], dtype=np.int64)
    annotated = [e for e in annotated if e.label in classes]
    if len({e.label for e in annotated}) < 2:
        annotated = []
    ldocs = [Doc.of(e.title, e.content) for e in labelled]
    adocs = [Doc.of(e.title, e.content) for e in annotated]
    udocs = [Doc.of(t, c) for t, c in unlabelled]
    blocks = block_counts(ldocs + adocs + udocs, n_features)
    idf = np.concatenate([fit_idf(b) for b in blocks])
    x = _features(blocks, idf).csr()
    xl = x[: len(ldocs)]
    rules_l = rule_features(lexicon, ldocs)

    k = len(classes)
    oof, w_sup, b_sup = _out_of_fold_scores(xl, y, k, seed)
    if annotated:  # fixed inputs for the meta-model: they never saw the board's labels
        xa = x[len(ldocs) : len(ldocs) + len(adocs)]
        ya = np.array([classes.index(e.label) for e in annotated], dtype=np.int64)
        w_ann, b_ann = _linear_bases(xa, ya, k, seed)
        # float32 at once: the two (2 · n_features × 14) float64 matrices are 117 MB each
        w_sup = np.hstack([w_sup.astype(np.float32), w_ann.astype(np.float32)])
        b_sup = np.concatenate([b_sup, b_ann])
        oof = np.hstack([oof, np.asarray(xl @ w_ann) + b_ann])

    z = np.hstack([rules_l, oof])
    mean, scale, coef, intercept = _meta_fit(z, y, k)
    return CategoryModel(
        classes=classes,
        n_features=n_features,
        idf=idf.astype(np.float32),
        weights=w_sup.astype(np.float32, copy=False),
        bias=b_sup,
        meta_mean=mean,
        meta_scale=scale,
        meta_coef=coef,
        meta_intercept=intercept,
        lexicon_classes=lexicon.classes,
        trained_on=trained_on,
    )
