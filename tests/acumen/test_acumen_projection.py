"""Projection engine. One fitted Projection is shared (module scope): numba compiles umap-learn's kernels once."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import procrustes

from mlnb.acumen import projection
from mlnb.acumen.projection import Layout, Projection, _exact_knn


def blobs(n=900, k=6, d=32, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * 4
    labels = rng.integers(0, k, n)
    return (centers[labels] + rng.standard_normal((n, d))).astype(np.float32), labels


@pytest.fixture(scope="module")
def fitted():
    x, labels = blobs()
    proj = Projection(x, n_neighbors=15)
    return proj, proj.full(), labels


def test_full_layout_separates_clusters(fitted):
    proj, full, labels = fitted
    assert isinstance(full, Layout) and full.method == "umap" and full.coords.shape == (900, 2)
    assert np.all(np.isfinite(full.coords))
    # each point's nearest neighbour in 2-D has its label: the layout keeps the blobs apart
    i, _ = _exact_knn(full.coords, full.coords, 2, "euclidean", exclude_self=np.arange(900))
    assert (labels[i[:, 1]] == labels).mean() > 0.97
    assert proj.full() is full


def test_pca_preview_is_instant_and_cached(fitted):
    proj, _, _ = fitted
    pca = proj.pca()
    assert pca.method == "pca" and pca.coords.shape == (900, 2) and proj.pca() is pca
    assert np.abs(pca.coords).max() == pytest.approx(10.0)


def test_subset_reprojection_keeps_positions(fitted):
    proj, full, labels = fitted
    subset = np.flatnonzero(labels < 3)
    sub = proj.subset(subset, parent=full)
    assert sub.method == "umap-subset" and sub.parent is full and np.array_equal(sub.indices, subset)
    assert sub.knn_reused > 0.95  # whole clusters were kept: their neighbour rows are reused
    _, _, disparity = procrustes(full.positions(subset), sub.coords)
    assert disparity < 0.05
    # refining, not freezing: points did move
    assert not np.allclose(sub.coords, (full.positions(subset) - full.positions(subset).mean(0)), atol=1e-2)


def test_undo_returns_the_cached_layout(fitted):
    proj, full, labels = fitted
    mask = labels == 1
    first = proj.subset(mask, parent=full)
    assert proj.subset(np.flatnonzero(mask)) is first
    assert proj.cached(mask) is first


def test_random_subset_searches_missing_neighbours(fitted):
    proj, full, _ = fitted
    rng = np.random.default_rng(1)
    subset = np.sort(rng.choice(900, 120, replace=False))
    sub = proj.subset(subset, parent=full)
    assert sub.knn_reused < 0.5  # few stored neighbours fall in a sparse random subset: rows searched again
    knn_i, knn_d, _ = proj._subset_knn(subset, 15)
    ref_i, ref_d = _exact_knn(proj.x[subset], proj.x[subset], 15, "cosine", exclude_self=np.arange(120))
    np.testing.assert_allclose(knn_d, ref_d, atol=1e-5)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_large_repairs_search_neighbours_of_neighbours(metric, monkeypatch):
    # Above EXACT_REPAIR_PAIRS a row is searched among its neighbours' neighbours (NN-descent's step), exactly when
    # those hold fewer than k subset rows. Forced here on a small problem; compared against an exact search.
    x, _ = blobs(n=3000, k=20, d=16, seed=3)
    proj = Projection(x, n_neighbors=10, metric=metric, warm_up=False)
    proj.knn(10)  # the graph of all rows, as after the full layout
    subset = np.sort(np.random.default_rng(4).choice(3000, 900, replace=False))
    monkeypatch.setattr(projection, "EXACT_REPAIR_PAIRS", 0)
    knn_i, knn_d, reused = proj._subset_knn(subset, 10)
    assert reused < 0.5 and proj.stats["knn_rows_two_hop"] > 0.8 * len(subset) * (1 - reused)
    assert np.array_equal(knn_i[:, 0], np.arange(900)) and np.all(knn_d[:, 0] == 0)  # self first
    assert np.all(np.diff(knn_d, axis=1) >= 0) and np.all((knn_i >= 0) & (knn_i < 900))
    assert all(len(set(row)) == 10 for row in knn_i)  # no duplicates
    ref_i, ref_d = _exact_knn(proj.x[subset], proj.x[subset], 10, metric, exclude_self=np.arange(900))
    # every distance is the true distance to that row, and the rows found are nearly the true nearest
    dist = np.linalg.norm(proj.x[subset][knn_i] - proj.x[subset][:, None], axis=2)
    np.testing.assert_allclose(knn_d, 1 - (proj.x[subset][knn_i] * proj.x[subset][:, None]).sum(2) if metric == "cosine"
                               else dist, atol=1e-4)
    recall = np.mean([len(set(a[1:]) & set(b[1:])) / 9 for a, b in zip(knn_i, ref_i)])
    assert recall > 0.9
    assert np.mean(knn_d[:, 1:]) < 1.05 * np.mean(ref_d[:, 1:])


def test_more_neighbours_than_stored_searches_the_subset_only(fitted):
    proj, full, labels = fitted
    stored = proj.knn(15)[0].shape[1]
    subset = np.flatnonzero(labels == 2)
    k = stored + 5
    sub = proj.subset(subset, parent=full, n_neighbors=k)
    assert sub.n_neighbors == k and sub.knn_reused == 0 and proj.stats["knn_rows_searched"] == len(subset)
    assert proj.knn(15)[0].shape[1] == stored  # the graph of all rows was not widened
    knn_i, knn_d, _ = proj._subset_knn(subset, k)
    _, ref_d = _exact_knn(proj.x[subset], proj.x[subset], k, "cosine", exclude_self=np.arange(len(subset)))
    np.testing.assert_allclose(knn_d, ref_d, atol=1e-5)


def test_change_n_neighbors(fitted):
    proj, full, labels = fitted
    subset = np.flatnonzero(labels < 2)
    a = proj.subset(subset, parent=full, n_neighbors=15)
    b = proj.subset(subset, n_neighbors=5)
    assert b is not a and b.n_neighbors == 5 and b.parent is a  # started from the same subset's layout
    assert procrustes(a.coords, b.coords)[2] < 0.2


@pytest.mark.parametrize("kwargs, message", [
    (dict(embeddings=np.zeros((2, 3))), r"n_files >= 3, got shape \(2, 3\)"),
    (dict(embeddings=np.full((5, 3), np.nan)), "NaN or infinite"),
    (dict(embeddings=np.ones((5, 3)), n_neighbors=1), "n_neighbors: expected an int from 2 to 200, got 1"),
    (dict(embeddings=np.ones((5, 3)), metric="manhattan"), "metric: expected 'cosine' or 'euclidean', got 'manhattan'"),
])
def test_bad_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Projection(**kwargs, warm_up=False)


def test_bad_subsets(fitted):
    proj, _, _ = fitted
    with pytest.raises(ValueError, match=r"indices: row numbers must be in \[0, 900\), got 5..900"):
        proj.subset([5, 6, 900])
    with pytest.raises(ValueError, match="a boolean mask must have 900 entries"):
        proj.subset(np.ones(10, bool))
    with pytest.raises(ValueError, match="at least 3 files, got 2"):
        proj.subset([1, 2])
    small = proj.subset(np.arange(100), parent=proj.full())
    with pytest.raises(ValueError, match="parent: 100 of the subset's rows are not in the parent layout"):
        proj.subset(np.arange(200), parent=small)


def test_full_layout_is_read_back_from_disk_by_a_new_projection(fitted, tmp_path, monkeypatch):
    monkeypatch.setenv("MLNB_CACHE", str(tmp_path))
    proj, full, _ = fitted
    proj._save_full(full)  # what full() does after computing (the fixture computed under another cache dir)
    x, _ = blobs()  # the fixture's embeddings, as a new kernel computes them again
    again = Projection(x, n_neighbors=15)
    got = again.cached()
    assert got is not None and got.method == "umap" and np.array_equal(got.coords, full.coords)
    assert again._warm is None  # umap-learn not even imported for it
    assert Projection(x, n_neighbors=16, warm_up=False).cached() is None  # other options: computed anew
    other = x.copy()
    other[0, 0] += 1
    assert Projection(other, n_neighbors=15, warm_up=False).cached() is None
    assert Projection(x, n_neighbors=15, warm_up=False, disk_cache=False).cached() is None
