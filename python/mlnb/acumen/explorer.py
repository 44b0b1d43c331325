"""Explorer: the state of an ACUMEN exploration over the projection engine (thesis §2.4–2.8).

The state is plain Python and headless (scripts, tests, CI): a stack of filter steps with cached layouts (undo, redo,
jump to a step), the selection (a lasso), label columns that persist with the corpus, the colour column,
``n_neighbors``, the table's sort, the highlighted files (search hits, "files like this one") and the visited files.
It is an :class:`~mlnb._events.Observable`: every change is notified (``selection``, ``filters``, ``layout``,
``progress``, ``labels``, ``color``, ``sort``, ``highlight``, ``visited``, ``error``), which is how the widget
(:mod:`mlnb.widgets.acumen_explorer`) mirrors it. The engine never imports the widget.

Layouts compute in the projection's background thread: :attr:`Explorer.layout` is always instant (the PCA preview, or
a filtered step's points at their parent's positions) and a ``layout`` notification follows when UMAP is done.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from mlnb._events import Observable
from mlnb._lazy import LazyModule
from mlnb._validation import check_choice, check_int

from .ingest import Corpus, cache_root
from .projection import Layout, Projection, _scale, sorted_contains, sorted_unique

__all__ = ["Explorer", "FilterStep"]

pd = LazyModule("pandas")  # the first view of a cached corpus needs no pandas (see Corpus.column); the table does
MAX_CHART_POINTS = 20_000  # a static Vega-Lite chart carries its data inline; beyond this it gets sluggish
PYTHON_FACTORIZE_UP_TO = 200_000  # distinct values by a dict up to here (no pandas import), pandas' hashing beyond
PREPARE_SEARCH_FROM = 100_000  # from this many files, the path search buffer is built in the background at start
MAX_CATEGORIES = 20  # colour legend: the most frequent values, the rest is "other"
NONE_TEXT = "(none)"
# Table columns shown by default, when the corpus has them (metadata may add others: they stay reachable).
DISPLAY_COLUMNS = ("project", "path", "library", "file_libraries", "domain", "task", "datasets", "kind", "n_lines", "year")
# Not table columns: the source (the preview shows it) and metadata's nested evidence/confidence (the preview shows
# them as "why" lines); as raw dicts they would read as noise in a cell, a colour legend or a sort.
HIDDEN_COLUMNS = ("content", "evidence", "confidence")
EVIDENCE_FIELDS = (("libraries", "libraries"), ("datasets", "datasets"), ("domain", "domain"), ("task", "tasks"))
LABELS_VERSION = 1
# Identifiers ([A-Za-z_][A-Za-z0-9_]{2,}) found at C speed: every byte that is not an ASCII letter, digit
# or "_" becomes a space, then bytes.split(); a regex over a large corpus's contents took 10-15 s.
_IDENT_BYTES = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == 95) else 32 for c in range(256))


def _identifiers(text: str) -> set[str]:
    """The distinct identifiers of at least three characters in ``text``, lower-cased."""
    runs = set(text.encode("utf-8", "replace").translate(_IDENT_BYTES).split())
    words = (run.lstrip(b"0123456789") for run in runs)  # "9abc" holds the identifier "abc"
    return {w.decode("ascii").lower() for w in words if len(w) > 2}
_STOP = frozenset("""self def return import from class none true false and not for with the len range print str int
float dict list tuple args kwargs super init lambda elif else while try except raise pass yield assert global
print shape type data value values name x_train y_train""".split())


@dataclass(eq=False)
class FilterStep:
    """One step of the filter stack: which files remain, how it was chosen, and its (cached) layout.

    ``spec`` is the filter in plain data (a query string, a column search, or ``{"lasso": n}``); ``parent`` is the
    step it narrowed (None for "all files").
    """

    description: str
    indices: np.ndarray
    layout: Layout | None = None
    spec: Any = None
    parent: "FilterStep | None" = field(default=None, repr=False)
    preview: Layout | None = field(default=None, repr=False)  # the parent's positions while UMAP computes


def _text(value: Any) -> str:
    """How a cell reads in the table and in searches: lists joined by ', ', missing values empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return ", ".join(map(str, value))
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


