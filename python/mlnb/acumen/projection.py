"""Projection engine: 2-D layouts of file embeddings with umap-learn, fast re-projection of filtered subsets.

What the thesis's users asked for (ch. 2.7.2) and how it is met:

- *A layout cached per filter step*: every layout is kept by (subset, n_neighbors); undoing a filter is a dict
  lookup that returns the very same :class:`Layout` object.
- *No "rotated or warped" re-layouts*: a subset's layout starts from its points' positions in the parent layout
  (isotropically rescaled) and runs a short, gentle optimisation, so clusters stay where they were and only
  refine. The full layout starts from PCA, the layout shown while UMAP computes.
- *Speed*: the full data's k-nearest-neighbour graph is computed once (with spare neighbours) and a subset reuses
  every row whose neighbours are mostly inside it. The other rows are searched again within the subset: exactly
  when that is cheap, else among their neighbours' neighbours in the full graph (one NN-descent step, as
  pynndescent does), exactly again for the few rows that finds too little. umap-learn's numba kernels are compiled
  in a background thread when the engine is created.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Projection", "Layout"]

EXACT_KNN_MAX = 20_000  # up to this many points a brute-force kNN (BLAS) beats NN-descent here and is exact
EXACT_REPAIR_PAIRS = 1 << 22  # (rows to repair) x (subset size) up to which a subset's kNN repair is exact (~0.05 s)


@dataclass(eq=False)
class Layout:
    """2-D positions of a set of files.

    Attributes:
        indices: rows of the embedding matrix (= rows of ``corpus.files``) laid out, sorted.
        coords: (len(indices), 2) float32 positions.
        method: 'pca' (instant preview), 'umap' (full layout) or 'umap-subset' (re-projection of a filter step).
        n_neighbors: UMAP's n_neighbors.
        seconds: compute time.
        knn_reused: fraction of the subset's neighbour rows taken from the parent graph without a new search.
        parent: the layout this one started from (None for full layouts).
    """

    indices: np.ndarray
    coords: np.ndarray
    method: str
    n_neighbors: int
    seconds: float = 0.0
    knn_reused: float = 1.0
    parent: "Layout | None" = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.indices)

    def positions(self, indices: np.ndarray) -> np.ndarray:
        """Coordinates of the given embedding rows (all must be in this layout)."""
        where = np.searchsorted(self.indices, indices)
        if np.any(where >= len(self.indices)) or np.any(self.indices[np.minimum(where, len(self.indices) - 1)] != indices):
            raise ValueError("indices: some rows are not part of this layout")
        return self.coords[where]


LAYOUT_VERSION = 1  # bump when the layout algorithm changes: layouts on disk are then recomputed


def sorted_unique(a: Any) -> np.ndarray:
    """``np.unique`` of int row numbers, fast: already sorted unique rows (a filter step, a lasso) come back as they
    are; otherwise sort and drop repeats (numpy's hash-based ``unique`` takes 0.6 s on 1M rows, a sort 0.06 s)."""
    a = np.asarray(a).astype(np.int64, copy=False)
    if a.size < 2 or bool(np.all(a[1:] > a[:-1])):
        return a
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


def sorted_contains(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Which of ``needles`` are in the sorted ``haystack`` (a bool per needle; binary search, no hashing)."""
    if haystack.size == 0:
        return np.zeros(len(needles), bool)
    pos = np.minimum(np.searchsorted(haystack, needles), haystack.size - 1)
    return haystack[pos] == needles


def _key(indices: np.ndarray, n_neighbors: int) -> tuple[str, int]:
    return hashlib.sha1(np.ascontiguousarray(indices, dtype=np.int64).tobytes()).hexdigest(), n_neighbors


def _scale(coords: np.ndarray, max_coord: float = 10.0) -> np.ndarray:
    """Centre and scale uniformly (no axis is stretched on its own) so the largest |coordinate| is ``max_coord``."""
    c = coords - coords.mean(0)
    span = np.abs(c).max()
    return (c * (max_coord / span if span > 0 else 1.0)).astype(np.float32)


class Projection:
    """UMAP layouts of ``embeddings`` and of any subset of its rows.

    Example:
        >>> proj = Projection(emb, n_neighbors=15)            # doctest: +SKIP
        >>> preview = proj.pca()                              # instant
        >>> full = proj.full()                                # UMAP of everything
        >>> sub = proj.subset(np.flatnonzero(mask), parent=full)   # re-projection of a filter step
        >>> proj.subset(np.flatnonzero(mask)) is sub          # cached: undo/redo is instant
        True

    Args:
        embeddings: (n, d) array of file embeddings.
        n_neighbors: UMAP's default n_neighbors (changeable per call).
        metric: 'cosine' (default) or 'euclidean'.
        n_epochs: epochs of the full layout (default: 500 up to 10k points, else 200, as umap-learn).
        subset_epochs: epochs of a re-projection (few: points refine, they do not wander).
        subset_learning_rate: initial learning rate of a re-projection (umap-learn's is 1.0).
        subset_negative_sample_rate: repulsive samples per attractive one in a re-projection (umap-learn's is 5;
            the parent layout already separates clusters, so fewer suffice and the step is 2-3x faster).
        spare_neighbors: neighbours kept per point beyond n_neighbors, so subsets can reuse rows.
        random_state: seed of the layout optimisation (same inputs, same layout).
        warm_up: compile umap-learn's numba kernels in a background thread now, off the critical path (not when
            the full layout is already on disk: then only a later re-projection needs them).
        disk_cache: keep full layouts on disk (``cache_root()/layouts``, keyed by the embeddings' bytes and the
            layout options), so a new kernel opening the same corpus shows its layout at once.
    """

    def __init__(self, embeddings: Any, n_neighbors: int = 15, *, metric: str = "cosine", n_epochs: int | None = None,
                 subset_epochs: int = 20, subset_learning_rate: float = 0.5, subset_negative_sample_rate: float = 2.0,
                 spare_neighbors: int = 15, random_state: int = 0, warm_up: bool = True, disk_cache: bool = True):
        x = np.asarray(embeddings)
        if x.ndim != 2 or x.shape[0] < 3 or not np.issubdtype(x.dtype, np.number):
            raise ValueError(f"embeddings: expected a numeric (n_files, d) array with n_files >= 3, got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError("embeddings: contains NaN or infinite values")
        if metric not in ("cosine", "euclidean"):
            raise ValueError(f"metric: expected 'cosine' or 'euclidean', got {metric!r}")
        self._check_k(n_neighbors, x.shape[0])
        for name, value in (("subset_epochs", subset_epochs), ("spare_neighbors", spare_neighbors)):
            if not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name}: expected a non-negative int, got {value!r}")
        x = x.astype(np.float32)
        if metric == "cosine":  # cosine distance = 1 - dot product of unit vectors: kNN becomes one matrix product
            x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        self.x = np.ascontiguousarray(x)
        self.n = x.shape[0]
        self.metric, self.n_neighbors, self.n_epochs = metric, int(n_neighbors), n_epochs
        self.subset_epochs, self.subset_learning_rate = int(subset_epochs), float(subset_learning_rate)
        self.subset_negative_sample_rate = float(subset_negative_sample_rate)
        self.spare_neighbors, self.random_state = int(spare_neighbors), random_state
        self.all = np.arange(self.n)
        self._layouts: dict[tuple[str, int], Layout] = {}
        self._knn: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.RLock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acumen-umap")
        self.disk_cache = bool(disk_cache)
        self._x_key: str | None = None
        # A full layout computed before (any kernel) is read from disk: the first scatter is the real one, and
        # umap-learn is not even imported until a filter needs a re-projection (then the warm-up runs).
        cached = self._load_full(self.n_neighbors)
        self._warm: Future | None = self._worker.submit(warm_up_umap) if warm_up and cached is None else None
        self.stats: dict[str, float] = {}
        # Optional ``progress(stage, done, total)`` callback ('neighbours', 'layout'): a view shows it while a layout
        # computes. Called from the thread that computes; it must be cheap and must not raise.
        self.progress: Any = None

    # ------------------------------------------------------------------------------------------ validation
    def _check_k(self, k: Any, n: int) -> int:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 2 <= k <= 200:
            raise ValueError(f"n_neighbors: expected an int from 2 to 200, got {k!r}")
        return int(k)

    def _check_indices(self, indices: Any) -> np.ndarray:
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (self.n,):
                raise ValueError(f"indices: a boolean mask must have {self.n} entries (one per file), got shape {idx.shape}")
            idx = np.flatnonzero(idx)
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise ValueError(f"indices: expected a 1-D array of row numbers or a boolean mask, got {idx.dtype} {idx.shape}")
        idx = sorted_unique(idx)
        if idx.size and (idx[0] < 0 or idx[-1] >= self.n):
            raise ValueError(f"indices: row numbers must be in [0, {self.n}), got {idx[0]}..{idx[-1]}")
        if idx.size < 3:
            raise ValueError(f"indices: a layout needs at least 3 files, got {idx.size}")
        return idx

    # ------------------------------------------------------------------------------------------ layouts
    def cached(self, indices: Any = None, n_neighbors: int | None = None) -> Layout | None:
        """The cached UMAP layout of ``indices`` (default: all rows), or None."""
        idx = self.all if indices is None else self._check_indices(indices)
        k = n_neighbors or self.n_neighbors
        found = self._layouts.get(_key(idx, k))
        if found is None and len(idx) == self.n:
            found = self._load_full(k)  # computed by an earlier kernel
        return found

    def pca(self, indices: Any = None) -> Layout:
        """Instant preview: the first two principal components (also the full UMAP layout's starting point)."""
        idx = self.all if indices is None else self._check_indices(indices)
        key = _key(idx, 0)
        if key not in self._layouts:
            t = time.perf_counter()
            x = self.x[idx]
            x = x - x.mean(0)
            rng = np.random.default_rng(0)
            # randomized range finder: two components of a (n, d) matrix in a few small products, deterministic
            q, _ = np.linalg.qr(x @ rng.standard_normal((x.shape[1], 10)).astype(np.float32))
            for _ in range(2):
                q, _ = np.linalg.qr(x @ (x.T @ q))
            u, s, vt = np.linalg.svd(q.T @ x, full_matrices=False)
            coords = (q @ u[:, :2]) * s[:2]
            coords *= np.sign(vt[:2].sum(1) + 1e-12)  # fix the sign so the same data never flips
            self._layouts[key] = Layout(idx, _scale(coords), "pca", 0, time.perf_counter() - t)
        return self._layouts[key]

    def full(self, n_neighbors: int | None = None) -> Layout:
        """UMAP layout of all rows (cached)."""
        k = self._check_k(n_neighbors if n_neighbors is not None else self.n_neighbors, self.n)
        with self._lock:
            key = _key(self.all, k)
            if key in self._layouts:
                return self._layouts[key]
            t = time.perf_counter()
            self._report("neighbours", 0, 1)
            knn_i, knn_d = self.knn(k)
            init = self.pca().coords
            coords = self._optimize(knn_i[:, :k], knn_d[:, :k], init, self.n_epochs or (500 if self.n <= 10_000 else 200), 1.0, 5.0)
            layout = Layout(self.all, coords, "umap", k, time.perf_counter() - t)
            self._layouts[key] = layout
            self._save_full(layout)
            return layout

    # ------------------------------------------------------------------------------------------ disk cache
    def _full_path(self, k: int) -> Any:
        from .ingest import cache_root

        if self._x_key is None:
            self._x_key = hashlib.sha1(self.x.tobytes()).hexdigest()  # 16k x 256 floats: ~10 ms
        options = [LAYOUT_VERSION, self._x_key, k, self.metric, self.n_epochs, self.random_state]
        return cache_root() / "layouts" / f"{hashlib.sha1(repr(options).encode()).hexdigest()[:24]}.npy"

    def _load_full(self, k: int) -> Layout | None:
        if not self.disk_cache:
            return None
        try:
            coords = np.load(self._full_path(k))
        except (OSError, ValueError):
            return None  # none yet, or unreadable: computed again
        if coords.shape != (self.n, 2) or coords.dtype != np.float32:
            return None
        layout = Layout(self.all, coords, "umap", k, 0.0)
        self._layouts[_key(self.all, k)] = layout
        return layout

    def _save_full(self, layout: Layout) -> None:
        if not self.disk_cache:
            return
        try:
            path = self._full_path(layout.n_neighbors)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, np.ascontiguousarray(layout.coords, np.float32))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs the next kernel a recomputation

    def full_async(self, n_neighbors: int | None = None) -> Future:
        """Start :meth:`full` in the background; show :meth:`pca` meanwhile. Returns a Future of the Layout."""
        return self._worker.submit(self.full, n_neighbors)

    def subset(self, indices: Any, parent: Layout | None = None, n_neighbors: int | None = None) -> Layout:
        """Re-projection of a filter step: a UMAP layout of ``indices`` that starts from ``parent``'s positions.

        Cached per (subset, n_neighbors): asking again (undo, redo) returns the same Layout object instantly.
        ``parent`` defaults to the cached layout of the same subset with another n_neighbors, else the full layout.
        """
        idx = self._check_indices(indices)
        k = self._check_k(n_neighbors if n_neighbors is not None else self.n_neighbors, self.n)
        if idx.size == self.n:
            return self.full(k)
        with self._lock:
            key = _key(idx, k)
            if key in self._layouts:
                return self._layouts[key]
            if parent is None:
                same = [l for (h, kk), l in self._layouts.items() if h == key[0] and kk > 0]
                parent = same[-1] if same else self.full(k)
            missing = idx[~sorted_contains(parent.indices, idx)]
            if missing.size:
                raise ValueError(f"parent: {missing.size} of the subset's rows are not in the parent layout")
            t = time.perf_counter()
            self._report("neighbours", 0, 1)
            k_eff = min(k, idx.size - 1)
            knn_i, knn_d, reused = self._subset_knn(idx, k_eff)
            t_knn = time.perf_counter() - t
            init = _scale(parent.positions(idx))
            coords = self._optimize(knn_i, knn_d, init, self.subset_epochs, self.subset_learning_rate,
                                    self.subset_negative_sample_rate)
            layout = Layout(idx, coords, "umap-subset", k, time.perf_counter() - t, reused, parent)
            self.stats.update(knn_seconds=t_knn, layout_seconds=layout.seconds - t_knn)
            self._layouts[key] = layout
            return layout

    # ------------------------------------------------------------------------------------------ neighbours
    def knn(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The full data's neighbour graph with at least ``k`` neighbours per row (self first, distance 0)."""
        with self._lock:
            if self._knn is None or self._knn[0].shape[1] < min(k, self.n):
                self._knn = self._search(self.x, min(self.n, max(k, self.n_neighbors) + self.spare_neighbors))
            return self._knn

    def _search(self, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """kNN graph of the rows of ``x`` among themselves: exact up to EXACT_KNN_MAX rows, else NN-descent."""
        if len(x) <= EXACT_KNN_MAX:
            return _exact_knn(x, x, k, self.metric, exclude_self=np.arange(len(x)))
        import_umap()
        from umap.umap_ import nearest_neighbors

        i, d, _ = nearest_neighbors(x, k, self.metric, {}, False, np.random.RandomState(self.random_state))
        return i.astype(np.int64), d.astype(np.float32)

    def _subset_knn(self, idx: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Neighbour graph of a subset in local row numbers. Rows whose first k in-subset neighbours are in the
        parent graph are reused. The others are searched again among the subset: exactly when the search is small,
        else among their neighbours' neighbours in the full graph; rows with fewer than k such candidates exactly.
        When the full graph holds fewer than k neighbours per row, the subset is searched on its own: cheaper than
        widening the graph of all rows."""
        if self._knn is None or self._knn[0].shape[1] < k:
            i, d = self._search(self.x[idx], k)
            self.stats = {"knn_rows_two_hop": 0, "knn_rows_searched": idx.size}
            return i, d, 0.0
        gi, gd = self.knn(k)
        local = np.full(self.n, -1, np.int64)
        local[idx] = np.arange(idx.size)
        li, ld = local[gi[idx]], gd[idx]
        inside = li >= 0
        order = np.argsort(~inside, axis=1, kind="stable")  # in-subset neighbours first, nearest first
        li = np.take_along_axis(li, order, 1)[:, :k]
        ld = np.take_along_axis(ld, order, 1)[:, :k]
        bad = np.flatnonzero(inside.sum(1) < k)
        exact = bad
        if bad.size * idx.size > EXACT_REPAIR_PAIRS:
            hop_i, hop_d, found = _kernels()["two_hop"](self.x, gi, local, idx[bad], k, self.metric == "cosine")
            li[bad], ld[bad] = hop_i, hop_d
            exact = bad[found < k]
        if exact.size:
            li[exact], ld[exact] = _exact_knn(self.x[idx[exact]], self.x[idx], k, self.metric, exclude_self=exact)
        self.stats = {"knn_rows_two_hop": bad.size - exact.size, "knn_rows_searched": exact.size}
        return li, ld, 1.0 - bad.size / idx.size

    # ------------------------------------------------------------------------------------------ layout SGD
    def _optimize(self, knn_i: np.ndarray, knn_d: np.ndarray, init: np.ndarray, n_epochs: int, alpha: float,
                  negative_sample_rate: float) -> np.ndarray:
        """umap-learn's fuzzy graph + SGD layout from ``init`` (what ``UMAP.fit`` does after its kNN search)."""
        if self._warm is not None:
            self._warm.result()  # the kernels are compiled; waits only if called within seconds of creation
        return umap_layout(knn_i, knn_d, init, n_epochs, alpha, negative_sample_rate, self.random_state,
                           progress=lambda done, total: self._report("layout", done, total))

    def _report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            try:
                self.progress(stage, done, total)
            except Exception:  # noqa: BLE001 - a view's failure never stops a layout
                pass


def _exact_knn(queries: np.ndarray, data: np.ndarray, k: int, metric: str, exclude_self: np.ndarray | None = None,
               chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force k nearest rows of ``data`` for each query (chunked matrix products). Row ``exclude_self[i]`` of
    ``data`` is query i itself: it is put first with distance 0, as umap-learn's graphs have it."""
    k = min(k, data.shape[0])
    out_i = np.empty((queries.shape[0], k), np.int64)
    out_d = np.empty((queries.shape[0], k), np.float32)
    sq = (data * data).sum(1) if metric == "euclidean" else None
    for s in range(0, queries.shape[0], chunk):
        q = queries[s:s + chunk]
        sim = q @ data.T
        if metric == "cosine":
            dist = 1.0 - sim
        else:
            dist = np.maximum((q * q).sum(1)[:, None] - 2 * sim + sq[None, :], 0.0)
        if exclude_self is not None:
            dist[np.arange(q.shape[0]), exclude_self[s:s + chunk]] = -1.0  # self first
        part = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < data.shape[0] else np.tile(np.arange(k), (q.shape[0], 1))
        pd_ = np.take_along_axis(dist, part, 1)
        order = np.argsort(pd_, axis=1, kind="stable")
        out_i[s:s + chunk] = np.take_along_axis(part, order, 1)
        d = np.maximum(np.take_along_axis(pd_, order, 1), 0.0)
        out_d[s:s + chunk] = np.sqrt(d) if metric == "euclidean" else d
    return out_i, out_d


def _two_hop_knn(x, graph, local, rows, k, cosine):  # compiled by numba in _kernels()
    """k nearest of each row's neighbours and neighbours' neighbours in ``graph`` that are in the subset
    (``local[j] >= 0``), self first with distance 0, in local row numbers. Returns (indices, distances, found):
    ``found[r] < k`` means row r had too few candidates (its remaining entries are self, at distance 0)."""
    out_i = np.empty((rows.shape[0], k), np.int64)
    out_d = np.zeros((rows.shape[0], k), np.float32)
    found = np.zeros(rows.shape[0], np.int64)
    seen = np.full(graph.shape[0], -1, np.int64)  # seen[j] == r: j is already a candidate of row r
    cand = np.empty(graph.shape[1] * (graph.shape[1] + 1), np.int64)
    dist = np.empty(cand.shape[0], np.float32)
    for r in range(rows.shape[0]):
        g = rows[r]
        seen[g] = r
        m = 0
        for a in range(graph.shape[1]):
            hop = graph[g, a]
            for b in range(-1, graph.shape[1]):
                c = hop if b < 0 else graph[hop, b]
                if seen[c] != r:
                    seen[c] = r
                    if local[c] >= 0:
                        cand[m] = c
                        m += 1
        for j in range(m):
            c = cand[j]
            acc = np.float32(0.0)
            if cosine:  # rows are unit vectors
                for t in range(x.shape[1]):
                    acc += x[g, t] * x[c, t]
                dist[j] = max(np.float32(1.0) - acc, np.float32(0.0))
            else:
                for t in range(x.shape[1]):
                    v = x[g, t] - x[c, t]
                    acc += v * v
                dist[j] = np.sqrt(acc)
        nearest = np.argsort(dist[:m])[:k - 1]
        out_i[r, :] = local[g]
        out_i[r, 1:1 + nearest.size] = local[cand[nearest]]
        out_d[r, 1:1 + nearest.size] = dist[nearest]
        found[r] = 1 + nearest.size
    return out_i, out_d, found


def import_umap() -> Any:
    """``import umap`` without its optional ParametricUMAP, which imports TensorFlow (10+ s) at package import.

    Only when umap is not imported yet; ``umap.parametric_umap`` stays importable explicitly afterwards
    (``umap.ParametricUMAP`` is then umap-learn's stand-in that asks for TensorFlow).
    """
    import sys

    if "umap" in sys.modules or "tensorflow" in sys.modules:
        import umap

        return umap
    sys.modules["umap.parametric_umap"] = None  # type: ignore[assignment]  # makes that one import fail fast
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ImportWarning)
            import umap
    finally:
        if sys.modules.get("umap.parametric_umap", 0) is None:
            del sys.modules["umap.parametric_umap"]
    return umap


_KERNELS: dict[str, Any] = {}


def _kernels() -> dict[str, Any]:
    """umap-learn's numba kernels, re-jitted with ``cache=True``: umap-learn compiles them anew in every process
    (tens of seconds on this machine); cached, a new process loads them from disk in about a second. Serial: on a
    shared 2-core machine numba's threads were no faster, and serial layouts are reproducible."""
    if not _KERNELS:
        import numba

        import_umap()
        from umap import layouts, umap_

        _KERNELS["epoch"] = numba.njit(layouts._optimize_layout_euclidean_single_epoch, fastmath=True, cache=True)
        _KERNELS["smooth"] = numba.njit(umap_.smooth_knn_dist.py_func, fastmath=True, cache=True,
                                        locals={"psum": numba.types.float32, "lo": numba.types.float32,
                                                "mid": numba.types.float32, "hi": numba.types.float32})
        _KERNELS["members"] = numba.njit(umap_.compute_membership_strengths.py_func, cache=True,
                                         locals={"knn_dists": numba.types.float32[:, ::1], "sigmas": numba.types.float32[::1],
                                                 "rhos": numba.types.float32[::1], "val": numba.types.float32})
        _KERNELS["two_hop"] = numba.njit(_two_hop_knn, fastmath=True, cache=True)
    return _KERNELS


def umap_layout(knn_i: np.ndarray, knn_d: np.ndarray, init: np.ndarray, n_epochs: int, alpha: float = 1.0,
                negative_sample_rate: float = 5.0, random_state: int = 0, progress: Any = None) -> np.ndarray:
    """UMAP's layout step on a given kNN graph (self first): fuzzy simplicial set, then SGD from ``init``.

    The same computation as umap-learn's ``fuzzy_simplicial_set`` + ``simplicial_set_embedding`` (default a, b,
    gamma, set operations), without its data-dependent initialisation and on disk-cached kernels.
    """
    import scipy.sparse

    k = _kernels()
    n = knn_i.shape[0]
    knn_i = np.ascontiguousarray(knn_i, dtype=np.int64)
    knn_d = np.ascontiguousarray(knn_d, dtype=np.float32)
    sigmas, rhos = k["smooth"](knn_d, float(knn_i.shape[1]), 64, 1.0, 1.0)
    rows, cols, vals, _ = k["members"](knn_i, knn_d, sigmas, rhos, False, False)
    graph = scipy.sparse.coo_matrix((vals, (rows, cols)), shape=(n, n))
    graph.eliminate_zeros()
    t = graph.transpose()
    graph = (graph + t - graph.multiply(t)).tocoo()  # fuzzy union
    graph.sum_duplicates()
    emb = np.ascontiguousarray(init, dtype=np.float32).copy()
    if n_epochs <= 0 or graph.nnz == 0:
        return emb
    graph.data[graph.data < graph.data.max() / float(max(n_epochs, 10))] = 0.0
    graph.eliminate_zeros()
    weights = graph.data
    epochs_per_sample = np.full(weights.shape[0], -1.0, dtype=np.float64)  # umap_.make_epochs_per_sample
    n_samples = n_epochs * (weights / weights.max())
    epochs_per_sample[n_samples > 0] = float(n_epochs) / np.float64(n_samples[n_samples > 0])
    head, tail = graph.row.astype(np.int32), graph.col.astype(np.int32)
    a, b = 1.5769434604035877, 0.8950608781603005  # umap_.find_ab_params(spread=1.0, min_dist=0.1)
    rng = np.random.RandomState(random_state)
    rng_state = rng.randint(np.iinfo(np.int32).min + 1, np.iinfo(np.int32).max - 1, 3).astype(np.int64)
    rng_per_sample = np.full((n, 3), rng_state, dtype=np.int64) + emb[:, 0].astype(np.float64).view(np.int64).reshape(-1, 1)
    per_negative = epochs_per_sample / negative_sample_rate
    next_negative, next_sample = per_negative.copy(), epochs_per_sample.copy()
    zero = np.zeros(1, dtype=np.float32)
    epoch = k["epoch"]
    every = max(1, n_epochs // 20)
    for i in range(n_epochs):
        if progress is not None and i % every == 0:
            progress(i, n_epochs)  # = umap.layouts.optimize_layout_euclidean, densMAP off, alpha decaying linearly
        epoch(emb, emb, head, tail, n, epochs_per_sample, a, b, rng_per_sample, 1.0, 2, True,
              alpha * (1.0 - i / n_epochs), per_negative, next_negative, next_sample, i, False, zero, zero, 0.0, 0.0,
              0.0, 0.0, zero, zero, 0.0)
    if progress is not None:
        progress(n_epochs, n_epochs)
    return emb


_warm_lock = threading.Lock()
_warmed = False


def warm_up_umap() -> float:
    """Import umap-learn and compile the numba kernels the engine uses, on a tiny problem. Returns seconds spent.

    The first UMAP call of a process otherwise pays this (tens of seconds) on the critical path.
    """
    global _warmed
    with _warm_lock:
        if _warmed:
            return 0.0
        t = time.perf_counter()
        rng = np.random.RandomState(0)
        x = rng.standard_normal((40, 4)).astype(np.float32)
        i, d = _exact_knn(x, x, 5, "euclidean", exclude_self=np.arange(40))
        umap_layout(i, d, rng.standard_normal((40, 2)).astype(np.float32), 5)
        for cosine in (True, False):
            _kernels()["two_hop"](x, i, np.arange(40), np.arange(3), 4, cosine)
        _warmed = True
        return time.perf_counter() - t