class _TextColumn:
    """A column as display strings, with lazily built views: distinct values plus codes (colours, sorting, regex) and
    one byte buffer of all the rows' strings for vectorised substring search ("does not contain" over 1M paths is a
    few numpy passes over one buffer, not 1M Python calls, and needs no factorising first)."""

    SEP = "\x00"  # between rows in the search buffer: never in a path or source text, so no match spans two rows

    def __init__(self, values: Any):
        self._source = values  # a list, a Series, or a callable giving one: read when first needed (maybe in a thread)
        self._values: list[str] | None = None
        self._is_long: bool | None = None
        self._codes: np.ndarray | None = None
        self._uniques: list[str] | None = None
        self._blobs: dict[bool, tuple[np.ndarray, np.ndarray, int]] = {}
        self._ranks: np.ndarray | None = None

    @property
    def values(self) -> list[str]:
        """The rows as the table shows them (strings)."""
        if self._values is None:
            values = self._source() if callable(self._source) else self._source
            if isinstance(values, list):  # a corpus column without pandas (Corpus.column)
                strings = all(type(v) is str for v in values)
                self._values = values if strings else [_text(v) for v in values]
            elif pd.api.types.is_string_dtype(values) and not values.isna().any():
                self._values = values.tolist()
            else:
                self._values = [_text(v) for v in values.tolist()]  # lists, numbers, missing values: as shown
        return self._values

    def _factorize(self) -> None:
        if len(self.values) <= PYTHON_FACTORIZE_UP_TO:  # first appearance order, as pandas
            index: dict[str, int] = {}
            self._codes = np.fromiter((index.setdefault(v, len(index)) for v in self.values), np.int64, len(self.values))
            self._uniques = list(index)
            return
        codes, uniques = pd.factorize(np.asarray(self.values, dtype=object), sort=False)  # hashing in C
        self._codes = codes.astype(np.int64)
        self._uniques = [u if isinstance(u, str) else str(u) for u in uniques.tolist()]

    @property
    def codes(self) -> np.ndarray:
        """Per row, the position of its value in :attr:`uniques`."""
        if self._codes is None:
            self._factorize()
        return self._codes

    @property
    def uniques(self) -> list[str]:
        """The distinct values, in order of first appearance."""
        if self._uniques is None:
            self._factorize()
        return self._uniques

    @property
    def ranks(self) -> np.ndarray:
        """Rank of each file's value in sorted order (for sorting the table by this column)."""
        if self._ranks is None:
            order = np.argsort(np.asarray(self.uniques, dtype=object), kind="stable")
            rank = np.empty(len(order), np.int64)
            rank[order] = np.arange(len(order))
            self._ranks = rank[self.codes]
        return self._ranks

    LONG_ROWS = 256  # from this mean length per row (file contents, not paths), search with bytes.find row by row

    def _long(self) -> bool:
        if self._is_long is None:
            n = len(self.values)
            self._is_long = n > 0 and sum(map(len, self.values)) >= self.LONG_ROWS * n
        return self._is_long

    def _text_blob(self, case: bool) -> tuple[bytes, np.ndarray]:
        """Long rows (file contents): (bytes of all rows with NUL between them, start offset of each row). Rows are
        encoded one by one, so one non-ASCII file does not turn the whole join into a slow wide string (16k files,
        276 MB: 17 s of ``str.lower`` before); ASCII letters are lowercased on the bytes (``bytes.lower`` touches
        only A-Z, which UTF-8 never uses inside a multi-byte character), other rows with ``str.lower``."""
        if case not in self._blobs:
            enc = [(v if case or v.isascii() else v.lower()).encode("utf-8", "surrogatepass") for v in self.values]
            data = b"\0".join(enc)
            if not case:
                data = data.lower()
            lengths = np.fromiter(map(len, enc), np.int64, len(enc))
            starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
            self._blobs[case] = (data, starts, len(data))  # type: ignore[assignment]
        data, starts, _ = self._blobs[case]
        return data, starts  # type: ignore[return-value]

    def _find_rows(self, pattern: bytes, case: bool) -> np.ndarray:
        """Rows holding ``pattern``: ``bytes.find`` (C, fast skip) from row to row; after a hit the search goes on at
        the next row's start, so there are at most as many Python steps as matching rows."""
        data, starts = self._text_blob(case)
        hit = np.zeros(len(self.values), bool)
        bounds = starts.tolist() + [len(data) + 1]
        pos = data.find(pattern)
        while pos != -1:
            row = int(np.searchsorted(starts, pos, side="right")) - 1
            if pos + len(pattern) < bounds[row + 1]:  # within the row (a hit cannot span the separator)
                hit[row] = True
            pos = data.find(pattern, bounds[row + 1])
        return hit

    def _blob(self, case: bool) -> tuple[np.ndarray, np.ndarray, int]:
        """(buffer padded for 4-byte views, start offset of each row, bytes used): one join, one lower(), one
        encode, all in C; row starts from the separators' positions, which lowercasing and UTF-8 cannot move."""
        if case not in self._blobs:
            strings = self.values
            joined = self.SEP.join(strings)
            ascii_lower = not case and joined.isascii()  # the usual case: lowercase the bytes with numpy, no copy
            data = (joined if case or ascii_lower else joined.lower()).encode("utf-8", "surrogatepass")
            arr = np.frombuffer(data, np.uint8)
            seps = np.flatnonzero(arr == 0)
            if seps.size == max(len(strings) - 1, 0):
                starts = np.concatenate([[0], seps + 1]).astype(np.int64) if strings else np.zeros(0, np.int64)
            else:  # some value holds a NUL byte: count each row's bytes instead
                lower = (lambda s: s) if case else str.lower
                lengths = np.fromiter((len(lower(s).encode("utf-8", "surrogatepass")) for s in strings), np.int64,
                                      len(strings))
                starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]) if strings else np.zeros(0, np.int64)
            padded = np.zeros(len(data) + 16 - len(data) % 8, np.uint8)  # room for 4-byte views at every offset
            padded[:len(data)] = arr
            if ascii_lower:
                padded += ((padded - 65) < 26).view(np.uint8) * np.uint8(32)  # A-Z -> a-z (uint8 wraps below 'A')
            self._blobs[case] = (padded, starts, len(data))
        return self._blobs[case]

    def hits(self, pattern: str, regex: bool, case: bool) -> np.ndarray:
        """One bool per row: does its value contain ``pattern``?"""
        n = len(self.values)
        if regex or self.SEP in pattern:
            rx = re.compile(pattern, 0 if case else re.IGNORECASE)
            found = np.fromiter((rx.search(u) is not None for u in self.uniques), bool, len(self.uniques))
            return found[self.codes]
        hit = np.zeros(n, bool)
        if not pattern:
            hit[:] = True
            return hit
        if self._long():
            return self._find_rows((pattern if case else pattern.lower()).encode("utf-8", "surrogatepass"), case)
        buf, starts, size = self._blob(case)
        p = np.frombuffer((pattern if case else pattern.lower()).encode("utf-8", "surrogatepass"), np.uint8)
        if p.size > size:
            return hit
        # Candidates by the pattern's first 4 (or 2, or 1) bytes, compared as one uint32 (uint16) at each of the
        # 4 (2) alignments: a few vectorised passes over the buffer; then the other bytes are checked by indexing.
        width = 4 if p.size >= 4 else 2 if p.size >= 2 else 1
        dtype = {4: "<u4", 2: "<u2", 1: "u1"}[width]
        target = int.from_bytes(p[:width].tobytes(), "little")
        found = []
        for offset in range(width):
            m = (buf.size - offset) // width
            view = buf[offset:offset + m * width].view(dtype)
            found.append(np.flatnonzero(view == target) * width + offset)
        pos = np.concatenate(found)
        pos = pos[pos + p.size <= size]
        for j in range(width, p.size):
            pos = pos[buf[pos + j] == p[j]]
        hit[np.searchsorted(starts, pos, side="right") - 1] = True
        return hit


class Explorer(Observable):
    """Explore a corpus: filter (table query, column search, lasso), undo/redo, label, colour, change n_neighbors.

    Example
    -------
    >>> ex = Explorer(corpus, embeddings=corpus.embed("tfidf"))            # doctest: +SKIP
    >>> ex.filter({"column": "path", "excludes": "test"})                    # doctest: +SKIP
    >>> ex.select(ex.layout.indices[:50]); ex.label("mySearch", value="KerasCOCO")  # doctest: +SKIP
    >>> ex.undo(); ex.color = "mySearch"; ex                                 # doctest: +SKIP

    Parameters
    ----------
    corpus : Corpus
        The corpus to explore.
    embeddings : array, optional
        (len(corpus), d); default ``corpus.embed(model)``.
    n_neighbors : int
        UMAP n_neighbors.
    model : str
        Embedder used when ``embeddings`` is None.
    color : str
        Column of :attr:`table` that colours the scatter (default 'library').
    projection : Projection, optional
        An existing :class:`Projection` of the same embeddings to reuse.
    persist_labels : bool
        Keep label columns next to the corpus cache, so a new kernel opening the same projects gets them back.

    State: :attr:`filters` (the steps up to the current one), :attr:`selection` (file indices), :attr:`labels`
    (column name -> Series over all files), :attr:`color`, :attr:`n_neighbors`, :attr:`sort`, :attr:`highlight`,
    :attr:`visited`. Every change is notified to observers (see the module docstring).
    """

    def __init__(self, corpus: Corpus, embeddings: Any = None, n_neighbors: int = 15, *, model: str = "tfidf",
                 color: str = "library", projection: Projection | None = None, persist_labels: bool = True,
                 **projection_options: Any):
        if not isinstance(corpus, Corpus):
            raise ValueError(f"corpus: expected an acumen.Corpus, got {type(corpus).__name__}")
        if len(corpus) < 3:
            raise ValueError(f"corpus: needs at least 3 files to lay out, got {len(corpus)}")
        if embeddings is None:
            embeddings = corpus.embed(model=model)
        emb = np.asarray(embeddings)
        if emb.ndim != 2 or emb.shape[0] != len(corpus):
            raise ValueError(f"embeddings: expected shape ({len(corpus)}, d), one row per file, got {emb.shape}")
        self.corpus = corpus
        self.embeddings = emb
        self.projection = projection or Projection(emb, n_neighbors=n_neighbors, **projection_options)
        self.projection.progress = self._progress
        self.n_neighbors = self.projection._check_k(n_neighbors, len(emb))
        self._steps: list[FilterStep] = [FilterStep("all files", self.projection.all, spec=None)]
        self._pos = 0
        self.selection: np.ndarray = np.zeros(0, np.int64)
        self.highlight: np.ndarray = np.zeros(0, np.int64)
        self.visited: np.ndarray = np.zeros(0, np.int64)
        self.sort: tuple[str, bool] | None = None
        self.labels: dict[str, pd.Series] = {}
        self._text_columns: dict[str, _TextColumn] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._rows_cache: tuple[Any, np.ndarray] | None = None
        self._tokens: tuple[list[np.ndarray], np.ndarray] | None = None  # see _file_tokens
        self._jobs: dict[tuple[int, int], Future] = {}
        self._jobs_lock = threading.Lock()
        self.persist_labels = bool(persist_labels)
        if self.persist_labels:
            self._load_labels()
        self._color = "library"
        self.color = color
        self._ensure(self._steps[0], self.n_neighbors)  # UMAP computes while the PCA preview shows
        if len(corpus) >= PREPARE_SEARCH_FROM and "path" in corpus.column_names:
            # The path column's search buffer (~0.3 s at 1M files) is built in the background right away, so the
            # first "contains"/"does not contain" on paths answers as fast as the later ones.
            column = self._text_column("path")

            def prepare() -> None:
                time.sleep(0.05)  # first let this constructor return: the build's C calls hold the GIL for ~0.1 s
                column._blob(False)

            threading.Thread(target=prepare, daemon=True, name="acumen-search-buffer").start()

    # ------------------------------------------------------------------------------------------ steps & layouts
    @property
    def filters(self) -> list[FilterStep]:
        """The filter steps from "all files" up to the current one (undone steps are in :attr:`redo_steps`)."""
        return self._steps[:self._pos + 1]

    @property
    def redo_steps(self) -> list[FilterStep]:
        """Steps undone (or jumped back over) that :meth:`redo` restores, next first."""
        return self._steps[self._pos + 1:]

    @property
    def indices(self) -> np.ndarray:
        """Files in the current filter step (rows of ``corpus.files``)."""
        return self._steps[self._pos].indices

    @property
    def color(self) -> str:
        """The column that colours the scatter (any column of :attr:`table`, label columns included)."""
        return self._color

    @color.setter
    def color(self, column: str) -> None:
        if column not in self.columns:
            raise ValueError(f"color={column!r} is not valid; expected one of {', '.join(map(repr, self.columns))}")
        self._color = column
        self._notify("color", column=column)

    @property
    def columns(self) -> list[str]:
        """Columns of :attr:`table`: the corpus's file columns (without content) and the label columns."""
        return [c for c in self.corpus.column_names if c not in HIDDEN_COLUMNS] + list(self.labels)

    @property
    def display_columns(self) -> list[str]:
        """The columns a table shows by default: the usual file attributes present in this corpus, then labels."""
        have = set(self.corpus.column_names)
        return [c for c in DISPLAY_COLUMNS if c in have] + list(self.labels)

    @property
    def layout(self) -> Layout:
        """The current step's layout, instantly: UMAP when ready, else a preview (PCA for all files, the parent's
        positions for a filtered step) while UMAP computes in the background (a ``layout`` event follows)."""
        step = self._steps[self._pos]
        final = self._final(step, self.n_neighbors)
        if final is not None:
            return final
        self._ensure(step, self.n_neighbors)
        return self._preview(step)

    @property
    def busy(self) -> bool:
        """Whether the current step's UMAP layout is still computing."""
        return self._final(self._steps[self._pos], self.n_neighbors) is None

    def _final(self, step: FilterStep, k: int) -> Layout | None:
        if step.layout is not None and step.layout.n_neighbors == k and step.layout.method != "pca":
            return step.layout
        cached = self.projection.cached(None if step.parent is None else step.indices, k)
        if cached is not None:
            step.layout = cached
        return cached

    def _preview(self, step: FilterStep) -> Layout:
        if step.parent is None:
            if step.layout is not None:  # the previous n_neighbors' layout until the new one is ready
                return step.layout
            return self.projection.pca()
        parent = self._final(step.parent, self.n_neighbors) or step.layout or self._preview(step.parent)
        if len(parent) == len(step.indices):
            return parent
        cached = step.preview
        if cached is None or cached.parent is not parent or cached.n_neighbors != self.n_neighbors:
            # kept on the step: a filter asks for its layout several times before UMAP is done (1M rows: 0.1 s each)
            cached = step.preview = Layout(step.indices, _scale(parent.positions(step.indices)), "preview",
                                           self.n_neighbors, parent=parent)
        return cached

    def _ensure(self, step: FilterStep, k: int) -> Future:
        """The background job computing ``step``'s UMAP layout with ``k`` neighbours (started once)."""
        with self._jobs_lock:
            key = (id(step), k)
            job = self._jobs.get(key)
            if job is None:
                job = self.projection._worker.submit(self._compute, step, k)
                self._jobs[key] = job
                job.add_done_callback(lambda f: self._job_done(step, k, f))
            return job

    def _compute(self, step: FilterStep, k: int) -> Layout:
        if step.parent is None:
            return self.projection.full(k)
        parent = self._final(step.parent, k) or self._compute(step.parent, k)
        step.parent.layout = parent
        return self.projection.subset(step.indices, parent=parent, n_neighbors=k)

    def _job_done(self, step: FilterStep, k: int, job: Future) -> None:
        exc = job.exception()
        if exc is not None:
            with self._jobs_lock:
                self._jobs.pop((id(step), k), None)  # a later look may try again
            self._notify("error", message=f"layout failed: {type(exc).__name__}: {exc}")
            return
        step.layout = job.result()
        if step is self._steps[self._pos] and k == self.n_neighbors:
            self._notify("layout", layout=step.layout, final=True)

    def wait(self, timeout: float | None = None) -> Layout:
        """Block until the current step's UMAP layout is computed; returns it."""
        step = self._steps[self._pos]
        if self._final(step, self.n_neighbors) is None:
            self._ensure(step, self.n_neighbors).result(timeout)
        return self.layout

    def _progress(self, stage: str, done: int, total: int) -> None:
        self._notify("progress", stage=stage, done=done, total=total)

    def _filters_changed(self) -> None:
        self._rows_cache = None
        self._notify("filters", steps=[s.description for s in self._steps], position=self._pos)
        layout = self.layout
        self._notify("layout", layout=layout, final=layout.method not in ("pca", "preview"))

    # ------------------------------------------------------------------------------------------ filtering
    def filter(self, where: Any, description: str | None = None, *, wait: bool = True) -> Layout:
        """Narrow the current files to a new step and re-project them, starting from the current layout.

        Parameters
        ----------
        where : str, dict, list of dict, array or callable
            A pandas query on :attr:`table` (``"library == 'PyTorch'"``); a column search
            ``{"column": "path", "excludes": "test"}`` (or ``"contains"``; optional ``"regex": True``,
            ``"case": True``), or a list of them (all must hold); a boolean mask over the current or all files;
            an array of file indices (a lasso); or a callable ``table -> mask``.
        description : str, optional
            The step's name in the breadcrumbs.
        wait : bool
            Block until the new layout is computed (else the preview shows and a ``layout`` event follows).

        Returns
        -------
        Layout
            The new step's layout (a preview when ``wait`` is False and UMAP is still running).

        Example
        -------
        >>> ex.filter({"column": "path", "excludes": "test"})   # doctest: +SKIP
        """
        keep = self._resolve(where)
        if keep.size < 3:
            raise ValueError(f"where: the filter keeps {keep.size} files; a layout needs at least 3")
        if description is None:
            description = self._describe(where, keep)
        current = self._steps[self._pos]
        step = FilterStep(description, keep, spec=where if isinstance(where, (str, dict, list)) else None, parent=current)
        del self._steps[self._pos + 1:]  # a new step forgets the redo branch, as a browser's history does
        self._steps.append(step)
        self._pos += 1
        self._set_selection(self.selection[sorted_contains(keep, self.selection)])
        self._ensure(step, self.n_neighbors)
        self._filters_changed()
        return self.wait() if wait else self.layout

    def _describe(self, where: Any, keep: np.ndarray) -> str:
        if isinstance(where, str):
            return where
        if isinstance(where, dict):
            where = [where]
        if isinstance(where, list) and where and all(isinstance(w, dict) for w in where):
            parts = []
            for w in where:
                op, value = ("does not contain", w.get("excludes")) if "excludes" in w else ("contains", w.get("contains"))
                parts.append(f"{w.get('column')} {op} {'/' + value + '/' if w.get('regex') else repr(value)}")
            return " and ".join(parts)
        if len(self.selection) and np.array_equal(keep, self.selection):
            return f"lasso: {keep.size} files"
        return f"{keep.size} files"

    def match(self, column: str, pattern: str, *, regex: bool = False, case: bool = False) -> np.ndarray:
        """Which of all files have ``pattern`` in ``column`` (as the table shows it): a bool array over all files.

        Substring search is vectorised over one byte buffer of the column (1M paths: ~0.2 s for the first query,
        which builds the buffer, then ~0.05 s); ``regex=True`` uses Python's ``re`` per distinct value.

        Example
        -------
        >>> ~ex.match("path", "test")   # files whose path does not contain 'test'   # doctest: +SKIP
        """
        if column not in self.columns and column != "content":
            raise ValueError(f"column={column!r} is not valid; expected one of {', '.join(map(repr, self.columns))}")
        if not isinstance(pattern, str):
            raise ValueError(f"pattern={pattern!r} is not valid; expected a string")
        if regex:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern={pattern!r} is not a valid regular expression ({exc})") from None
        return self._text_column(column).hits(pattern, regex, case)

    def _text_column(self, column: str) -> _TextColumn:
        if column not in self._text_columns:
            if column in self.labels:
                values = self.labels[column]
            elif column == "content":  # read from the cache on the first full-text search (16k files: ~1 s)
                values = self.corpus.texts
            else:
                values = (lambda: self.corpus.column(column))  # converted when first searched (1M rows: 0.1-0.4 s)
            self._text_columns[column] = _TextColumn(values)
        return self._text_columns[column]

    def _resolve(self, where: Any) -> np.ndarray:
        current = self.indices
        if isinstance(where, dict):
            where = [where]
        if isinstance(where, list) and where and all(isinstance(w, dict) for w in where):
            mask = np.ones(len(self.corpus), bool)
            for w in where:
                unknown = set(w) - {"column", "contains", "excludes", "regex", "case"}
                if unknown or ("contains" in w) == ("excludes" in w):
                    raise ValueError(f"where={w!r} is not valid; expected {{'column': ..., 'contains' or 'excludes': ..., "
                                     f"'regex': bool, 'case': bool}}")
                hits = self.match(w["column"], w.get("contains", w.get("excludes")), regex=bool(w.get("regex")),
                                  case=bool(w.get("case")))
                mask &= ~hits if "excludes" in w else hits
            return current[mask[current]]
        if isinstance(where, str):
            table = self.table
            try:
                mask = table.eval(where, engine="python") if where.strip() else None
            except Exception as exc:
                raise ValueError(f"where: cannot evaluate {where!r} on the table ({type(exc).__name__}: {exc}); "
                                 f"columns are {', '.join(table.columns)}") from None
            mask = np.asarray(mask)
            if mask.dtype != bool or mask.shape != (len(current),):
                raise ValueError(f"where: {where!r} must give one True/False per file, got {mask.dtype} {mask.shape}")
            return current[mask]
        if callable(where):
            return self._resolve(np.asarray(where(self.table)))
        arr = np.asarray(where)
        if arr.dtype == bool:
            if arr.shape == (len(current),):
                return current[arr]
            if arr.shape == (len(self.corpus),):
                return current[arr[current]]
            raise ValueError(f"where: a mask needs {len(current)} (current files) or {len(self.corpus)} (all files) "
                             f"entries, got shape {arr.shape}")
        if arr.ndim == 1 and (arr.size == 0 or np.issubdtype(arr.dtype, np.integer)):
            arr = sorted_unique(arr)
            inside = sorted_contains(current, arr)
            if not inside.all():
                raise ValueError(f"where: {int((~inside).sum())} file indices are not in the current step "
                                 f"(e.g. {arr[~inside][0]})")
            return arr
        raise ValueError(f"where: expected a query string, a column search dict, a boolean mask, file indices or a "
                         f"callable, got {type(where).__name__}")

    def undo(self) -> Layout:
        """Go back one filter step; returns its layout (cached: the same object as before). :meth:`redo` returns."""
        if self._pos == 0:
            raise ValueError("undo: no filter step to undo")
        return self.go(self._pos - 1)

    def redo(self) -> Layout:
        """Restore the step undone last; returns its layout (cached)."""
        if self._pos + 1 >= len(self._steps):
            raise ValueError("redo: no undone filter step to redo")
        return self.go(self._pos + 1)

    def go(self, step: int) -> Layout:
        """Jump to filter step ``step`` (0 = all files; a breadcrumb); later steps stay redo-able."""
        self._pos = check_int("step", step, 0, len(self._steps) - 1)
        self._set_selection(self.selection[sorted_contains(self.indices, self.selection)])
        self._filters_changed()
        return self.layout

    # ------------------------------------------------------------------------------------------ selection
    def select(self, indices: Any, mode: str = "replace") -> np.ndarray:
        """Set the selection (e.g. a lasso) to these file indices or a mask; ``mode`` 'add' or 'remove' edits it.

        Example
        -------
        >>> ex.select(ex.indices[:10]); ex.select(ex.indices[:2], mode="remove")   # doctest: +SKIP
        """
        check_choice("mode", mode, ("replace", "add", "remove"))
        rows = self._resolve(indices) if np.asarray(indices).size else np.zeros(0, np.int64)
        if mode == "add":
            rows = sorted_unique(np.concatenate([self.selection, rows]))
        elif mode == "remove":
            rows = self.selection[~sorted_contains(rows, self.selection)]
        self._set_selection(rows)
        return self.selection

    def _set_selection(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, np.int64)
        if np.array_equal(rows, self.selection):
            return
        self.selection = rows
        self._rows_cache = None
        self._notify("selection", indices=rows)

    def export(self, selection: bool = True, content: bool = False) -> pd.DataFrame:
        """The selected files (or, with ``selection=False`` or nothing selected, the current step's) as a DataFrame
        of table columns and labels; ``content=True`` adds the source.

        Example
        -------
        >>> df = ex.export()   # doctest: +SKIP
        """
        rows = self.selection if selection and len(self.selection) else self.indices
        df = self._frame(rows)
        if content:
            texts = self.corpus.texts
            df["content"] = [texts[i] for i in rows]
        return df

    # ------------------------------------------------------------------------------------------ table
    def _frame(self, rows: np.ndarray, columns: Iterable[str] | None = None) -> pd.DataFrame:
        cols = [c for c in (columns or self.columns)]
        base = [c for c in cols if c not in self.labels]
        df = self.corpus.meta.iloc[rows][base].copy() if base else pd.DataFrame(index=self.corpus.meta.index[rows])
        for name in cols:
            if name in self.labels:
                df[name] = self.labels[name].to_numpy()[rows]
        return df

    def _values(self, column: str) -> np.ndarray:
        """A column over all files (label or corpus column) as numpy: numbers numeric (bools are not), else objects."""
        if column in self.labels:
            values = self.labels[column]
            numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
            return values.to_numpy(np.float64) if numeric else values.to_numpy(dtype=object)
        if column not in self._arrays:  # kept: every table page reads a few cells of each shown column
            values = self.corpus.column_array(column)
            self._arrays[column] = values if values.dtype.kind in "iuf" else values.astype(object, copy=False)
        return self._arrays[column]

    def cells(self, rows: np.ndarray, columns: Iterable[str] | None = None) -> tuple[list[str], list[list[str]]]:
        """The table's text (as :meth:`page` shows it, each cell as :func:`_text` reads it) of file rows ``rows``:
        ``(columns, one list of strings per row)``. Without pandas: a view's first page needs no DataFrame."""
        cols = list(columns or self.display_columns)
        rows = np.asarray(rows, np.int64)
        by_col = [[_text(v) for v in self._values(c)[rows].tolist()] for c in cols]
        return cols, [list(r) for r in zip(*by_col)] if cols else [[] for _ in rows]

    @property
    def table(self) -> pd.DataFrame:
        """Files of the current step with their attributes and label columns (index = row in ``corpus.files``)."""
        return self._frame(self.indices)

    def sort_by(self, column: str | None, ascending: bool = True) -> None:
        """Order the table (and :meth:`page`) by ``column``; None restores the corpus order."""
        if column is not None and column not in self.columns:
            raise ValueError(f"column={column!r} is not valid; expected one of {', '.join(map(repr, self.columns))}")
        self.sort = None if column is None else (column, bool(ascending))
        self._rows_cache = None
        self._notify("sort", column=column, ascending=bool(ascending))

    @property
    def rows(self) -> np.ndarray:
        """File indices in table order: the selection if there is one (a lasso filters the table), else the current
        step's files; sorted by :attr:`sort`."""
        key = (self._pos, id(self._steps[self._pos]), self.selection.size, self.sort)
        if self._rows_cache is not None and self._rows_cache[0] == key:
            return self._rows_cache[1]
        rows = self.selection if len(self.selection) else self.indices
        if self.sort is not None:
            column, ascending = self.sort
            keys = self._sort_key(column)[rows]
            order = np.argsort(keys if ascending else -keys, kind="stable")
            rows = rows[order]
        self._rows_cache = (key, rows)
        return rows

    def _sort_key(self, column: str) -> np.ndarray:
        values = self._values(column)
        if values.dtype.kind in "iuf":
            v = values.astype(np.float64)
            return np.where(np.isnan(v), np.inf, v)  # missing last (ascending)
        return self._text_column(column).ranks.astype(np.float64)

    def page(self, start: int, stop: int, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Rows ``start:stop`` of the table as shown (see :attr:`rows`), with ``columns`` (default
        :attr:`display_columns`); index = file index. A view asks only for the rows it shows.

        Example
        -------
        >>> ex.page(0, 50)   # doctest: +SKIP
        """
        rows = self.rows
        start = check_int("start", start, 0)
        stop = min(check_int("stop", stop, start), len(rows))
        return self._frame(rows[start:stop], columns or self.display_columns)

    def position(self, index: int) -> int:
        """The position of file ``index`` in the table as shown (-1 if it is not there): a view scrolls to it."""
        hit = np.flatnonzero(self.rows == index)
        return int(hit[0]) if hit.size else -1

    # ------------------------------------------------------------------------------------------ labels
    def label(self, name: str, indices: Any = None, value: Any = True) -> pd.Series:
        """Set ``value`` in label column ``name`` for ``indices`` (default: the selection); other files keep theirs.
        ``value=None`` clears. Labels persist with the corpus (see ``persist_labels``).

        Example
        -------
        >>> ex.label("mySearch", value="KerasCOCO")   # doctest: +SKIP
        """
        if not isinstance(name, str) or not name.strip() or name in self.corpus.column_names or name in HIDDEN_COLUMNS:
            raise ValueError(f"name={name!r} is not valid; expected a new column name (not one of the corpus columns)")
        if value is not None and not isinstance(value, (str, bool, int, float)):
            raise ValueError(f"value={value!r} is not valid; expected a string, number, bool or None")
        rows = self.selection if indices is None else self._resolve(indices)
        col = self.labels.setdefault(name, pd.Series([None] * len(self.corpus), dtype=object, name=name))
        col.iloc[rows] = value
        self._text_columns.pop(name, None)
        self._save_labels()
        self._notify("labels", name=name, columns=list(self.labels))
        if self._color == name:
            self._notify("color", column=name)
        return col

    def drop_label(self, name: str) -> None:
        """Remove label column ``name`` (and from the persisted labels)."""
        check_choice("name", name, list(self.labels))
        del self.labels[name]
        self._text_columns.pop(name, None)
        if self.sort is not None and self.sort[0] == name:
            self.sort = None
        self._save_labels()
        self._notify("labels", name=name, columns=list(self.labels))
        if self._color == name:
            self.color = "library" if "library" in self.columns else self.columns[0]

    def labels_path(self) -> Path:
        """Where this corpus's labels are kept: next to the ingest cache (``cache_root()/labels``), keyed by the
        projects' roots, so the same projects opened again in a new kernel get them back."""
        names = [str(x) for x in self.corpus.project_column("project")]
        try:
            roots = [str(x) for x in self.corpus.project_column("root")]
        except KeyError:
            roots = names
        key = hashlib.sha1("\0".join(sorted(map(str, zip(names, roots)))).encode()).hexdigest()[:20]
        return cache_root() / "labels" / f"{key}.json"

    def _file_keys(self) -> list[str]:
        return [f"{p}/{q}" for p, q in zip(self.corpus.column("project"), self.corpus.column("path"))]

    def _save_labels(self) -> None:
        if not self.persist_labels:
            return
        keys = self._file_keys()
        data = {"version": LABELS_VERSION, "labels": {
            name: {keys[i]: v for i, v in enumerate(col.tolist()) if v is not None} for name, col in self.labels.items()}}
        path = self.labels_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)

    def _load_labels(self) -> None:
        path = self.labels_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # none yet, or unreadable: start without labels rather than fail
        if not isinstance(data, dict) or data.get("version") != LABELS_VERSION:
            return
        where = {k: i for i, k in enumerate(self._file_keys())}
        for name, values in data.get("labels", {}).items():
            if name in self.corpus.column_names or name in HIDDEN_COLUMNS or not isinstance(values, dict):
                continue
            col = pd.Series([None] * len(self.corpus), dtype=object, name=name)
            for key, v in values.items():
                if key in where:  # files that left the corpus are dropped, the others keep their label
                    col.iloc[where[key]] = v
            self.labels[name] = col

    # ------------------------------------------------------------------------------------------ colour
    def colors(self, column: str | None = None, layout: Layout | None = None) -> dict[str, Any]:
        """Colour encoding of ``column`` (default :attr:`color`) over ``layout``'s points (default :attr:`layout`).

        Returns ``{"column", "kind": "categorical" | "numeric", "values": float32 per point (a category code, or a
        value scaled to [0, 1]), "categories": [...], "counts": [...], "min", "max"}``. Categorical keeps the
        most frequent values; the rest is "other".
        """
        column = column or self._color
        layout = layout or self.layout
        rows = layout.indices
        values = self._values(column)
        numeric = values.dtype.kind in "iuf"
        if numeric and np.unique(values[rows][~np.isnan(values[rows].astype(np.float64))]).size > 12:
            v = values.astype(np.float64)[rows]
            lo, hi = (float(np.nanmin(v)), float(np.nanmax(v))) if np.isfinite(v).any() else (0.0, 1.0)
            scaled = np.where(np.isnan(v), 0.0, (v - lo) / (hi - lo) if hi > lo else 0.0)
            return {"column": column, "kind": "numeric", "values": scaled.astype(np.float32), "categories": [],
                    "counts": [], "min": lo, "max": hi}
        col = self._text_column(column)
        codes = col.codes[rows]
        counts = np.bincount(codes, minlength=len(col.uniques))
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] > 0]
        top = order[:MAX_CATEGORIES - 1] if order.size > MAX_CATEGORIES else order
        remap = np.full(len(col.uniques), len(top), np.int64)
        remap[top] = np.arange(len(top))
        cats = [col.uniques[i] or NONE_TEXT for i in top]
        cnts = [int(counts[i]) for i in top]
        if order.size > len(top):
            cats.append("other")
            cnts.append(int(counts[order[len(top):]].sum()))
        return {"column": column, "kind": "categorical", "values": remap[codes].astype(np.float32), "categories": cats,
                "counts": cnts, "min": 0.0, "max": float(max(len(cats) - 1, 0))}

    def category_rows(self, category: str, column: str | None = None) -> np.ndarray:
        """The current step's files whose ``column`` (default :attr:`color`) reads ``category`` in the legend."""
        enc = self.colors(column, self.layout)
        if category not in enc["categories"]:
            raise ValueError(f"category={category!r} is not valid; expected one of {', '.join(map(repr, enc['categories']))}")
        return self.layout.indices[enc["values"] == enc["categories"].index(category)]

    # ------------------------------------------------------------------------------------------ beyond the original
    def similar(self, index: int, k: int = 10) -> pd.DataFrame:
        """"Files like this one": the ``k`` nearest neighbours of file ``index`` in the projection's kNN graph,
        nearest first (column ``distance``); they become :attr:`highlight`.

        Example
        -------
        >>> ex.similar(12)   # doctest: +SKIP
        """
        index = check_int("index", index, 0, len(self.corpus) - 1)
        k = check_int("k", k, 1, 100)
        gi, gd = self.projection.knn(k + 1)
        nn, dist = gi[index], gd[index]
        keep = nn != index
        nn, dist = nn[keep][:k], dist[keep][:k]
        df = self._frame(nn, self.display_columns)
        df.insert(0, "distance", dist)
        self.set_highlight(nn, reason=f"files like {self.corpus.meta['path'].iloc[index]}")
        return df

    def search(self, text: str, *, regex: bool = False, case: bool = False) -> np.ndarray:
        """Full-text search over file contents: the current step's files containing ``text``; they become
        :attr:`highlight`. Empty text clears it."""
        if not text:
            self.set_highlight(np.zeros(0, np.int64), reason="")
            return self.highlight
        hits = self.match("content", text, regex=regex, case=case)
        rows = self.indices[hits[self.indices]]
        self.set_highlight(rows, reason=f"contains {text!r}")
        return rows

    def set_highlight(self, indices: Any, reason: str = "") -> None:
        """Highlight these files (search hits, neighbours) without selecting them."""
        self.highlight = sorted_unique(indices)
        self._notify("highlight", indices=self.highlight, reason=reason)

    def visit(self, index: int) -> None:
        """Mark file ``index`` as visited (its preview was opened): the scatter marks it (§2.8.3)."""
        index = check_int("index", index, 0, len(self.corpus) - 1)
        if index not in self.visited:
            self.visited = np.union1d(self.visited, [index]).astype(np.int64)
            self._notify("visited", indices=self.visited)

    def preview(self, index: int) -> dict[str, Any]:
        """What a code preview shows for file ``index`` (and marks it visited): ``path``, ``project``,
        ``absolute_path`` (None when unknown), ``language``, ``content``, ``row`` (its table columns) and
        ``project_info`` (the project's metadata) and ``why`` (for each metadata value, its strongest evidence:
        ``{"field", "value", "why"}`` with ``why`` like "README.md line 3: trains a classifier on MNIST")."""
        index = check_int("index", index, 0, len(self.corpus) - 1)
        path, project = str(self.corpus.column("path")[index]), str(self.corpus.column("project")[index])
        prow = self.corpus.project_row(project)  # a dict: a preview needs no DataFrame either
        info = {c: _text(v) for c, v in prow.items() if c not in ("root", *HIDDEN_COLUMNS)} if prow else {}
        why = _why(prow) if prow else []
        root = prow.get("root") if prow else None
        absolute = str(Path(str(root)) / path) if root else None
        cols, cells = self.cells(np.asarray([index]), self.display_columns)
        row = dict(zip(cols, cells[0]))
        self.visit(index)
        return {"index": index, "path": path, "project": project, "absolute_path": absolute,
                "language": "python", "content": self.corpus.content(index), "row": row, "project_info": info,
                "why": why}

    def regions(self, n: int = 8, keywords: int = 3) -> pd.DataFrame:
        """Keyword labels for the dense regions of the current layout: k-means on the 2-D positions, then each
        region's most distinctive identifiers and file names (frequent there, rare elsewhere).

        Returns a DataFrame with ``region``, ``x``, ``y`` (the centre), ``n`` (files) and ``keywords``.

        Example
        -------
        >>> ex.regions(6)   # doctest: +SKIP
        """
        n = check_int("n", n, 1, 50)
        layout = self.layout
        xy = layout.coords.astype(np.float64)
        k = min(n, len(xy))
        assign = _kmeans(xy, k)
        ids, vocab = self._file_tokens()
        rows = layout.indices
        # document frequencies as counts over token ids: one bincount per region, not a Counter per file
        df_all = np.bincount(np.concatenate([ids[r] for r in rows]), minlength=len(vocab)) if len(rows) else None
        idf = np.log((len(rows) + 1) / (df_all + 1.0)) if df_all is not None else None
        out = []
        for c in range(k):
            members = rows[assign == c]
            if members.size == 0:
                continue
            df_c = np.bincount(np.concatenate([ids[r] for r in members]), minlength=len(vocab))
            floor = 1 if members.size < 5 else max(2, 0.2 * members.size)
            score = np.where(df_c >= floor, (df_c / members.size) * idf, -np.inf)
            found = np.flatnonzero(np.isfinite(score))
            best = [str(vocab[t]) for t in sorted(found, key=lambda t: (-score[t], vocab[t]))[:keywords]]
            cx, cy = xy[assign == c].mean(0)
            out.append({"region": c, "x": float(cx), "y": float(cy), "n": int(members.size), "keywords": best})
        return pd.DataFrame(out, columns=["region", "x", "y", "n", "keywords"])

    def _file_tokens(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Each file's distinct identifiers (and its file name's stem) as ids into one vocabulary."""
        if self._tokens is None:
            vocab: dict[str, int] = {}
            ids = []
            for content, path in zip(self.corpus.texts, self.corpus.column("path")):
                words = _identifiers(str(content)) - _STOP
                stem = Path(str(path)).stem.lower()
                if len(stem) > 2:
                    words.add(stem)
                ids.append(np.fromiter((vocab.setdefault(w, len(vocab)) for w in words), np.int64, len(words)))
            self._tokens = (ids, np.array(list(vocab), dtype=object))
        return self._tokens

    # ------------------------------------------------------------------------------------------ n_neighbors
    def set_neighbors(self, n_neighbors: int, *, wait: bool = True) -> Layout:
        """Change UMAP's n_neighbors (low: local detail; high: global structure) and re-lay out the current step."""
        self.n_neighbors = self.projection._check_k(n_neighbors, len(self.embeddings))
        self._ensure(self._steps[self._pos], self.n_neighbors)
        self._notify("neighbors", n_neighbors=self.n_neighbors)
        layout = self.wait() if wait else self.layout
        self._notify("layout", layout=layout, final=layout.method not in ("pca", "preview"))
        return layout

    # ------------------------------------------------------------------------------------------ display
    def chart(self, color: str | None = None, max_points: int = MAX_CHART_POINTS) -> Any:
        """Static Altair scatter of the current layout, coloured by ``color``, with file tooltips."""
        import altair as alt

        from mlnb.widgets._charts import use_offline_renderer

        use_offline_renderer()  # no CDN script, no data inside a <script> block

        color = color or self.color
        if color not in self.columns:
            raise ValueError(f"color={color!r} is not valid; expected one of {', '.join(map(repr, self.columns))}")
        layout = self.layout
        df = self._frame(layout.indices, [c for c in ("project", "path", "library", "domain") if c in self.columns])
        values = self.labels[color].iloc[layout.indices] if color in self.labels else self.corpus.meta[color].iloc[layout.indices]
        df["color"] = values.map(_text).to_numpy()
        df["x"], df["y"] = layout.coords[:, 0], layout.coords[:, 1]
        df["selected"] = np.isin(layout.indices, self.selection)
        title = f"{len(df)} files · {layout.method} · n_neighbors={layout.n_neighbors}"
        if len(df) > max_points:
            df = df.sample(max_points, random_state=0)
            title += f" (showing {max_points})"
        with alt.data_transformers.disable_max_rows():
            return (alt.Chart(df, title=title).mark_circle(size=12, opacity=0.7)
                    .encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None),
                            color=alt.Color("color:N", title=color, legend=alt.Legend(symbolLimit=20)),
                            tooltip=[c for c in ("project", "path", "library", "domain") if c in df.columns]
                            + [alt.Tooltip("color:N", title=color)])
                    .properties(width=600, height=450).interactive())

    def view(self) -> Any:
        """The interactive widget (WebGL scatter, linked table, labels, history, code preview) over this explorer."""
        from mlnb.widgets.acumen_explorer import AcumenExplorerWidget

        return AcumenExplorerWidget(self)

    def __repr__(self) -> str:
        return (f"Explorer({self.corpus.n_projects} projects, {len(self.indices)}/{len(self.corpus)} files, "
                f"{self._pos} filter steps, layout={self.layout.method})")

    def _summary_html(self) -> str:
        import html

        steps = " → ".join(html.escape(f.description) for f in self.filters)
        skipped = self.corpus.skipped_reasons()
        skipped_txt = ", ".join(f"{n} {html.escape(str(reason))}" for reason, n in skipped) or "none"
        return (f"<b>ACUMEN</b>: {self.corpus.n_projects} projects, {len(self.indices)} of {len(self.corpus)} files "
                f"shown; filters: {steps}; skipped: {skipped_txt}")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view())


def _why(project: Any) -> list[dict[str, str]]:
    """For each metadata value of a project (libraries, datasets, domain, task), the strongest evidence that metadata
    extraction kept for it, as one readable line: ``{"field", "value", "why"}``."""
    evidence = project.get("evidence")
    if not isinstance(evidence, dict):
        return []
    out = []
    for field_name, key in EVIDENCE_FIELDS:
        values = project.get(field_name)
        values = [values] if isinstance(values, str) else list(values) if isinstance(values, (list, tuple)) else []
        by_value = evidence.get(key) or {}
        for value in values:
            items = by_value.get(value) if isinstance(by_value, dict) else None
            if not value or not items or not isinstance(items, list) or not isinstance(items[0], dict):
                continue
            e = items[0]
            where = " ".join(str(x) for x in (e.get("file") or e.get("source") or "",
                                              f"line {e['line']}" if e.get("line") else "") if x)
            text = " ".join(str(e.get("text") or "").split())
            out.append({"field": field_name, "value": str(value),
                        "why": f"{where}: {text}" if where and text else where or text})
    return out


def _kmeans(xy: np.ndarray, k: int, iters: int = 25) -> np.ndarray:
    """Deterministic k-means on 2-D points (farthest-point seeding): region ids per point."""
    centres = [xy[np.argmin(((xy - xy.mean(0)) ** 2).sum(1))]]
    d = ((xy - centres[0]) ** 2).sum(1)
    for _ in range(1, k):
        centres.append(xy[int(np.argmax(d))])
        d = np.minimum(d, ((xy - centres[-1]) ** 2).sum(1))
    c = np.array(centres)
    assign = np.zeros(len(xy), np.int64)
    for _ in range(iters):
        assign = ((xy[:, None, :] - c[None, :, :]) ** 2).sum(2).argmin(1)
        new = np.array([xy[assign == j].mean(0) if (assign == j).any() else c[j] for j in range(k)])
        if np.allclose(new, c):
            break
        c = new
    return assign
